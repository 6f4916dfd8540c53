#!/bin/sh
# The saved searches from the command line: what `khabar subscribe` says it
# did is what it did (a mail queued or not), and `khabar subscriptions`
# only reads.  Speaks TAP.
set -u
K=${KHABAR:-build/khabar}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); echo "not ok $n - $1"; }
check() { # check NAME CONDITION...
    name=$1
    shift
    if "$@"; then ok "$name"; else nok "$name"; fi
}
# mails ADDRESS: the messages to ADDRESS waiting in the outbox
mails() {
    "$K" digest --index "$tmp/ix" --print 2>/dev/null | grep -c "^==== to $1 "
}

printf '%s\n' \
    '{"id":"y1","source":"spa","date":"2015-08-01","title":"اليمن اليوم","body":"أخبار من اليمن."}' \
    >"$tmp/a.jsonl"
"$K" ingest --index "$tmp/ix" "$tmp/a.jsonl" >/dev/null 2>&1
check "ingest a small index" test -f "$tmp/ix/docs.db"

# A listing only reads: no subscriptions.db made for an index without one.
"$K" subscriptions --index "$tmp/ix" >"$tmp/l0" 2>&1
rc=$?
check "subscriptions on an index without subscriptions: exit 0, nothing listed" \
    sh -c "test $rc -eq 0 && ! test -s '$tmp/l0'"
check "... and no subscriptions.db is made" \
    sh -c "! ls '$tmp/ix' | grep -q subscriptions"
"$K" subscriptions --index "$tmp/none" >"$tmp/l00" 2>&1
rc=$?
check "subscriptions where there is no index: an error" \
    sh -c "test $rc -ne 0 && test -s '$tmp/l00' && ! test -e '$tmp/none/subscriptions.db'"

# What subscribe says is what it did.
"$K" subscribe --index "$tmp/ix" a@example.com 'اليمن' >"$tmp/o1" 2>&1
check "subscribe: a new saved search queues a confirmation mail" \
    grep -q 'a confirmation mail is queued' "$tmp/o1"
"$K" subscribe --index "$tmp/ix" a@example.com 'اليمن' >"$tmp/o2" 2>&1
check "subscribe again within 10 minutes: it says no mail was queued" \
    grep -q 'none queued now' "$tmp/o2"
check "... and does not claim one was" \
    sh -c "! grep -q 'mail is queued' '$tmp/o2'"
check "... and indeed one confirmation mail waits, not two" \
    test "$(mails a@example.com)" -eq 1
"$K" subscribe --index "$tmp/ix" --confirmed b@example.com 'اليمن' >"$tmp/o3" 2>&1
check "subscribe --confirmed: confirmed, no mail" \
    sh -c "grep -q ', confirmed$' '$tmp/o3' && test $(mails b@example.com) -eq 0"
"$K" subscribe --index "$tmp/ix" b@example.com 'اليمن' >"$tmp/o4" 2>&1
check "subscribe to a confirmed search at its frequency: nothing changed, no mail" \
    sh -c "grep -q 'nothing changed' '$tmp/o4' && test $(mails b@example.com) -eq 0"
"$K" subscribe --index "$tmp/ix" --frequency weekly b@example.com 'اليمن' \
    >"$tmp/o5" 2>&1
check "another frequency for a confirmed search: a mail to confirm the change" \
    sh -c "grep -q 'confirm the change of frequency is queued' '$tmp/o5' &&
           test $(mails b@example.com) -eq 1"
"$K" subscriptions --index "$tmp/ix" --json >"$tmp/l1" 2>&1
check "... and the search stays daily, weekly asked" \
    grep -q '"email":"b@example.com".*"frequency":"daily".*"requested_frequency":"weekly"' "$tmp/l1"
echo "1..$n"
