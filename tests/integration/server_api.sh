#!/bin/sh
# khabar serve, its API as docs/api.md promises it: search (shape, paging,
# filters, errors with offsets), articles, related, stories, the Atom feed,
# subscriptions, metrics, and an ingest by `khabar ingest` in another
# process seen by the running server.  Speaks TAP (the checks are in
# server_api.py).
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
    [ -n "$pid" ] && kill "$pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
IX=$tmp/ix
if ! "$K" ingest --index "$IX" "$SRC/data/sample/saudinewsnet-2000.jsonl.gz" \
    >"$tmp/ingest.out" 2>&1; then
    cat "$tmp/ingest.out"
    echo "not ok 1 - ingest the sample"
    exit 1
fi
"$K" serve --index "$IX" --listen 127.0.0.1:0 --token s3cret \
    >"$tmp/serve.out" 2>"$tmp/serve.err" &
pid=$!
url=
for _ in $(seq 1 100); do
    url=$(sed -n 's/^khabar: serving \(http:[^ ]*\).*/\1/p' "$tmp/serve.out")
    [ -n "$url" ] && break
    sleep 0.1
done
if [ -z "$url" ]; then
    cat "$tmp/serve.err"
    echo "not ok 1 - the server starts and prints its URL"
    exit 1
fi
# a second server on the same port: one clear message, exit 1 (the HTTP
# library's own said "Failed to bind to port 0")
port=${url%/}
port=${port##*:}
"$K" serve --index "$IX" --listen "127.0.0.1:$port" >/dev/null 2>"$tmp/busy.err"
busy=$?
if [ $busy -eq 1 ] && [ "$(wc -l <"$tmp/busy.err")" -eq 1 ] &&
    grep -q "cannot listen on 127.0.0.1:$port" "$tmp/busy.err"; then
    echo "ok - a port in use: one message naming it, exit 1"
else
    cat "$tmp/busy.err"
    echo "not ok - a port in use: one message naming it, exit 1 (exit $busy)"
fi
python3 "$SRC/tests/integration/server_api.py" "$url" "$K" "$IX" "$SRC"
st=$?
kill -TERM "$pid"
wait "$pid"
rc=$?
pid=
if [ $rc -eq 0 ] && ! grep -q "ERROR: [A-Za-z]*Sanitizer\|runtime error:" \
    "$tmp/serve.err"; then
    echo "ok - the server stops cleanly on SIGTERM, sanitizers silent"
else
    cat "$tmp/serve.err"
    echo "not ok - the server stops cleanly on SIGTERM (exit $rc)"
fi
exit $st
