#!/bin/sh
# Bad input against `khabar serve`: malformed requests, huge headers and
# bodies, invalid UTF-8, path traversal, tokens, slow clients, 1,500 random
# requests and concurrent ingest (tests/integration/server_abuse.py does the
# talking).  Then the server must stop cleanly on SIGTERM, and, under the
# sanitizer build, have reported nothing on stderr.  Speaks TAP.
# KH_ABUSE_SEED replays the random requests; KH_ABUSE_ONLY=NAME runs one
# group of checks (a part of its function's name, e.g. "random").
set -u
K=${KHABAR:-build/khabar}
SRC=${KH_SRCDIR:-.}
if ! command -v python3 >/dev/null 2>&1; then
    echo "ok 1 - # SKIP python3 missing"
    exit 0
fi
tmp=$(mktemp -d)
pid=
cleanup() {
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill -KILL "$pid" 2>/dev/null
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

"$K" ingest --index "$tmp/ix" "$SRC/data/sample/saudinewsnet-2000.jsonl.gz" \
    >"$tmp/ingest.out" 2>&1
if ! grep -q '^ingested 2000 articles' "$tmp/ingest.out"; then
    echo "not ok 1 - ingest the sample"
    sed 's/^/# /' "$tmp/ingest.out"
    exit 1
fi

# Under the sanitizer build: a stack with every UBSan report.
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
export UBSAN_OPTIONS
TOKEN=abuse-token-$$
TIMEOUT=3
: >"$tmp/serve.out"
"$K" serve --index "$tmp/ix" --listen 127.0.0.1:0 --token "$TOKEN" \
    --timeout $TIMEOUT >"$tmp/serve.out" 2>"$tmp/serve.err" &
pid=$!
url=
i=0
while [ $i -lt 100 ]; do
    url=$(sed -n 's|^khabar: serving \(http://[^ ]*/\) .*|\1|p' "$tmp/serve.out")
    [ -n "$url" ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
    i=$((i + 1))
done
if [ -z "$url" ]; then
    echo "not ok 1 - khabar serve starts and prints its URL"
    sed 's/^/# /' "$tmp/serve.out" "$tmp/serve.err"
    exit 1
fi

# The checks stream out as they run; the script's own count follows.
{
    python3 "$SRC/tests/integration/server_abuse.py" "$url" "$pid" \
        "$TOKEN" $TIMEOUT 2>&1
    echo "# python exit $?"
} | tee "$tmp/py.out"
n=$(grep -c '^\(not \)\{0,1\}ok [0-9]' "$tmp/py.out")
check() {
    name=$1
    shift
    n=$((n + 1))
    if "$@"; then echo "ok $n - $name"; else echo "not ok $n - $name"; fi
}
check "the checks ran to their end" grep -q '^# done ' "$tmp/py.out"

# A clean stop: SIGTERM, then exit status 0 within 10 s.
stopped() {
    if ! kill -TERM "$pid" 2>/dev/null; then
        wait "$pid"
        echo "# the server had already exited, with status $?"
        pid=
        return 1
    fi
    i=0
    state=
    while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do
        # a zombie still answers kill -0: wait reaps it below
        state=$(sed 's/.*) \(.\).*/\1/' "/proc/$pid/stat" 2>/dev/null)
        [ "$state" = Z ] && break
        sleep 0.1
        i=$((i + 1))
    done
    if kill -0 "$pid" 2>/dev/null && [ "$state" != Z ]; then
        echo "# the server did not stop within 10 s of SIGTERM"
        return 1
    fi
    wait "$pid"
    rc=$?
    pid=
    [ $rc -eq 0 ] || echo "# the server exited with status $rc"
    [ $rc -eq 0 ]
}
check "SIGTERM: the server exits 0" stopped

clean_stderr() {
    if grep -q 'ERROR: AddressSanitizer\|ERROR: LeakSanitizer\|runtime error:' \
        "$tmp/serve.err"; then
        grep -v '^Error processing request\|^Not enough memory in pool\|^Failed to parse' \
            "$tmp/serve.err" | sed 's/^/# /' | head -100
        return 1
    fi
    return 0
}
check "no sanitizer report on the server's stderr" clean_stderr
