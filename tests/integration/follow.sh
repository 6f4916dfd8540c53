#!/bin/sh
# `khabar follow` and `khabar ingest --fetch` against a local web server
# (tests/integration/httpd.py): conditional GET and 304s, seen items not
# ingested twice across restarts, robots.txt obeyed (the server's log
# shows what was asked), a per-host delay, a hanging feed that times out
# while the other feeds go on, 404 and 500, summary-only items whose page
# is fetched and searchable (one of them in windows-1256, one behind a
# redirect), SIGTERM.  The articles are real ones from the bundled
# SaudiNewsNet sample, made into pages and feeds here.  Speaks TAP.
set -u
K=${KHABAR:-build/khabar}
SRC=${KH_SRCDIR:-.}
n=0
check() {
    name=$1
    shift
    n=$((n + 1))
    if "$@"; then echo "ok $n - $name"; else echo "not ok $n - $name"; fi
}
if ! command -v python3 >/dev/null 2>&1; then
    echo "ok 1 - follow # SKIP python3 is not installed"
    echo "1..1"
    exit 0
fi
tmp=${FOLLOW_TMP:-$(mktemp -d)}
srv=
cleanup() {
    [ -n "$srv" ] && kill "$srv" 2>/dev/null
    [ -n "${FOLLOW_TMP:-}" ] || rm -rf "$tmp"
}
trap cleanup EXIT
root=$tmp/www
mkdir -p "$root"
python3 "$SRC/tests/integration/httpd.py" "$root" "$tmp/port" "$tmp/log" &
srv=$!
i=0
while [ ! -s "$tmp/port" ] && [ $i -lt 100 ]; do
    sleep 0.1
    i=$((i + 1))
done
port=$(cat "$tmp/port" 2>/dev/null)
if [ -z "$port" ]; then
    echo "not ok 1 - the test web server did not start"
    echo "1..1"
    exit 1
fi
base=http://127.0.0.1:$port

# Pages and feeds from eight sample articles.  expect/aN.tail holds words
# from the end of article N: only its full page carries them.
python3 - "$SRC/data/sample/saudinewsnet-2000.jsonl.gz" "$root" "$base" \
    "$tmp/expect" <<'EOF'
import email.utils, gzip, html, json, os, sys, datetime
sample, root, base, expect = sys.argv[1:5]
arts = []
for line in gzip.open(sample, "rt", encoding="utf-8"):
    a = json.loads(line)
    paras = [p.strip() for p in a["body"].split("\n\n") if p.strip()]
    if 4 <= len(paras) <= 12 and 1200 <= len(a["body"]) <= 3500 \
            and '"' not in a["title"]:
        a["paras"] = paras
        arts.append(a)
    if len(arts) == 8:
        break
os.makedirs(root + "/news", exist_ok=True)
os.makedirs(root + "/feeds", exist_ok=True)
os.makedirs(root + "/plain", exist_ok=True)
os.makedirs(expect, exist_ok=True)
def when(a):
    d = datetime.datetime.strptime(a["date_extracted"], "%Y-%m-%d %H:%M:%S")
    return d.replace(tzinfo=datetime.timezone.utc)
