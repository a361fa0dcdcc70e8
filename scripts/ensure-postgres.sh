#!/usr/bin/env bash
# Makes sure a PostgreSQL server answers on 127.0.0.1 for the test suite and prints its URL.
# On our machines one already listens on 5432 (trust auth); elsewhere this installs Debian's
# postgresql and starts a private cluster on 127.0.0.1:55432 under var/pg (trust auth, loopback).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
PY="${PY:-$here/.venv/bin/python}"

probe() {  # probe URL -> exit 0 when we can connect
  "$PY" - "$1" <<'PYEOF' >/dev/null 2>&1
import sys, psycopg
psycopg.connect(sys.argv[1], connect_timeout=3).close()
PYEOF
}

for url in "${TEST_PG_ADMIN_URL:-}" "postgresql://postgres@127.0.0.1:5432/test" \
           "postgresql://postgres@127.0.0.1:5432/postgres" "postgresql://postgres@127.0.0.1:55432/postgres"; do
  [ -n "$url" ] || continue
  if probe "$url"; then echo "$url"; exit 0; fi
done

# Nothing answers: start a cluster of our own.
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  echo "PostgreSQL not found; installing Debian's postgresql" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq >&2
  $SUDO apt-get install -y -qq --no-install-recommends postgresql >&2
fi
bindir="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
data="$here/var/pg"
runas=()
if [ "$(id -u)" -eq 0 ]; then
  id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql postgres
  runas=(runuser -u postgres --)
fi
if [ ! -f "$data/PG_VERSION" ]; then
  mkdir -p "$data"; [ "$(id -u)" -eq 0 ] && chown -R postgres "$here/var"
  "${runas[@]}" "$bindir/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >&2
fi
[ "$(id -u)" -eq 0 ] && chown -R postgres "$data"
"${runas[@]}" "$bindir/pg_ctl" -D "$data" -l "$data/server.log" -w \
  -o "-c listen_addresses=127.0.0.1 -p 55432 -k /tmp" start >&2 || true
url="postgresql://postgres@127.0.0.1:55432/postgres"
for _ in $(seq 1 30); do probe "$url" && { echo "$url"; exit 0; }; sleep 1; done
echo "could not start PostgreSQL (see $data/server.log)" >&2
exit 1
