#!/bin/sh
# Crash test of the newsletter sender (the durable outbox, docs/alerts.md):
# `khabar digest --send` is killed with SIGKILL mid-batch, then run again
# until it has nothing left to send.  Every digest queued before the kill
# must reach the SMTP server, none may be made again under a new
# Message-ID, and raw duplicates (the same Message-ID received twice) may
# come only from a kill landing after the server accepted a message and
# before the sender committed it as sent: at most one per kill.
#
# Each trial: a fresh index of 50 articles, KH_CRASH_SUBSCRIBERS addresses
# (default 40) subscribed, confirmed and daily, to queries that match the
# next 300 articles, which are then ingested; `khabar digest` queues the
# digests; `khabar digest --send` is killed after a random delay within
# the expected batch time (KH_CRASH_KILLS times, default 1), then run
# again until it exits 0 with an empty outbox.  The SMTP server is a sink
# (alerts_crash.py, aiosmtpd) that logs what it accepts and answers each
# DATA 20-80 ms late (KH_CRASH_ACCEPT below).  KH_CRASH_TRIALS trials
# (default 5).  KH_CRASH_KEEP=1 keeps the work directory.  Speaks TAP.
set -u
K=${KHABAR:-build/khabar}
SRC=${KH_SRCDIR:-.}
TRIALS=${KH_CRASH_TRIALS:-5}
SUBS=${KH_CRASH_SUBSCRIBERS:-40}
KILLS=${KH_CRASH_KILLS:-1}
# Seconds per message of an uninterrupted send, to spread the kills over
# the batch (the sink's 50 ms mean pause plus a connection and two commits).
PER_MSG=${KH_CRASH_PER_MSG:-0.06}
# When the sink accepts a message: "early" (default), as soon as the whole
# DATA is in, answering 20-80 ms later (a kill in that gap makes a raw
# duplicate); "late", after the pause, just before answering.
ACCEPT=${KH_CRASH_ACCEPT:-early}
HELPER=$SRC/tests/integration/alerts_crash.py
SAMPLE=$SRC/data/sample/saudinewsnet-2000.jsonl.gz

# An interpreter that has aiosmtpd: a pyenv python3 may not see Debian's.
PY=
for p in python3 /usr/bin/python3 python3.11 python3.12 python3.13; do
    if command -v "$p" >/dev/null 2>&1 &&
        "$p" -c 'import aiosmtpd, sqlite3' >/dev/null 2>&1; then
        PY=$p
        break
    fi
done
if [ -z "$PY" ]; then
    echo "ok 1 - # SKIP aiosmtpd missing"
    echo "1..1"
    exit 0
fi

tmp=$(mktemp -d)
srv=
cleanup() {
    [ -n "$srv" ] && kill "$srv" 2>/dev/null && wait "$srv" 2>/dev/null
    [ -n "${KH_CRASH_KEEP:-}" ] || rm -rf "$tmp"
}
trap cleanup EXIT
[ -n "${KH_CRASH_KEEP:-}" ] && echo "# work directory kept: $tmp"
trap 'exit 1' INT TERM

log=$tmp/smtp.log
"$PY" "$HELPER" serve "$tmp/port" "$log" "$ACCEPT" 2>"$tmp/smtp.err" &
srv=$!
i=0
while [ ! -s "$tmp/port" ] && [ $i -lt 100 ]; do
    sleep 0.1
    i=$((i + 1))
done
if [ ! -s "$tmp/port" ]; then
    echo "not ok 1 - the SMTP sink did not start: $(tail -n 3 "$tmp/smtp.err")"
    echo "1..1"
    exit 1
fi
SMTP=smtp://127.0.0.1:$(cat "$tmp/port")

zcat "$SAMPLE" | sed -n '1,50p' >"$tmp/old.jsonl"
zcat "$SAMPLE" | sed -n '51,350p' >"$tmp/new.jsonl"
# Words of the sample's news, each matching a few to a few dozen articles.
WORDS="السعودية الرياض النفط الملك اليمن إيران الحوثي مصر الهلال داعش سوريا الأمير"
nq=$(echo "$WORDS" | wc -w)
word() { echo "$WORDS" | cut -d' ' -f"$1"; }

rnd() { # rnd MAX: a number uniform in [0, MAX), three decimals
    r=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
    awk -v r="$r" -v m="$1" 'BEGIN { printf "%.3f", r / 4294967296 * m }'
}

