#!/bin/sh
# Indexing speed against SQLite FTS5, alternating: each round builds the
# same prepared corpus with the peers harness's FTS5 build and with Khabar's
# adapter (bench/khabar_adapter), one after the other, so that both see
# the machine in the same state; prints each round's times and ratio, then
# the median ratio.  A single run of bench/run_peers.sh gives one pair, and
# on a shared machine one pair moves by a third from run to run.
#
#   bench/build_ratio.sh [SET] [ROUNDS]
#
# SET: news (default) or news8, prepared by bench/run_peers.sh SET (its
# bench/out/SET/_work/docs.tsv).  ROUNDS defaults to 5.
set -eu
cd "$(dirname "$0")/.."
SET=${1:-news}
ROUNDS=${2:-5}
WORK=bench/out/$SET/_work
PEERS=../shared/bench/peers
[ -f "$WORK/docs.tsv" ] || { echo "run bench/run_peers.sh $SET first" >&2; exit 2; }
make -s bench
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
wall() { /usr/bin/time -f %e -o "$tmp/t" "$@" >/dev/null 2>&1; cat "$tmp/t"; }
echo "round fts5_s khabar_s ratio"
i=1
while [ "$i" -le "$ROUNDS" ]; do
    rm -rf "$tmp/fts" "$tmp/kh" && mkdir "$tmp/fts"
    f=$(wall /usr/bin/python3 "$PEERS/peers/sqlite_fts5.py" build "$WORK" "$tmp/fts")
    k=$(wall build/bench/khabar_adapter build "$WORK/docs.tsv" "$tmp/kh")
    echo "$i $f $k $(echo "$f $k" | awk '{printf "%.2f", $1 / $2}')" | tee -a "$tmp/all"
    i=$((i + 1))
done
sort -n -k4 "$tmp/all" | awk '{r[NR] = $4} END {
    printf "median ratio %.2f (min %.2f, max %.2f, %d rounds)\n",
        (NR % 2 ? r[(NR + 1) / 2] : (r[NR / 2] + r[NR / 2 + 1]) / 2), r[1], r[NR], NR }'
