#!/bin/sh
# Load on `khabar serve` with wrk, against 127.0.0.1 only, beside the
# in-process search rate on the same cores (bench_qps): the two figures of
# docs/api.md's load section.
#
#   bench/load.sh [INDEXDIR] [SECONDS]
#
# INDEXDIR (default bench/out/load-ix) is built from bench/out/news.jsonl
# (SaudiNewsNet, 31k articles; bench/make_queries.py writes it) when
# missing.  The request mix is the 1,500 news queries of
# bench/out/news-queries.tsv as GET /api/search?q=..., random order.
# Runs: a 5 s warm-up, then wrk with 64 and with 256 connections for
# SECONDS (default 30) each, the server's RSS read before and after; then
# bench_qps with 2 threads for SECONDS.  Needs wrk (apt-get install wrk).
set -eu
cd "$(dirname "$0")/.."
IX=${1:-bench/out/load-ix}
SECS=${2:-30}
command -v wrk >/dev/null || { echo "load.sh: needs wrk (apt-get install wrk)" >&2; exit 1; }
make -s all build/bench/bench_qps
[ -f bench/out/news-queries.tsv ] || python3 bench/make_queries.py ../shared/data bench/out
if [ ! -f "$IX/docs.db" ]; then
    ./build/khabar ingest --index "$IX" bench/out/news.jsonl
    ./build/khabar stats --index "$IX"
fi
python3 - bench/out/news-queries.tsv bench/out/load-paths.txt bench/out/load-queries.tsv <<'EOF'
import sys, urllib.parse
# A query whose quotes do not pair is a 400 by design (one of the 1,500
# has an unclosed “): left out, so that any non-2xx is a server failure.
pairs = [('"', '"'), ('«', '»'), ('“', '”')]
kept = dropped = 0
with open(sys.argv[1], encoding='utf-8') as f, open(sys.argv[2], 'w') as out, \
        open(sys.argv[3], 'w', encoding='utf-8') as tsv:
    for line in f:
        q = line.rstrip('\n').split('\t', 1)[1]
        if any((q.count(a) + q.count(b) if a != b else q.count(a)) % 2
               for a, b in pairs):
            dropped += 1
            continue
        kept += 1
        tsv.write(line)
        out.write('/api/search?q=' + urllib.parse.quote(q) + '\n')
print(f"request mix: {kept} queries ({dropped} with unpaired quotes left out)")
EOF
log=bench/out/load-serve.log
./build/khabar serve --index "$IX" --listen 127.0.0.1:0 --threads 2 >"$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null' EXIT
url=
for _ in $(seq 1 100); do
    url=$(sed -n 's/^khabar: serving \(http:[^ ]*\).*/\1/p' "$log")
    [ -n "$url" ] && break
    sleep 0.1
done
[ -n "$url" ] || { cat "$log"; exit 1; }
# VmRSS counts the mapped index files (segments, docs.db) as well as the
# heap: RssAnon, the heap alone, is printed beside it.
rss() { awk '/^VmRSS/ {print $2}' /proc/$pid/status; }
anon() { awk '/^RssAnon/ {print $2}' /proc/$pid/status; }
echo "server $url pid $pid; RSS at start: $(rss) kB"
export PATHS=bench/out/load-paths.txt
wrk -t2 -c16 -d5s -s bench/wrk_paths.lua "$url" >/dev/null
before=$(rss)
anon_before=$(anon)
echo "RSS after a 5 s warm-up (before): $before kB (anonymous $anon_before kB)"
for c in 64 256; do
    echo "== wrk -t2 -c$c -d${SECS}s --latency"
    wrk -t2 -c$c -d${SECS}s --timeout 10s --latency -s bench/wrk_paths.lua "$url"
    echo "RSS now: $(rss) kB (anonymous $(anon) kB)"
done
after=$(rss)
anon_after=$(anon)
pct() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%+.1f%%", (a - b) * 100 / b}'; }
echo "RSS before $before kB, after $after kB: $(pct "$after" "$before");" \
    "anonymous $anon_before -> $anon_after kB: $(pct "$anon_after" "$anon_before")"
curl -s "${url}metrics" | grep -E '^khabar_http_requests_total\{route="search"' || true
kill $pid
st=0
wait $pid || st=$?
trap - EXIT
echo "server exit status after SIGTERM: $st"
echo "== in-process, the same queries, 2 threads"
./build/bench/bench_qps "$IX" bench/out/load-queries.tsv 2 "$SECS"
