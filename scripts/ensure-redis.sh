#!/usr/bin/env bash
# Makes sure a Redis server answers and prints its URL (for the job queue and the tests).
# Uses $REDIS_URL or 127.0.0.1:6379 when one answers; otherwise installs Debian's
# redis-server if needed and starts a private one on 127.0.0.1:56379 (data under var/redis).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
PY="${PY:-$here/.venv/bin/python}"

probe() {  # probe URL -> exit 0 when Redis answers PING
  "$PY" - "$1" <<'PYEOF' >/dev/null 2>&1
import sys, redis
redis.Redis.from_url(sys.argv[1], socket_timeout=2, socket_connect_timeout=2).ping()
PYEOF
}

for url in "${REDIS_URL:-}" "redis://127.0.0.1:6379/0" "redis://127.0.0.1:56379/0"; do
  [ -n "$url" ] || continue
  if probe "$url"; then echo "$url"; exit 0; fi
done

if ! command -v redis-server >/dev/null 2>&1; then
  echo "redis-server not found; installing Debian's redis-server" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq >&2
  $SUDO apt-get install -y -qq --no-install-recommends redis-server >&2
fi
data="$here/var/redis"
mkdir -p "$data"
redis-server --bind 127.0.0.1 --port 56379 --daemonize yes --dir "$data" \
  --logfile "$data/redis.log" --pidfile "$data/redis.pid" --save "" --appendonly no >&2
url="redis://127.0.0.1:56379/0"
for _ in $(seq 1 30); do probe "$url" && { echo "$url"; exit 0; }; sleep 0.5; done
echo "could not start Redis (see $data/redis.log)" >&2
exit 1
