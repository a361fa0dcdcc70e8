#!/usr/bin/env bash
# Installs the Debian packages the app and its tests need, when they are absent:
# CJK TrueType fonts for the PDF, poppler (pdftoppm/pdffonts) for report checks,
# Chromium for the browser tests and the PDF benchmark (--with-browser), wrk for the load
# benchmark (--with-bench). Idempotent.
set -euo pipefail
need=()
[ -f /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc ] || need+=(fonts-wqy-zenhei)
[ -f /usr/share/fonts/truetype/arphic/uming.ttc ] || need+=(fonts-arphic-uming)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
# pg_dump / pg_restore for `flask backup` on PostgreSQL.
command -v pg_dump >/dev/null 2>&1 || need+=(postgresql-client)
for flag in "$@"; do
  case "$flag" in
    --with-browser) command -v chromium >/dev/null 2>&1 || need+=(chromium) ;;
    # wrk drives the load benchmark (bench/load.py).
    --with-bench) command -v wrk >/dev/null 2>&1 || need+=(wrk) ;;
  esac
done
[ ${#need[@]} -eq 0 ] && exit 0
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "installing Debian packages: ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
