#!/bin/sh
# Runs every unit test binary ($BUILD/tests/test_*) and every integration
# script (tests/integration/*.sh) and ends with "N passed, N failed".
# Each speaks TAP ("ok N - name" / "not ok N - name"); cmocka does so with
# CMOCKA_MESSAGE_OUTPUT=TAP.  Exit status: 0 only if nothing failed and
# every program exited cleanly.
set -u
BUILD=${BUILD:-build}
export KH_SRCDIR=${KH_SRCDIR:-$(pwd)}
export KHABAR=${KHABAR:-$BUILD/khabar}
export CMOCKA_MESSAGE_OUTPUT=TAP
out=$(mktemp)
trap 'rm -f "$out"' EXIT
crashed=0
for t in "$BUILD"/tests/test_* tests/integration/*.sh; do
    [ -f "$t" ] || continue
    echo "# $t"
    case $t in
    *.sh) sh "$t" >"$out" 2>&1 ;;
    *) "$t" >"$out" 2>&1 ;;
    esac
    rc=$?
    cat "$out"
    cat "$out" >>"$out.all"
    if [ $rc -ne 0 ] && ! grep -q '^not ok' "$out"; then
        echo "not ok - $t exited with status $rc"
        echo "not ok - $t exited with status $rc" >>"$out.all"
        crashed=1
    fi
done
passed=$(grep -c '^ok ' "$out.all" 2>/dev/null || true)
skipped=$(grep -c '^ok .*# *SKIP' "$out.all" 2>/dev/null || true)
failed=$(grep -c '^not ok' "$out.all" 2>/dev/null || true)
rm -f "$out.all"
passed=$((passed - skipped))
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ "$crashed" -eq 0 ] && [ "$passed" -gt 0 ]
