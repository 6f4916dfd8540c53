#!/bin/sh
# Relevance of Khabar alone under different settings, on the question sets
# and the news known-item queries: the stemmer (light, snowball, none) and
# the default operator (any word vs all words).  Uses the peers harness's
# prepared documents and its scorer, so the figures compare with its runs.
#
#   bench/eval_khabar.sh [SETS]    (default: xquad arcd news)
# Needs bench/run_peers.sh to have prepared bench/out/<set>/_work/docs.tsv.
set -eu
cd "$(dirname "$0")/.."
SCORE=../shared/bench/peers/tools/score.py
make -s bench
out=bench/out/eval
mkdir -p "$out"
printf 'set\tstemmer\toperator\tqueries\tMRR@10\tnDCG@10\tR@100\n'
for set in ${*:-xquad arcd news}; do
    docs=bench/out/$set/_work/docs.tsv
    [ -f "$docs" ] || { echo "no $docs: run bench/run_peers.sh $set" >&2; exit 1; }
    for stemmer in light snowball none; do
        ix=$out/$set-$stemmer
        rm -rf "$ix"
        KHABAR_STEMMER=$stemmer build/bench/khabar_adapter build "$docs" "$ix"
        for op in any all; do
            run=$out/$set-$stemmer-$op.run
            if [ $op = all ]; then
                KHABAR_ALL=1 build/bench/khabar_adapter query "$ix" \
                    bench/out/$set-queries.tsv "$run" "$run.lat" 0
            else
                build/bench/khabar_adapter query "$ix" \
                    bench/out/$set-queries.tsv "$run" "$run.lat" 0
            fi
            for kind in all p t; do
                qrels=bench/out/$set-qrels.txt
                [ "$set" != news ] && [ $kind != all ] && continue
                [ "$set" = news ] && [ $kind = all ] && continue
                if [ $kind != all ]; then
                    grep "^$kind-" bench/out/$set-qrels.txt >"$out/q-$kind.txt"
                    qrels=$out/q-$kind.txt
                fi
                python3 "$SCORE" "$qrels" "$run" | tail -n 1 |
                    awk -v s="$set${kind#all}" -v st=$stemmer -v op=$op \
                        -F'\t' '{ printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", s, st, op, $2, $3, $4, $5 }'
            done
        done
    done
done
