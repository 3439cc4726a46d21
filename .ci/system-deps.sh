#!/bin/sh
# Installs what the tests need from Debian's packages: chromium and CJK fonts for the browser
# tests, Pango (with HarfBuzz's subsetter) for WeasyPrint, which lays out the A4 sheets, and
# PostgreSQL's server programs (initdb, pg_ctl) for the suite's PostgreSQL run (tests/pg.py
# starts a throwaway cluster; no service is used).
# `--run` (make run): only what the kiosk itself needs (fonts, Pango), not the browser.
set -e
missing=""
[ "$1" = "--run" ] || [ -x /usr/bin/chromium ] || missing="$missing chromium"
[ -e /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] || missing="$missing fonts-noto-cjk"
has_postgres() { command -v pg_ctl >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; }
[ "$1" = "--run" ] || has_postgres || missing="$missing postgresql"
has_lib() { { ldconfig -p 2>/dev/null || /sbin/ldconfig -p 2>/dev/null; } | grep -q "$1"; }
has_lib libpango-1.0.so.0 || missing="$missing libpango-1.0-0"
has_lib libpangoft2-1.0.so.0 || missing="$missing libpangoft2-1.0-0"
has_lib libharfbuzz-subset.so.0 || missing="$missing libharfbuzz-subset0"
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing Debian packages:$missing"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
else
    echo "The tests need Debian packages:$missing" >&2
    echo "Install them with: sudo apt-get install$missing" >&2
    exit 1
fi
