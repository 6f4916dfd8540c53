#!/bin/sh
# Sets up a fresh Debian 12 machine, builds Khabar and runs its main job on
# the bundled sample (2,000 SaudiNewsNet articles): today, the analyzer.
set -eu
cd "$(dirname "$0")/.."
sh scripts/deps.sh
make -j"$(nproc 2>/dev/null || echo 2)" all >/dev/null
echo "== khabar analyze, one sentence of the seed article"
./build/khabar analyze "وقال توكاييف، إنه \"في الأيام الأخيرة، يأتي الكثير من الناس إلينا من روسيا\"، بحسب وكالة «فرانس برس»."
echo
echo "== khabar analyze --jsonl on the bundled sample"
./build/khabar analyze --jsonl data/sample/saudinewsnet-2000.jsonl.gz --top 15