n=0
tot_q=0 tot_kills=0 tot_raw=0 tot_dedup=0 tot_failed=0 dup_trials=0
for t in $(seq 1 "$TRIALS"); do
    dir=$tmp/ix$t
    dom=t$t.example.org
    why=""
    "$K" ingest --index "$dir" "$tmp/old.jsonl" >/dev/null 2>"$tmp/err" ||
        why="ingest failed: $(tail -n 1 "$tmp/err")"
    # Subscribed before the matching articles come: a new subscriptions
    # database starts matching after the articles already there.
    s=1
    while [ -z "$why" ] && [ "$s" -le "$SUBS" ]; do
        a=$(((s + t) % nq + 1))
        b=$(((s * 7 + t) % nq + 1))
        # Two saved queries for every third address.
        if [ $((s % 3)) -eq 0 ] && [ "$a" != "$b" ]; then
            "$K" subscribe --index "$dir" --confirmed --frequency daily \
                "reader$s@$dom" "$(word $a)" "$(word $b)" >/dev/null 2>"$tmp/err"
        else
            "$K" subscribe --index "$dir" --confirmed --frequency daily \
                "reader$s@$dom" "$(word $a)" >/dev/null 2>"$tmp/err"
        fi || why="subscribe failed: $(tail -n 1 "$tmp/err")"
        s=$((s + 1))
    done
    [ -z "$why" ] && { "$K" ingest --index "$dir" "$tmp/new.jsonl" \
        >/dev/null 2>"$tmp/err" || why="ingest failed: $(tail -n 1 "$tmp/err")"; }
    [ -z "$why" ] && { "$K" digest --index "$dir" >/dev/null 2>"$tmp/qerr" ||
        why="digest (queueing) failed: $(tail -n 1 "$tmp/qerr")"; }
    db=$dir/subscriptions.db
    q=0
    if [ -z "$why" ]; then
        "$PY" "$HELPER" queued "$db" >"$tmp/queued$t" 2>"$tmp/err" ||
            why="cannot read the outbox: $(tail -n 1 "$tmp/err")"
        q=$(wc -l <"$tmp/queued$t")
        said=$(sed -n 's/.*, \([0-9]*\) digests queued.*/\1/p' "$tmp/qerr")
        [ "${said:-x}" = "$q" ] ||
            why="khabar digest says ${said:-?} digests queued, the outbox has $q"
    fi
    # The kills: each one after a random delay within what is left of the
    # expected batch time.
    kills=0 delays="" before=""
    k=1
    while [ -z "$why" ] && [ "$k" -le "$KILLS" ]; do
        got=$(grep -c "@$dom	" "$log" 2>/dev/null || true)
        left=$((q - got))
        [ "$left" -le 0 ] && break
        span=$(awk -v l="$left" -v p="$PER_MSG" 'BEGIN { printf "%.3f", 0.05 + l * p }')
        delay=$(rnd "$span")
        "$K" digest --index "$dir" --send --smtp "$SMTP" >/dev/null 2>&1 &
        pid=$!
        sleep "$delay"
        kill -9 "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
        rc=$?
        if [ "$rc" -eq 137 ]; then
            kills=$((kills + 1))
            delays="$delays${delays:+,}${delay}s"
            got=$(grep -c "@$dom	" "$log" 2>/dev/null || true)
            before="$before${before:+,}$got"
        fi
        k=$((k + 1))
    done
    # Restarts, without kills, until the outbox is empty.
    runs=0
    while [ -z "$why" ]; do
        runs=$((runs + 1))
        timeout 120 "$K" digest --index "$dir" --send --smtp "$SMTP" \
            >/dev/null 2>"$tmp/serr"
        rc=$?
        left=$("$PY" "$HELPER" pending "$db" 2>&1)
        if [ "$rc" -eq 0 ] && [ "$left" = 0 ]; then
            break
        elif [ "$rc" -eq 124 ]; then
            why="the restarted sender hung (killed after 120 s): $(tail -n 1 "$tmp/serr")"
        elif [ "$rc" -gt 128 ]; then
            why="the restarted sender died of signal $((rc - 128)): $(tail -n 1 "$tmp/serr")"
        elif [ "$runs" -ge 3 ]; then
            why="$runs restarts and still not done (exit $rc, $left pending): $(tail -n 1 "$tmp/serr")"
        fi
    done
    raw=0 dedup=0
    if [ -z "$why" ]; then
        grep "@$dom	" "$log" >"$tmp/got$t"
        verdict=$("$PY" "$HELPER" check "$db" "$tmp/queued$t" "$tmp/got$t" \
            "$kills" 2>&1)
        raw=$(echo "$verdict" | cut -d' ' -f2)
        dedup=$(echo "$verdict" | cut -d' ' -f3)
        rest=$(echo "$verdict" | cut -d' ' -f4-)
        case $raw$dedup in
        *[!0-9]* | "") why="the check failed: $verdict" raw=0 dedup=0 ;;
        *) [ "$rest" = ok ] || why=$rest ;;
        esac
    fi
    n=$((n + 1))
    tot_q=$((tot_q + q))
    tot_kills=$((tot_kills + kills))
    tot_raw=$((tot_raw + raw))
    tot_dedup=$((tot_dedup + dedup))
    [ "$raw" -gt 0 ] && dup_trials=$((dup_trials + 1))
    how="killed ${kills}x${delays:+ after $delays} with ${before:-?} accepted, $runs restart(s)"
    if [ -z "$why" ]; then
        echo "ok $n - trial $t: $q digests queued, all delivered ($raw raw duplicates, $dedup after dedup by Message-ID; $how)"
    else
        tot_failed=$((tot_failed + 1))
        echo "not ok $n - trial $t: $q digests queued: $why ($how)"
    fi
done
echo "# summary ($ACCEPT acceptance): $n trials, $tot_kills kills landed before the batch ended, $tot_q digests queued;" \
    "$tot_failed trials failed; $tot_raw raw duplicates (in $dup_trials trials)," \
    "$tot_dedup after dedup by Message-ID"
echo "1..$n"
[ "$tot_failed" -eq 0 ]
