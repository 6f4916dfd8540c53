#!/bin/sh
# Browser tests of the web UI against a real `khabar serve`.
#   sh tests/web/run.sh            (from the repository root)
#   KHABAR=build-web/khabar sh tests/web/run.sh
# Needs node and npm; installs Chromium (apt-get) and playwright-core
# (npm ci) when they are missing.  Screenshots: tests/web/artifacts/.
set -eu

KHABAR=${KHABAR:-build/khabar}
HERE=tests/web
SAMPLE=data/sample/saudinewsnet-2000.jsonl.gz

if [ ! -f "$HERE/browser.mjs" ]; then
    echo "run.sh: run me from the repository root" >&2
    exit 2
fi
if [ ! -x "$KHABAR" ]; then
    echo "run.sh: no khabar binary at $KHABAR (set KHABAR=...)" >&2
    exit 2
fi

if [ ! -x /usr/bin/chromium ]; then
    echo "# installing chromium" >&2
    apt-get install -y --no-install-recommends chromium >&2 ||
        { apt-get update >&2 && apt-get install -y --no-install-recommends chromium >&2; }
fi
if [ ! -d "$HERE/node_modules/playwright-core" ]; then
    echo "# npm ci" >&2
    npm ci --prefix "$HERE" --no-audit --no-fund >&2
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/khabar-web.XXXXXX")
PID=
cleanup() {
    if [ -n "$PID" ]; then
        kill "$PID" 2>/dev/null || true
        wait "$PID" 2>/dev/null || true
    fi
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$KHABAR" ingest --index "$TMP/index" "$SAMPLE" >"$TMP/ingest.log" 2>&1 ||
    { cat "$TMP/ingest.log" >&2; echo "run.sh: ingest failed" >&2; exit 1; }

"$KHABAR" serve --index "$TMP/index" --listen 127.0.0.1:0 >"$TMP/serve.out" 2>"$TMP/serve.err" &
PID=$!

URL=
i=0
while [ $i -lt 100 ]; do
    URL=$(sed -n 's/^khabar: serving \(http:[^ ]*\).*/\1/p' "$TMP/serve.out" | head -n 1)
    [ -n "$URL" ] && break
    if ! kill -0 "$PID" 2>/dev/null; then
        cat "$TMP/serve.err" >&2
        echo "run.sh: khabar serve exited before serving" >&2
        exit 1
    fi
    sleep 0.1
    i=$((i + 1))
done
if [ -z "$URL" ]; then
    cat "$TMP/serve.out" "$TMP/serve.err" >&2
    echo "run.sh: khabar serve printed no 'khabar: serving URL' line within 10 s" >&2
    exit 1
fi
echo "# server: $URL"

status=0
node "$HERE/browser.mjs" "$URL" || status=$?

if ! kill -0 "$PID" 2>/dev/null; then
    echo "not ok - the server is still running at the end" >&2
    cat "$TMP/serve.err" >&2
    status=1
fi
if [ $status -ne 0 ] && [ -s "$TMP/serve.err" ]; then
    echo "# server stderr (last lines):" >&2
    tail -n 20 "$TMP/serve.err" | sed 's/^/# /' >&2
fi
exit $status
