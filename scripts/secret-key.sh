#!/usr/bin/env bash
# Prints the local SECRET_KEY for `make serve` / `make worker` when none is set: made once,
# kept in instance/secret_key (mode 600). Several instances must share one key: set
# SECRET_KEY in their environment instead (docs/deployment.md).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
file="${INSTANCE_PATH:-$here/instance}/secret_key"
if [ ! -s "$file" ]; then
  mkdir -p "$(dirname "$file")"
  (umask 077; python3 -c 'import secrets; print(secrets.token_hex(32))' > "$file")
  echo "made a new SECRET_KEY in $file" >&2
fi
cat "$file"
