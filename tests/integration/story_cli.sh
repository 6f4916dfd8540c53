#!/bin/sh
# Wire copies, stories and related articles through the khabar command:
# collapsed search hits with copies and sources, --no-collapse, story:,
# khabar story, khabar related, --no-stories, and clear errors.  Speaks TAP.
set -u
K=${KHABAR:-build/khabar}
SRC=${KH_SRCDIR:-.}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
check() {
    name=$1
    shift
    n=$((n + 1))
    if "$@"; then echo "ok $n - $name"; else echo "not ok $n - $name"; fi
}

# Three outlets print one article of the sample, one under a new headline,
# one with the site's furniture around it.
python3 - "$SRC/data/sample/saudinewsnet-2000.jsonl.gz" "$tmp/copies.jsonl" <<'EOF'
import gzip, json, sys
arts = [json.loads(l) for l in gzip.open(sys.argv[1], 'rt', encoding='utf-8')]
a = next(x for x in arts if x['id'] == 'snn-000330')
body = a['body']
rows = [
    {'id': 'w-1', 'source': 'aawsat', 'date': '2015-07-21T08:00:00Z',
     'title': a['title'], 'body': body},
    {'id': 'w-2', 'source': 'okaz', 'date': '2015-07-21T09:00:00Z',
     'title': 'رينج روفر أوتوبيوغرافي للرحلات الطويلة', 'body': body},
    {'id': 'w-3', 'source': 'sabq', 'date': '2015-07-21T10:00:00Z',
     'title': a['title'],
     'body': 'الرياض - واس:\n' + body + '\nقد يعجبك ايضا\nابق على اتصال'},
]
with open(sys.argv[2], 'w', encoding='utf-8') as f:
    for r in rows:
        f.write(json.dumps(r, ensure_ascii=False) + '\n')
EOF
IX=$tmp/ix
"$K" ingest --index "$IX" "$SRC/data/sample/saudinewsnet-2000.jsonl.gz" \
    "$tmp/copies.jsonl" >"$tmp/out" 2>&1
check "ingest the sample and three copies" grep -q '^ingested 2003 articles' "$tmp/out"

Q="رينج روفر أوتوبيوغرافي"
"$K" search --index "$IX" --json -n 20 "$Q" >"$tmp/s.json"
check "search: the copies are one hit with copies and sources" python3 -c "
import json, sys
hits = json.load(open('$tmp/s.json'))['hits']
mine = [h for h in hits if h['id'] in ('w-1', 'w-2', 'w-3', 'snn-000330')]
assert len(mine) == 1, mine
h = mine[0]
assert h['copies'] == 4, h
assert h['sources'][0] == 'aawsat' and 'sabq' in h['sources'], h
"
"$K" search --index "$IX" --json -n 20 --no-collapse "$Q" >"$tmp/s2.json"
check "search --no-collapse: every copy" python3 -c "
import json
ids = {h['id'] for h in json.load(open('$tmp/s2.json'))['hits']}
assert {'w-1', 'w-2', 'w-3', 'snn-000330'} <= ids, ids
"
"$K" search --index "$IX" -n 3 "$Q" >"$tmp/s.txt"
check "search (text): the copies line" grep -q '4 copies: ' "$tmp/s.txt"

"$K" story --index "$IX" --json w-2 >"$tmp/story.json"
check "story --json: label, sources and the copies among the articles" python3 -c "
import json
s = json.load(open('$tmp/story.json'))
ids = {a['id'] for a in s['articles']}
assert {'w-1', 'w-2', 'w-3'} <= ids, ids
assert s['label'] and s['sources'] and s['articles_count'] == len(s['articles'])
"
"$K" story --index "$IX" w-1 >"$tmp/story.txt"
check "story (text): label and articles" sh -c "grep -q '^label: ' '$tmp/story.txt' && grep -q 'w-3' '$tmp/story.txt'"
"$K" search --index "$IX" --json -n 50 "story:w-3" >"$tmp/f.json"
check "story: filter gives the story's articles" python3 -c "
import json
s = json.load(open('$tmp/story.json'))
r = json.load(open('$tmp/f.json'))
assert r['total'] == len(s['articles']), (r['total'], len(s['articles']))
"
"$K" related --index "$IX" --json -n 5 w-1 >"$tmp/rel.json"
check "related --json: hits, none a copy" python3 -c "
import json
r = json.load(open('$tmp/rel.json'))
ids = [h['id'] for h in r['hits']]
assert 0 < len(ids) <= 5, ids
assert not set(ids) & {'w-1', 'w-2', 'w-3', 'snn-000330'}, ids
"

"$K" story --index "$IX" nope >"$tmp/o" 2>"$tmp/e"
rc=$?
check "story of an unknown id: exit 1 with a message" \
    sh -c "test $rc -eq 1 && grep -q 'no article with id nope' '$tmp/e'"
"$K" related --index "$IX" nope >"$tmp/o" 2>"$tmp/e"
rc=$?
check "related of an unknown id: exit 1 with a message" \
    sh -c "test $rc -eq 1 && grep -q 'no article with id nope' '$tmp/e'"
"$K" search --index "$IX" "story:nope" >"$tmp/o" 2>"$tmp/e"
rc=$?
check "story:unknown: a query error with its column" \
    sh -c "test $rc -eq 2 && grep -q 'story: no article with id nope' '$tmp/e'"
"$K" search --index "$IX" "story:" >"$tmp/o" 2>"$tmp/e"
rc=$?
check "story: without an id: a query error" \
    sh -c "test $rc -eq 2 && grep -q 'story: needs' '$tmp/e'"

"$K" ingest --no-stories --index "$tmp/ix0" "$tmp/copies.jsonl" >/dev/null 2>&1
"$K" search --index "$tmp/ix0" --json "$Q" >"$tmp/s0.json"
check "ingest --no-stories: no groups" python3 -c "
import json
hits = json.load(open('$tmp/s0.json'))['hits']
assert len(hits) == 3 and all('copies' not in h for h in hits), hits
"
echo "1..$n"
