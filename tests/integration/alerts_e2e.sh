#!/bin/sh
# The newsletters end to end against a real SMTP server (aiosmtpd, Debian's
# python3-aiosmtpd): the form, the confirmation mail and its link, the
# immediate digest (headers, parts, wire copies once), its HTML in
# Chromium, the subscription's Atom feed, one-click unsubscribe (RFC
# 8058), bad input at the form, and `khabar digest --print/--send`.
# Speaks TAP (the checks are in alerts_e2e.py).
set -u
export KHABAR="${KHABAR:-build/khabar}"
export KH_SRCDIR="${KH_SRCDIR:-.}"
# The interpreter that sees Debian's aiosmtpd: python3 may be another
# Python (pyenv, a virtualenv) that does not.
py=
for c in python3 /usr/bin/python3; do
    if command -v "$c" >/dev/null 2>&1 &&
        "$c" -c 'import aiosmtpd' >/dev/null 2>&1; then
        py=$c
        break
    fi
done
if [ -z "$py" ]; then
    echo "ok 1 - # SKIP aiosmtpd missing (apt-get install python3-aiosmtpd)"
    exit 0
fi
exec "$py" "$KH_SRCDIR/tests/integration/alerts_e2e.py"
