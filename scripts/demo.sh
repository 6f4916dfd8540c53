#!/bin/sh
# Sets up a fresh Debian 12 machine, builds Khabar and runs its main job on
# the bundled sample (2,000 SaudiNewsNet articles): ingest them into an
# index, then search it and show a story, related articles, the articles
# naming a person and his timeline; then the
# same for news as it is published: a web page extracted, and a crawl
# (WARC) of pages ingested.  Last, it starts the server on the index and
# prints the URL to open (PORT, default 8080; Ctrl-C stops it).
set -eu
cd "$(dirname "$0")/.."
sh scripts/deps.sh
make -j"$(nproc 2>/dev/null || echo 2)" all >/dev/null
INDEX=${KHABAR_INDEX:-khabar-data}
echo "== khabar ingest: the bundled sample into $INDEX/"
./build/khabar ingest --index "$INDEX" data/sample/saudinewsnet-2000.jsonl.gz
./build/khabar stats --index "$INDEX"
for q in "الحكومة السعودية" "\"ولي العهد\" -اليمن" "title:داعش since:2015-08-01"; do
    echo
    echo "== khabar search '$q'"
    ./build/khabar search --index "$INDEX" -n 3 "$q"
done
echo
echo "== khabar story: the articles of one story, by time, with its sources"
./build/khabar story --index "$INDEX" snn-007320
echo
echo "== khabar related: other stories for the same article"
./build/khabar related --index "$INDEX" -n 3 snn-007320
echo
echo "== khabar search 'entity:Obama': articles naming him, the name in Latin letters"
./build/khabar search --index "$INDEX" -n 3 'entity:Obama'
echo
echo "== khabar timeline --entity Putin: articles per day, dated sentences naming him"
./build/khabar timeline --index "$INDEX" --entity Putin | head -n 14
echo
echo "== khabar analyze: one sentence of the seed article"
./build/khabar analyze "وقال توكاييف، إنه \"في الأيام الأخيرة، يأتي الكثير من الناس إلينا من روسيا\"، بحسب وكالة «فرانس برس»."
echo
echo "== khabar extract: a generated news page in windows-1256, furniture and all"
./build/khabar extract tests/data/pages/html/000.cp1256.html | head -n 12
echo
echo "== khabar ingest: a WARC crawl of such pages, and their RSS feed"
./build/khabar ingest --index "$INDEX" tests/data/pages/pages.warc.gz tests/data/pages/feed.xml
echo
echo "== khabar serve: the web UI and the JSON API (docs/api.md); Ctrl-C stops it"
echo "open http://127.0.0.1:${PORT:-8080}/ in a browser"
exec ./build/khabar serve --index "$INDEX" --listen "127.0.0.1:${PORT:-8080}"
