#!/bin/sh
# What tagging entities at ingest costs: `khabar ingest` of the same
# corpus into a fresh index with entities (the default) and with
# --no-entities, alternating, RUNS times each; wall seconds, CPU seconds
# and peak RSS of each run, then the medians and their ratio.  (Dates are
# found when a timeline asks, not at ingest: build/bench/eval_dates_expr
# measures the date finder's speed.)
#
#   bench/ingest_entities.sh [CORPUS.jsonl(.gz)] [RUNS]
#
# CORPUS defaults to ../shared/data/saudinewsnet/articles.jsonl.gz (31,030
# articles); RUNS to 3.  Indexes go to a temporary directory.
set -eu
cd "$(dirname "$0")/.."
CORPUS=${1:-../shared/data/saudinewsnet/articles.jsonl.gz}
RUNS=${2:-3}
make -s all
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
one() { # label, extra options
    rm -rf "$tmp/ix"
    /usr/bin/time -f "%e %U %S %M" -o "$tmp/time" \
        ./build/khabar ingest --index "$tmp/ix" $2 "$CORPUS" >/dev/null 2>&1
    read -r wall user sys rss <"$tmp/time"
    echo "$1 $wall $user $sys $rss" | tee -a "$tmp/all"
}
echo "run wall_s user_s sys_s peak_rss_kb"
i=0
while [ "$i" -lt "$RUNS" ]; do
    one entities ""
    one none --no-entities
    i=$((i + 1))
done
awk '
    { wall[$1] = wall[$1] " " $2; cpu[$1] = cpu[$1] " " ($3 + $4) }
    # each run with entities against the run without that follows it
    $1 == "entities" { last = $2 }
    $1 == "none" && last != "" { pairs = pairs " " (last / $2); last = "" }
    function median(s,   a, n, i, j, t) {
        n = split(s, a, " ")
        for (i = 2; i <= n; i++)
            for (j = i; j > 1 && a[j] < a[j - 1]; j--) {
                t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
            }
        return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    END {
        we = median(wall["entities"]); wn = median(wall["none"])
        ce = median(cpu["entities"]); cn = median(cpu["none"])
        printf "median wall: entities %.2f s, none %.2f s: +%.1f%%\n", we, wn, 100 * (we / wn - 1)
        printf "median CPU:  entities %.2f s, none %.2f s: +%.1f%%\n", ce, cn, 100 * (ce / cn - 1)
        n = split(pairs, pr, " ")
        lo = hi = pr[1]
        for (i = 2; i <= n; i++) { if (pr[i] < lo) lo = pr[i]; if (pr[i] > hi) hi = pr[i] }
        printf "pairs (each run with entities / the run without after it): median +%.1f%%, +%.1f%% to +%.1f%%\n", 100 * (median(pairs) - 1), 100 * (lo - 1), 100 * (hi - 1)
    }' "$tmp/all"
