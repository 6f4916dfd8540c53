#!/bin/sh
# Crash test: `khabar ingest --ack` is killed with SIGKILL at a random
# moment, CRASH_TRIALS times (default 5; the closing notes quote longer
# runs).  After each kill: the index must open, every acknowledged article
# must be there (checked by id at several points of the input and by the
# count), nothing may be duplicated, searching must work, and the next
# writer must clean up the dead one's partial files.  Speaks TAP.
set -u
K=${KHABAR:-build/khabar}
SRC=${KH_SRCDIR:-.}
TRIALS=${CRASH_TRIALS:-5}
SAMPLE=$SRC/data/sample/saudinewsnet-2000.jsonl.gz
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ids=$tmp/ids
zcat "$SAMPLE" | sed -n 's/^{"id": "\([^"]*\)".*/\1/p' >"$ids"
total=$(wc -l <"$ids")
n=0
for t in $(seq 1 "$TRIALS"); do
    dir=$tmp/ix$t
    # Kill somewhere between start-up and the end of the run (the sample
    # takes about 0.9 s on the optimized build, longer under ASan).
    delay=$(awk -v s="$t$$" 'BEGIN { srand(s); printf "%.3f", rand() * 0.9 }')
    "$K" ingest --index "$dir" --ack --batch 37 "$SAMPLE" >"$tmp/ack" 2>"$tmp/err" &
    pid=$!
    sleep "$delay"
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    acked=$(tail -n 1 "$tmp/ack" | sed -n 's/^ack //p')
    acked=${acked:-0}
    why=""
    if [ "$acked" -gt 0 ]; then
        count=$("$K" stats --index "$dir" --json 2>"$tmp/serr" |
            sed -n 's/.*"articles":\([0-9]*\).*/\1/p')
        if [ -z "$count" ]; then
            why="index does not open: $(cat "$tmp/serr")"
        elif [ "$count" -lt "$acked" ] || [ "$count" -gt "$total" ]; then
            why="$count articles, $acked acknowledged"
        else
            for k in 1 $((acked / 2 + 1)) "$acked"; do
                id=$(sed -n "${k}p" "$ids")
                "$K" show --index "$dir" "$id" >/dev/null 2>&1 ||
                    why="acknowledged article $k ($id) missing"
            done
            "$K" search --index "$dir" -n 1 "السعودية" >/dev/null 2>&1 ||
                why="search fails after the crash"
        fi
    else
        # Nothing acknowledged: the index may not exist, but nothing crashes.
        "$K" stats --index "$dir" >/dev/null 2>&1
        [ $? -gt 1 ] && why="stats crashed on a half-created index"
    fi
    if [ -z "$why" ] && [ -d "$dir" ]; then
        # The next writer removes the dead writer's partial files and can
        # go on ingesting (re-ingesting updates, never duplicates).
        "$K" ingest --index "$dir" --batch 500 "$SAMPLE" >/dev/null 2>&1 ||
            why="re-ingest after the crash failed"
        c2=$("$K" stats --index "$dir" --json | sed -n 's/.*"articles":\([0-9]*\).*/\1/p')
        [ "$c2" = "$total" ] || why="after re-ingest: ${c2:-?} articles, want $total"
        ls "$dir" | grep -q '\.tmp$\|\.post$' && why="partial files left behind"
    fi
    n=$((n + 1))
    if [ -z "$why" ]; then
        echo "ok $n - crash trial $t: killed after ${delay}s, $acked acknowledged, all there"
    else
        echo "not ok $n - crash trial $t (killed after ${delay}s): $why"
    fi
done
echo "1..$n"
