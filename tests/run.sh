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
    if [ $rc -ne 0 ] && ! grep -v '# *SKIP' "$out" | grep -q '^not ok'; then
        echo "not ok - $t exited with status $rc"
        echo "not ok - $t exited with status $rc" >>"$out.all"
        crashed=1
    fi
done
# cmocka reports a skipped test as "not ok N - name # SKIP": a skip, not a
# failure.
passed=$(grep -c '^ok ' "$out.all" 2>/dev/null || true)
skip_ok=$(grep -c '^ok .*# *SKIP' "$out.all" 2>/dev/null || true)
skip_notok=$(grep -c '^not ok .*# *SKIP' "$out.all" 2>/dev/null || true)
failed=$(grep '^not ok' "$out.all" 2>/dev/null | grep -vc '# *SKIP' || true)
rm -f "$out.all"
skipped=$((skip_ok + skip_notok))
passed=$((passed - skip_ok))
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ "$crashed" -eq 0 ] && [ "$passed" -gt 0 ]