def page(a, name, enc="utf-8"):
    ps = "\n".join("<p>%s</p>" % html.escape(p) for p in a["paras"])
    doc = """<!DOCTYPE html>
<html lang="ar" dir="rtl"><head><meta charset="%s">
<title>%s - صحيفة الاختبار</title>
<meta property="og:title" content="%s">
<meta property="og:site_name" content="صحيفة الاختبار">
<meta property="article:published_time" content="%s">
<link rel="canonical" href="%s/news/%s">
</head><body>
<nav><a href="/">الرئيسية</a> | <a href="/sport">رياضة</a> | <a href="/eco">اقتصاد</a></nav>
<article><h1>%s</h1>
%s
</article>
<footer>جميع الحقوق محفوظة لصحيفة الاختبار</footer>
</body></html>
""" % (enc, html.escape(a["title"]), html.escape(a["title"]),
       when(a).isoformat(), base, name, html.escape(a["title"]), ps)
    with open(root + "/news/" + name, "wb") as f:
        f.write(doc.encode(enc, errors="replace"))
    words = a["paras"][-1].split()
    k = max(0, len(words) // 2 - 2)
    with open(expect + "/" + name.split(".")[0] + ".tail", "w") as f:
        f.write(" ".join(words[k:k + 4]) + "\n")
def summary(a):
    s = a["paras"][0]
    return s[:140]
def rss_item(a, link, full):
    body = "".join("<p>%s</p>" % html.escape(p) for p in a["paras"])
    desc = "<p>%s</p>" % html.escape(summary(a))
    x = "<item><title>%s</title><link>%s</link><guid>%s</guid>" % (
        html.escape(a["title"]), link, a["id"])
    x += "<pubDate>%s</pubDate>" % email.utils.format_datetime(when(a))
    x += "<description><![CDATA[%s]]></description>" % desc
    if full:
        x += "<content:encoded><![CDATA[%s]]></content:encoded>" % body
    return x + "</item>\n"
def rss(path, title, items):
    x = ('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
         'xmlns:content="http://purl.org/rss/1.0/modules/content/">'
         '<channel><title>%s</title><link>%s/</link>\n' % (title, base))
    with open(root + path, "w", encoding="utf-8") as f:
        f.write(x + "".join(items) + "</channel></rss>\n")
a = arts
for k in range(8):
    page(a[k], "a%d.html" % (k + 1))
page(a[2], "secret.html")
page(a[7], "a8.cp1256.html", "windows-1256")
items = [rss_item(a[0], base + "/news/a1.html", True),
         rss_item(a[1], base + "/news/a2.html", False),
         rss_item(a[2], base + "/news/secret.html", False)]
rss("/feeds/main.rss", "صحيفة الاختبار", items)
with open(root + "/feeds/new-item.txt", "w", encoding="utf-8") as f:
    f.write(rss_item(a[6], base + "/news/a7.html", True))
atom = ['<?xml version="1.0" encoding="utf-8"?>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom"><title>أخبار أتوم</title>'
        '<id>urn:test:atom</id><updated>2015-08-01T00:00:00Z</updated>\n']
for k, link, full in ((3, base + "/redirect/news/a4.html", False),
                      (4, base + "/news/a5.html", True)):
    e = "<entry><title>%s</title><id>urn:snn:%s</id>" % (
        html.escape(a[k]["title"]), a[k]["id"])
    e += '<link rel="alternate" href="%s"/>' % link
    e += "<updated>%s</updated>" % when(a[k]).isoformat()
    e += '<summary type="html">%s</summary>' % html.escape(
        "<p>%s</p>" % html.escape(summary(a[k])))
    if full:
        e += '<content type="html">%s</content>' % html.escape("".join(
            "<p>%s</p>" % html.escape(p) for p in a[k]["paras"]))
    atom.append(e + "</entry>\n")
with open(root + "/feeds/main.atom", "w", encoding="utf-8") as f:
    f.write("".join(atom) + "</feed>\n")
rss("/plain/feed.rss", "بلا محددات",
    [rss_item(a[5], base + "/news/a6.html", True),
     rss_item(a[7], base + "/news/a8.cp1256.html", False)])
with open(root + "/robots.txt", "w") as f:
    f.write("User-agent: *\nDisallow: /news/secret\nDisallow: /private/\n")
EOF
if [ ! -s "$tmp/expect/a2.tail" ]; then
    echo "not ok 1 - fixtures were not generated"
    echo "1..1"
    exit 1
fi

IX=$tmp/ix
cat >"$tmp/feeds.txt" <<EOF
# test feeds: the hanging one early, so that the rest must go on after it
$base/feeds/main.rss
$base/hang
$base/feeds/main.atom   # trailing comment
$base/plain/feed.rss

$base/feeds/missing.rss
$base/500
EOF

# Round 1.
t0=$(date +%s)
"$K" follow "$tmp/feeds.txt" --index "$IX" --once --delay 0.2 --timeout 2 \
    >"$tmp/out1" 2>"$tmp/err1"
rc=$?
t1=$(date +%s)
check "first round: exit 1 (some feeds failed)" test $rc -eq 1
check "RSS: 3 items, 3 new, 1 page fetched, 1 refused by robots.txt" \
    grep -q "^$base/feeds/main.rss: 200, 3 items, 3 new, 1 pages fetched, 1 pages refused by robots.txt (" "$tmp/out1"
check "Atom: 2 items, 2 new, 1 page fetched (through a redirect)" \
    grep -q "^$base/feeds/main.atom: 200, 2 items, 2 new, 1 pages fetched (" "$tmp/out1"
check "feed without validators: 2 new, the windows-1256 page fetched" \
    grep -q "^$base/plain/feed.rss: 200, 2 items, 2 new, 1 pages fetched (" "$tmp/out1"
check "the hanging feed times out" grep -q "^$base/hang: error: timed out after [0-9.]* s" "$tmp/out1"
check "the whole round took less than 12 s (timeout 2 s)" test $((t1 - t0)) -lt 12
check "404 reported" grep -q "^$base/feeds/missing.rss: error: HTTP 404$" "$tmp/out1"
check "500 reported" grep -q "^$base/500: error: HTTP 500$" "$tmp/out1"
check "round summary" grep -q "^round 1: 6 feeds, 7 new articles, 3 errors in" "$tmp/out1"
"$K" stats --index "$IX" --json >"$tmp/stats"
check "7 articles in the index" grep -q '"articles":7,' "$tmp/stats"
check "robots.txt asked once" test "$(grep -c ' /robots.txt ' "$tmp/log")" -eq 1
check "the disallowed page was never requested" sh -c "! grep -q '/news/secret' '$tmp/log'"
check "pages with full content were not fetched" \
    sh -c "! grep -q -e ' /news/a1.html' -e ' /news/a5.html' -e ' /news/a6.html' '$tmp/log'"
check "User-Agent sent" grep -q ' Khabar/0.1 (+https://example.invalid/khabar)$' "$tmp/log"
gap=$(awk 'NR > 1 { d = $1 - prev; if (min == "" || d < min) min = d } { prev = $1 } END { print (min == "" ? 0 : min) }' "$tmp/log")
check "per-host delay: requests at least 0.2 s apart (smallest gap $gap s)" \
    awk -v g="$gap" 'BEGIN { exit !(g >= 0.19) }'

show_has() { # show_has ID FILE: the stored body contains the words of FILE
    test -s "$2" && "$K" show --index "$IX" "$1" >"$tmp/show" 2>&1 &&
        grep -qF "$(cat "$2")" "$tmp/show"
}
show_lacks() { # show_lacks ID FILE: the article is there, without those words
    test -s "$2" && "$K" show --index "$IX" "$1" >"$tmp/show" 2>&1 &&
        ! grep -qF "$(cat "$2")" "$tmp/show"
}
check "summary-only RSS item: its page's text is stored" show_has "$base/news/a2.html" "$tmp/expect/a2.tail"
check "summary-only Atom item behind a redirect: its page's text is stored" \
    show_has "$base/redirect/news/a4.html" "$tmp/expect/a4.tail"
check "windows-1256 page: its text is stored as UTF-8" show_has "$base/news/a8.cp1256.html" "$tmp/expect/a8.tail"
check "full-content item stored from the feed" show_has "$base/news/a1.html" "$tmp/expect/a1.tail"
check "robots-denied item keeps its summary only" \
    show_lacks "$base/news/secret.html" "$tmp/expect/secret.tail"
w=$(cut -d' ' -f1-3 "$tmp/expect/a2.tail")
"$K" search --index "$IX" --json -n 5 "\"$w\"" >"$tmp/s.json" 2>&1
check "the fetched page's text is searchable" grep -qF "\"id\":\"$base/news/a2.html\"" "$tmp/s.json"
check "feed titles are the source" grep -q '"source":"صحيفة الاختبار"' "$tmp/s.json"

# Round 2: nothing changed.
lines=$(wc -l <"$tmp/log")
"$K" follow "$tmp/feeds.txt" --index "$IX" --once --delay 0.2 --timeout 2 \
    >"$tmp/out2" 2>"$tmp/err2"
check "second round: RSS 304 (ETag)" grep -q "^$base/feeds/main.rss: 304 not modified" "$tmp/out2"
check "second round: Atom 304" grep -q "^$base/feeds/main.atom: 304 not modified" "$tmp/out2"
check "second round: no validators, all items already seen" \
    grep -q "^$base/plain/feed.rss: 200, 2 items, 0 new (" "$tmp/out2"
check "second round: no page fetched" sh -c "tail -n +$((lines + 1)) '$tmp/log' | grep -q ' /news/' && exit 1 || exit 0"
check "second round: 0 new articles" grep -q "^round 1: 6 feeds, 0 new articles" "$tmp/out2"
"$K" stats --index "$IX" --json >"$tmp/stats"
check "restart: still 7 articles" grep -q '"articles":7,' "$tmp/stats"

# Round 3: a new item in the RSS feed.
python3 - "$root/feeds/main.rss" "$root/feeds/new-item.txt" <<'EOF'
import sys
feed, item = sys.argv[1:3]
s = open(feed, encoding="utf-8").read()
new = open(item, encoding="utf-8").read()
s = s.replace("</channel>", new + "</channel>")
open(feed, "w", encoding="utf-8").write(s)
EOF
"$K" follow "$tmp/feeds.txt" --index "$IX" --once --delay 0 --timeout 2 \
    >"$tmp/out3" 2>"$tmp/err3"
check "third round: the new item only" grep -q "^$base/feeds/main.rss: 200, 4 items, 1 new (" "$tmp/out3"
"$K" stats --index "$IX" --json >"$tmp/stats"
check "third round: 8 articles" grep -q '"articles":8,' "$tmp/stats"

# SIGTERM while a request hangs: the wait ends at once, exit 0.
echo "$base/hang" >"$tmp/hang.txt"
lines=$(wc -l <"$tmp/log")
"$K" follow "$tmp/hang.txt" --index "$IX" --timeout 30 >"$tmp/out4" 2>&1 &
pid=$!
i=0
while [ "$(wc -l <"$tmp/log")" -eq "$lines" ] && [ $i -lt 50 ]; do
    sleep 0.1
    i=$((i + 1))
done
sleep 0.3
s0=$(date +%s)
kill -TERM $pid
wait $pid
rc=$?
s1=$(date +%s)
check "SIGTERM during a hanging request: exit 0 within 3 s" sh -c "test $rc -eq 0 && test $((s1 - s0)) -le 3"

# SIGTERM between rounds.
"$K" follow "$tmp/feeds.txt" --index "$IX" --every 30s --delay 0 --timeout 1 \
    >"$tmp/out5" 2>&1 &
pid=$!
i=0
while ! grep -q '^round 1' "$tmp/out5" && [ $i -lt 100 ]; do
    sleep 0.1
    i=$((i + 1))
done
kill -TERM $pid
wait $pid
rc=$?
check "SIGTERM while waiting for the next round: exit 0" test $rc -eq 0
check "follow keeps state in follow.db" test -s "$IX/follow.db"

# Usage errors.
"$K" follow "$tmp/feeds.txt" --index "$IX" --every 10x >/dev/null 2>&1
check "--every 10x: exit 2" test $? -eq 2
"$K" follow "$tmp/none.txt" --index "$IX" --once >/dev/null 2>"$tmp/err"
check "missing feed list: exit 1 with a message" sh -c "test $? -eq 1 && grep -q 'cannot open' '$tmp/err'"

# ingest: no network without --fetch; with it, summary-only items fetched.
lines=$(wc -l <"$tmp/log")
"$K" ingest --index "$tmp/ix2" "$root/feeds/main.atom" >"$tmp/out6" 2>&1
check "ingest of a feed file: 2 atom articles" grep -q '^ingested 2 articles .*: atom 2$' "$tmp/out6"
check "ingest without --fetch asks nothing" test "$(wc -l <"$tmp/log")" -eq "$lines"
IX=$tmp/ix2
check "without --fetch the summary-only item has its summary only" \
    show_lacks "$base/redirect/news/a4.html" "$tmp/expect/a4.tail"
"$K" ingest --index "$tmp/ix3" --fetch --delay 0 "$root/feeds/main.atom" >"$tmp/out7" 2>&1
IX=$tmp/ix3
check "ingest --fetch: the linked page's text is stored" show_has "$base/redirect/news/a4.html" "$tmp/expect/a4.tail"

# robots.txt answering 503: no page is fetched; 404: all are.  A
# Crawl-delay larger than --delay wins.  A page over --max-bytes is
# refused.  (ingest --fetch keeps no state: each run starts afresh.)
python3 - "$root/feeds/main.atom" "$root/feeds/two.atom" "$base" <<'EOF'
import re, sys
src, dst, base = sys.argv[1:4]
s = open(src, encoding="utf-8").read()
# Both entries summary-only, linking pages that exist.
s = re.sub(r'<content type="html">.*?</content>', "", s, flags=re.S)
s = s.replace(base + "/redirect/news/a4.html", base + "/news/a4.html")
open(dst, "w", encoding="utf-8").write(s)
EOF
since() { # the paths asked since log line $1
    tail -n +$(($1 + 1)) "$tmp/log" | cut -d' ' -f2
}
echo 503 >"$root/ROBOTS_STATUS"
lines=$(wc -l <"$tmp/log")
"$K" ingest --index "$tmp/ix4" --fetch --delay 0 "$root/feeds/two.atom" >"$tmp/out8" 2>"$tmp/err8"
c=$(grep -c 'linked page not used (robots.txt unreachable (HTTP 503))' "$tmp/err8")
check "robots.txt 503: pages not fetched, summaries kept" \
    sh -c "test $c -eq 2 && grep -q '^ingested 2 articles' '$tmp/out8'"
check "robots.txt 503: only robots.txt was asked" test "$(since "$lines")" = /robots.txt
echo 404 >"$root/ROBOTS_STATUS"
lines=$(wc -l <"$tmp/log")
"$K" ingest --index "$tmp/ix5" --fetch --delay 0 "$root/feeds/two.atom" >"$tmp/out9" 2>"$tmp/err9"
check "robots.txt 404: both pages fetched" \
    test "$(since "$lines" | grep -c '^/news/a[45].html$')" -eq 2
rm -f "$root/ROBOTS_STATUS"
printf 'User-agent: khabar\nCrawl-delay: 0.5\nDisallow: /news/secret\n' >"$root/robots.txt"
lines=$(wc -l <"$tmp/log")
"$K" ingest --index "$tmp/ix6" --fetch --delay 0 "$root/feeds/two.atom" >/dev/null 2>&1
gap=$(tail -n +$((lines + 1)) "$tmp/log" | awk 'NR > 1 { d = $1 - prev; if (min == "" || d < min) min = d } { prev = $1 } END { print (min == "" ? 0 : min) }')
c=$(since "$lines" | wc -l)
check "Crawl-delay 0.5 beats --delay 0 ($c requests, smallest gap $gap s)" \
    awk -v g="$gap" -v c="$c" 'BEGIN { exit !(c == 3 && g >= 0.49) }'
"$K" ingest --index "$tmp/ix7" --fetch --delay 0 --max-bytes 3000 "$root/feeds/two.atom" >/dev/null 2>"$tmp/err10"
check "a page over --max-bytes is refused" grep -q 'linked page not used (body larger than 3000 bytes)' "$tmp/err10"

# follow: a page that fails for now (robots.txt answering 503) leaves its
# item stored with the summary but unseen; the next round, robots.txt
# readable again, fetches the page; the one after gets a 304.
echo "$base/feeds/two.atom" >"$tmp/two.txt"
echo 503 >"$root/ROBOTS_STATUS"
"$K" follow "$tmp/two.txt" --index "$tmp/ix8" --once --delay 0 >"$tmp/out11" 2>&1
check "robots.txt 503 in follow: summaries stored, both pages to try again" \
    grep -q "^$base/feeds/two.atom: 200, 2 items, 2 new, 2 pages failed, 2 pages to try again (" "$tmp/out11"
rm -f "$root/ROBOTS_STATUS"
"$K" follow "$tmp/two.txt" --index "$tmp/ix8" --once --delay 0 >"$tmp/out12" 2>&1
check "next round: the pages fetched, no new article" \
    grep -q "^$base/feeds/two.atom: 200, 2 items, 0 new, 2 pages fetched, 2 pages tried again (" "$tmp/out12"
IX=$tmp/ix8
check "next round: the page's text replaced the summary" show_has "$base/news/a4.html" "$tmp/expect/a4.tail"
"$K" follow "$tmp/two.txt" --index "$tmp/ix8" --once --delay 0 >"$tmp/out13" 2>&1
check "the round after: 304" grep -q "^$base/feeds/two.atom: 304 not modified" "$tmp/out13"
"$K" stats --index "$tmp/ix8" --json >"$tmp/stats"
check "two articles, not four" grep -q '"articles":2,' "$tmp/stats"

# SIGTERM while an item's page is being fetched: that item is finished
# (its page stored), committed and marked seen; the next item is left for
# the next run, which does not ingest the first again.
sed -e "s|$base/news/a4.html|$base/slow/news/a4.html|" \
    -e "s|$base/news/a5.html|$base/slow/news/a5.html|" \
    "$root/feeds/two.atom" >"$root/feeds/slow.atom"
echo "$base/feeds/slow.atom" >"$tmp/slow.txt"
lines=$(wc -l <"$tmp/log")
"$K" follow "$tmp/slow.txt" --index "$tmp/ix9" --once --delay 0 >"$tmp/out14" 2>&1 &
pid=$!
i=0
while ! tail -n +$((lines + 1)) "$tmp/log" | grep -q ' /slow/' && [ $i -lt 50 ]; do
    sleep 0.1
    i=$((i + 1))
done
kill -TERM $pid
wait $pid
rc=$?
check "SIGTERM during an item: exit 0, the round cut short after it" \
    sh -c "test $rc -eq 0 && grep -q '^$base/feeds/slow.atom: 200, 1 items, 1 new, 1 pages fetched, interrupted (' '$tmp/out14'"
IX=$tmp/ix9
check "the item being fetched was finished: its page is stored" show_has "$base/slow/news/a4.html" "$tmp/expect/a4.tail"
"$K" follow "$tmp/slow.txt" --index "$tmp/ix9" --once --delay 0 >"$tmp/out15" 2>&1
check "restart: the other item only" \
    grep -q "^$base/feeds/slow.atom: 200, 2 items, 1 new, 1 pages fetched (" "$tmp/out15"
"$K" stats --index "$tmp/ix9" --json >"$tmp/stats"
check "restart: 2 articles" grep -q '"articles":2,' "$tmp/stats"

# A link with a raw Arabic path is sent percent-encoded.
cp "$root/news/a5.html" "$root/news/خبر.html"
sed -e "s|$base/slow/news/a4.html|$base/news/خبر.html|" "$root/feeds/slow.atom" |
    grep -v 'a5.html' >"$root/feeds/ar.atom"
lines=$(wc -l <"$tmp/log")
"$K" ingest --index "$tmp/ix10" --fetch --delay 0 "$root/feeds/ar.atom" >/dev/null 2>&1
check "a raw Arabic link is requested percent-encoded" \
    test "$(since "$lines" | grep -c '^/news/%D8%AE%D8%A8%D8%B1.html$')" -eq 1
IX=$tmp/ix10
check "and its page is stored" show_has "$base/news/خبر.html" "$tmp/expect/a5.tail"

# Two feeds listing the same pages: each page is fetched once, and the
# second feed's items are seen, not new (each page was fetched and
# counted once per feed).
cp "$root/feeds/two.atom" "$root/feeds/two-again.atom"
printf '%s\n%s\n' "$base/feeds/two.atom" "$base/feeds/two-again.atom" >"$tmp/both.txt"
lines=$(wc -l <"$tmp/log")
"$K" follow "$tmp/both.txt" --index "$tmp/ix11" --once --delay 0 >"$tmp/out16" 2>&1
check "two feeds with the same items: each page fetched once" \
    test "$(since "$lines" | grep -c '^/news/a4.html$')" -eq 1
check "two feeds with the same items: 2 new articles, not 4" \
    grep -q "^round 1: 2 feeds, 2 new articles" "$tmp/out16"
"$K" stats --index "$tmp/ix11" --json >"$tmp/stats"
check "two feeds with the same items: 2 articles, none deleted" \
    grep -q '"articles":2,"deleted":0,' "$tmp/stats"
echo "1..$n"
