#!/bin/sh
# Sets up a fresh Debian 12 machine and runs every check Khabar has:
# dependencies, the style check, a warnings-as-errors build, the test suite
# under AddressSanitizer + UndefinedBehaviorSanitizer, the test suite on the
# optimized build, the web UI in headless Chromium, and a short fuzzing pass
# over the saved corpora.
#
#   scripts/test.sh            (FUZZ_SECONDS=N to fuzz longer; 0 to skip)
#
# The last line is "N passed, N failed" over all of it.
set -eu
cd "$(dirname "$0")/.."
sh scripts/deps.sh --browser
JOBS=$(nproc 2>/dev/null || echo 2)
FUZZ_SECONDS=${FUZZ_SECONDS:-20}

make format-check
make -j"$JOBS" WERROR=-Werror all
make -j"$JOBS" WERROR=-Werror SAN=1 all
make -j"$JOBS" WERROR=-Werror SAN=1 $(ls tests/unit/test_*.c |
    sed 's|tests/unit/\(.*\)\.c|build-san/tests/\1|')
make -j"$JOBS" WERROR=-Werror $(ls tests/unit/test_*.c |
    sed 's|tests/unit/\(.*\)\.c|build/tests/\1|')

# playwright-core, before the suites: the newsletter test renders a digest
# in Chromium too.
[ -d tests/web/node_modules/playwright-core ] ||
    npm ci --prefix tests/web --no-audit --no-fund >/dev/null

log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
echo "== tests under ASan + UBSan"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    BUILD=build-san sh tests/run.sh | tee -a "$log" || status=1
echo "== tests on the optimized build"
BUILD=build sh tests/run.sh | tee -a "$log" || status=1

echo "== the web UI in Chromium (Playwright), screenshots in tests/web/artifacts"
KHABAR=build/khabar sh tests/web/run.sh | tee -a "$log" || status=1

if [ "$FUZZ_SECONDS" -gt 0 ]; then
    echo "== fuzzing, $FUZZ_SECONDS s per target over the saved corpus"
    make -j"$JOBS" fuzz
    for f in build-fuzz/fuzz_*; do
        name=${f#build-fuzz/fuzz_}
        work=$(mktemp -d)
        cp fuzz/corpus/"$name"/* "$work"/
        if "$f" -max_total_time="$FUZZ_SECONDS" -max_len=4096 \
            "$work" >"$work.log" 2>&1; then
            echo "ok - fuzz $name: $(grep -o 'stat::number_of_executed_units: [0-9]*' "$work.log" || tail -1 "$work.log")" | tee -a "$log"
        else
            tail -30 "$work.log"
            echo "not ok - fuzz $name found a crash (see above)" | tee -a "$log"
            status=1
        fi
        rm -rf "$work" "$work.log"
    done
fi

passed=$(grep -c '^ok ' "$log" || true)
skip_ok=$(grep -c '^ok .*# *SKIP' "$log" || true)
skip_notok=$(grep -c '^not ok .*# *SKIP' "$log" || true)
failed=$(grep '^not ok' "$log" | grep -vc '# *SKIP' || true)
echo
echo "$((passed - skip_ok)) passed, $failed failed, $((skip_ok + skip_notok)) skipped"
[ "$failed" -eq 0 ] && [ "$status" -eq 0 ]
