#!/bin/sh
# Runs Khabar (through bench/khabar_adapter) and the peer engines of
# ../shared/bench/peers side by side, on the question sets and on
# SaudiNewsNet, and scores them.  Results land in bench/out/<set>/.
#
#   bench/run_peers.sh [SETS]      SETS: any of xquad arcd news news8
#                                  (default: xquad arcd news)
# Environment: PEERS (default: all peers), KHABAR_STEMMER, WARMUP.
# Needs root once for ../shared/bench/peers/setup.sh (apt-get installs).
set -eu
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PEERDIR=$ROOT/../shared/bench/peers
SETS=${*:-xquad arcd news}
make -s bench
x8=""
case " $SETS " in *" news8 "*) x8=--x8 ;; esac
python3 bench/make_queries.py ../shared/data bench/out $x8
for set in $SETS; do
    corpus=bench/out/$set.jsonl
    queries=bench/out/$set-queries.tsv
    qrels=bench/out/$set-qrels.txt
    if [ "$set" = news8 ]; then
        queries=bench/out/news-queries.tsv
        qrels=bench/out/news-qrels.txt
    fi
    rm -rf "bench/out/$set"
    QRELS=$ROOT/$qrels EXTERNAL="khabar=$ROOT/build/bench/khabar_adapter" \
        "$PEERDIR/run.sh" "$ROOT/$corpus" "$ROOT/$queries" "$ROOT/bench/out/$set"
    if [ "$set" = news ] || [ "$set" = news8 ]; then
        # Known-item MRR on the plain (p-) and typed (t-) queries apart.
        for kind in p t; do
            grep "^$kind-" "$qrels" >"bench/out/$set/qrels-$kind.txt"
            mkdir -p "bench/out/$set/runs-$kind"
            for r in bench/out/"$set"/*.run; do
                grep "^$kind-" "$r" >"bench/out/$set/runs-$kind/$(basename "$r")" || true
            done
            python3 "$PEERDIR/tools/score.py" "bench/out/$set/qrels-$kind.txt" \
                bench/out/"$set"/runs-$kind/*.run >"bench/out/$set/scores-$kind.tsv"
        done
    fi
done
