#!/bin/sh
# Rebuilds data/sample/saudinewsnet-2000.jsonl.gz: 2,000 articles taken
# reproducibly from SaudiNewsNet (every 15th line, from the first), byte for
# byte as in the source.  Usage: tools/make_sample.sh [../shared/data]
set -eu
data=${1:-../shared/data}
zcat "$data/saudinewsnet/articles.jsonl.gz" | awk 'NR % 15 == 1' | head -n 2000 |
    gzip -n -9 > data/sample/saudinewsnet-2000.jsonl.gz
