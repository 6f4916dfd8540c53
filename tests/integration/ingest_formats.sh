#!/bin/sh
# `khabar ingest` on every input format, told by content: HTML pages,
# RSS and Atom feeds, WARC (plain and gzip per record), a directory tree,
# standard input, gzip anywhere; and bad input (truncated gzip, junk
# bytes, an empty file, a page over the size limit, a broken WARC record)
# reported per item with its file and position, the run going on, exit 1,
# nothing already ingested lost.  Fixtures are made here from real articles
# of the bundled SaudiNewsNet sample.  Speaks TAP.
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
    echo "ok 1 - ingest formats # SKIP python3 is not installed"
    echo "1..1"
    exit 0
fi
tmp=${INGEST_TMP:-$(mktemp -d)}
trap '[ -n "${INGEST_TMP:-}" ] || rm -rf "$tmp"' EXIT
d=$tmp/in
mkdir -p "$d"

# Fixtures: pages, feeds, WARCs.  expect/NAME holds four words from the
# middle of an article's last paragraph, to look for in the stored body.
python3 - "$SRC/data/sample/saudinewsnet-2000.jsonl.gz" "$d" "$tmp/expect" <<'EOF'
import gzip, html, json, os, sys
sample, d, expect = sys.argv[1:4]
arts = []
for line in gzip.open(sample, "rt", encoding="utf-8"):
    a = json.loads(line)
    paras = [p.strip() for p in a["body"].split("\n\n") if p.strip()]
    if 3 <= len(paras) <= 12 and 1000 <= len(a["body"]) <= 4000:
        a["paras"] = paras
        arts.append(a)
    if len(arts) == 12:
        break
os.makedirs(expect, exist_ok=True)
def tail(a, name):
    w = a["paras"][-1].split()
    k = max(0, len(w) // 2 - 2)
    with open(os.path.join(expect, name), "w") as f:
        f.write(" ".join(w[k:k + 4]) + "\n")
def page(a, url=None, enc="utf-8", pad=0):
    ps = "\n".join("<p>%s</p>" % html.escape(p) for p in a["paras"])
    canon = '<link rel="canonical" href="%s">' % url if url else ""
    return ("""<!DOCTYPE html><html lang="ar" dir="rtl"><head>
<meta charset="%s"><title>%s</title>%s
<meta property="og:site_name" content="صحيفة الاختبار"></head><body>
<nav><a href="/">الرئيسية</a> | <a href="/sport">رياضة</a></nav>
<article><h1>%s</h1>
%s
</article>%s
<footer>جميع الحقوق محفوظة</footer></body></html>
""" % (enc, html.escape(a["title"]), canon, html.escape(a["title"]), ps,
       "<!-- %s -->" % ("x" * pad) if pad else "")).encode(enc, "replace")
def put(name, data):
    p = os.path.join(d, name)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with open(p, "wb") as f:
        f.write(data)
a = arts
# 1. Pages: with a canonical URL; without one (the path is the id);
#    gzip-compressed; over the size limit of the test (--max-bytes).
put("page-canonical.html", page(a[0], "https://example.com/news/1"))
tail(a[0], "page1")
put("page-nocanonical.htm", page(a[1]))
tail(a[1], "page2")
put("page.html.gz", gzip.compress(page(a[2], "https://example.com/news/3")))
tail(a[2], "page3")
put("big.html", page(a[3], "https://example.com/news/big", pad=300000))
# 2. Feeds.
def rss_item(x, link):
    body = "".join("<p>%s</p>" % html.escape(p) for p in x["paras"])
    return ("<item><title>%s</title><link>%s</link><guid>%s</guid>"
            "<pubDate>Tue, 21 Jul 2015 02:53:42 +0000</pubDate>"
            "<description><![CDATA[<p>%s</p>]]></description>"
            "<content:encoded><![CDATA[%s]]></content:encoded></item>\n" % (
                html.escape(x["title"]), link, x["id"],
                html.escape(x["paras"][0][:120]), body))
put("feed.rss", ('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
                 'xmlns:content="http://purl.org/rss/1.0/modules/content/">'
                 "<channel><title>قناة الاختبار</title>\n%s%s</channel></rss>\n"
                 % (rss_item(a[4], "https://example.com/rss/5"),
                    rss_item(a[5], "https://example.com/rss/6"))).encode())
tail(a[5], "rss6")
entry = ('<entry><title>%s</title><id>urn:x:%s</id>'
         '<link href="https://example.com/atom/7"/>'
         '<updated>2015-07-21T02:53:42Z</updated>'
         '<content type="html">%s</content></entry>' % (
             html.escape(a[6]["title"]), a[6]["id"], html.escape("".join(
                 "<p>%s</p>" % html.escape(p) for p in a[6]["paras"]))))
put("feed.atom", ('<?xml version="1.0" encoding="utf-8"?>\n<feed '
                  'xmlns="http://www.w3.org/2005/Atom"><title>أتوم</title>'
                  '<id>urn:x</id><updated>2015-07-21T02:53:42Z</updated>\n'
                  '%s</feed>\n' % entry).encode())
tail(a[6], "atom7")
# 3. WARC: warcinfo, request, an HTML response, a 404, an image, an HTML
#    resource, a windows-1256 page, and (in the bad one) a broken record.
def record(typ, uri, block, ctype):
    h = ("WARC/1.0\r\nWARC-Type: %s\r\nWARC-Record-ID: <urn:uuid:%08d>\r\n"
         "WARC-Date: 2015-07-21T02:53:42Z\r\n" % (typ, len(block)))
    if uri:
        h += "WARC-Target-URI: %s\r\n" % uri
    h += "Content-Type: %s\r\nContent-Length: %d\r\n\r\n" % (ctype, len(block))
    return h.encode() + block + b"\r\n\r\n"
def http(status, ctype, body):
    return (("HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n"
             % (status, ctype, len(body))).encode() + body)
recs = [
    record("warcinfo", None, b"software: test\r\n", "application/warc-fields"),
    record("request", "https://example.com/w/8",
           b"GET /w/8 HTTP/1.1\r\nHost: example.com\r\n\r\n",
           "application/http; msgtype=request"),
    record("response", "https://example.com/w/8",
           http("200 OK", "text/html; charset=utf-8", page(a[7])),
           "application/http; msgtype=response"),
    record("response", "https://example.com/w/gone",
           http("404 Not Found", "text/html", page(a[8])),
           "application/http; msgtype=response"),
    record("response", "https://example.com/w/logo.png",
           http("200 OK", "image/png", b"\x89PNG\r\n\x1a\n" + bytes(64)),
           "application/http; msgtype=response"),
    record("resource", "https://example.com/w/10", page(a[9]), "text/html"),
    record("response", "https://example.com/w/11",
           http("200 OK", "text/html; charset=windows-1256",
                page(a[10], None, "windows-1256")),
           "application/http; msgtype=response"),
]
tail(a[7], "warc8")
tail(a[8], "warc404")
tail(a[9], "warc10")
tail(a[10], "warc11")
put("crawl.warc", b"".join(recs))
put("crawl.warc.gz", b"".join(gzip.compress(r) for r in recs))
broken = b"WARC/1.0\r\nWARC-Type: response\r\nContent-Length: zzz\r\n\r\njunk\r\n\r\n"
put("bad.warc", recs[2] + broken + recs[5])
# 4. A directory tree, with a hidden file that must be skipped.
put("tree/b/page.html", page(a[11], "https://example.com/tree/12"))
tail(a[11], "tree12")
put("tree/a.jsonl", (json.dumps({"id": "tree-json", "title": "خبر سطر",
                                 "body": "نص سطر في شجرة"},
                                ensure_ascii=False) + "\n").encode())
put("tree/.hidden.html", page(a[0], "https://example.com/hidden"))
put("tree/c.txt", "عنوان نصي\nنص الخبر في ملف نصي داخل الشجرة\n".encode())
EOF
if [ ! -s "$tmp/expect/warc8" ]; then
    echo "not ok 1 - fixtures were not generated"
    echo "1..1"
    exit 1
fi
IX=$tmp/ix
show_has() { # show_has ID EXPECT: stored, and its body has the words
    test -s "$tmp/expect/$2" && "$K" show --index "$IX" "$1" >"$tmp/show" 2>&1 &&
        grep -qF "$(cat "$tmp/expect/$2")" "$tmp/show"
}

# Pages.
"$K" ingest --index "$IX" "$d/page-canonical.html" "$d/page-nocanonical.htm" \
    "$d/page.html.gz" >"$tmp/out" 2>"$tmp/err"
rc=$?
check "three pages: exit 0" test $rc -eq 0
check "summary counts html" grep -q '^ingested 3 articles (3 new, 0 replaced, 0 errors) .*: html 3$' "$tmp/out"
check "page id is its canonical URL" show_has "https://example.com/news/1" page1
check "page without canonical URL: id is the path" show_has "$d/page-nocanonical.htm" page2
check "gzip page" show_has "https://example.com/news/3" page3
check "the page's site name is the source" grep -q '^source: صحيفة الاختبار' "$tmp/show"

# Feeds.
"$K" ingest --index "$IX" "$d/feed.rss" "$d/feed.atom" >"$tmp/out" 2>"$tmp/err"
rc=$?
check "RSS and Atom: exit 0, counted per format" \
    sh -c "test $rc -eq 0 && grep -q '^ingested 3 articles .*: rss 2, atom 1$' '$tmp/out'"
check "RSS item: id is its link, body its content" show_has "https://example.com/rss/6" rss6
check "RSS item: source is the feed title, date the pubDate" \
    sh -c "grep -q '^source: قناة الاختبار' '$tmp/show' && grep -q '^date:   2015-07-21T02:53:42Z' '$tmp/show'"
check "Atom entry" show_has "https://example.com/atom/7" atom7

# WARC, plain then gzip per record (same records: replaced).
"$K" ingest --index "$IX" "$d/crawl.warc" >"$tmp/out" 2>"$tmp/err"
rc=$?
check "WARC: exit 0, three pages" \
    sh -c "test $rc -eq 0 && grep -q '^ingested 3 articles (3 new, 0 replaced, 0 errors) .*: warc 3$' '$tmp/out'"
check "WARC response: id is the target URI" show_has "https://example.com/w/8" warc8
check "WARC resource record" show_has "https://example.com/w/10" warc10
check "WARC windows-1256 page, charset from the HTTP header" show_has "https://example.com/w/11" warc11
check "WARC 404, image, request and warcinfo records are not articles" \
    sh -c "! '$K' show --index '$IX' https://example.com/w/gone >/dev/null 2>&1 && ! '$K' show --index '$IX' https://example.com/w/logo.png >/dev/null 2>&1"
"$K" ingest --index "$IX" "$d/crawl.warc.gz" >"$tmp/out" 2>"$tmp/err"
rc=$?
check "WARC gzip per record: the same three, replaced" \
    sh -c "test $rc -eq 0 && grep -q '^ingested 3 articles (0 new, 3 replaced, 0 errors)' '$tmp/out'"

# A directory: sorted, recursive, hidden files skipped.
"$K" ingest --index "$IX" "$d/tree" >"$tmp/out" 2>"$tmp/err"
rc=$?
check "directory: exit 0, jsonl + html + text" \
    sh -c "test $rc -eq 0 && grep -q '^ingested 3 articles .*: jsonl 1, html 1, text 1$' '$tmp/out'"
check "directory: nested page" show_has "https://example.com/tree/12" tree12
check "directory: hidden file skipped" sh -c "! '$K' show --index '$IX' https://example.com/hidden >/dev/null 2>&1"

# Standard input: an HTML page, a gzip feed.
"$K" ingest --index "$tmp/ix-stdin" - <"$d/page-canonical.html" >"$tmp/out" 2>"$tmp/err"
check "stdin HTML" grep -q '^ingested 1 articles .*: html 1$' "$tmp/out"
gzip -c "$d/feed.rss" | "$K" ingest --index "$tmp/ix-stdin" - >"$tmp/out" 2>"$tmp/err"
check "stdin gzip RSS" grep -q '^ingested 2 articles .*: rss 2$' "$tmp/out"
"$K" ingest --index "$tmp/ix-stdin" - <"$d/crawl.warc.gz" >"$tmp/out" 2>"$tmp/err"
check "stdin gzip WARC" grep -q '^ingested 3 articles .*: warc 3$' "$tmp/out"

# Bad input: each reported with its file, the rest ingested, exit 1.
"$K" stats --index "$IX" --json >"$tmp/stats"
before=$(sed -n 's/.*"articles":\([0-9]*\).*/\1/p' "$tmp/stats")
head -c 400 "$d/page.html.gz" >"$d/truncated.html.gz"
head -c 3000 /dev/urandom >"$d/junk.bin"
: >"$d/empty.txt"
printf '\n\n   \n' >"$d/blank.jsonl"
printf '\037\213\010\000\000\000\000\000\000\003garbage-not-deflate' >"$d/corrupt.gz"
"$K" ingest --index "$IX" --max-bytes 200000 "$d/truncated.html.gz" \
    "$d/junk.bin" "$d/empty.txt" "$d/blank.jsonl" "$d/big.html" "$d/corrupt.gz" "$d/bad.warc" \
    "$d/missing.html" >"$tmp/out" 2>"$tmp/err"
rc=$?
check "bad inputs: exit 1" test $rc -eq 1
check "truncated gzip named" grep -q "truncated.html.gz: truncated gzip data; skipped" "$tmp/err"
check "junk bytes named" grep -q "junk.bin: binary data, not an article; skipped" "$tmp/err"
check "empty file named" grep -q "empty.txt: empty file; skipped" "$tmp/err"
check "a file of blank lines is empty too, not binary data" grep -q "blank.jsonl: empty file; skipped" "$tmp/err"
check "page over the size limit named" grep -q "big.html: larger than the size limit (200000 bytes); skipped" "$tmp/err"
check "corrupt gzip named" grep -q "corrupt.gz: .*; skipped" "$tmp/err"
check "broken WARC record named with its position" grep -q "bad.warc: record 2: " "$tmp/err"
check "missing file named" grep -q "missing.html: cannot open" "$tmp/err"
check "the good WARC records around the broken one are ingested" \
    grep -q '^ingested 2 articles (0 new, 2 replaced, [0-9]* errors)' "$tmp/out"
"$K" stats --index "$IX" --json >"$tmp/stats"
check "nothing lost: the index has what it had" grep -q "\"articles\":$before," "$tmp/stats"
"$K" search --index "$IX" --json -n 20 "\"$(cut -d' ' -f1-3 "$tmp/expect/warc8")\"" >"$tmp/s.json"
check "good items searchable after the bad run" grep -qF '"id":"https://example.com/w/8"' "$tmp/s.json"

# The fixtures of the other ingest tests, when present: the generated
# pages (tests/data/pages: the same six articles as WARC, HTML in two
# encodings and an RSS feed of summaries) and the damaged WARCs.
P=$SRC/tests/data/pages
if [ -f "$P/pages.warc.gz" ] && [ -d "$P/html" ] && [ -f "$P/feed.xml" ]; then
    "$K" ingest --index "$tmp/ixp" "$P/pages.warc.gz" >"$tmp/out" 2>&1
    check "generated pages, WARC: 12 pages, 6 articles (both encodings of a page share its canonical URL)" \
        grep -q '^ingested 12 articles (6 new, 6 replaced, 0 errors) .*: warc 12$' "$tmp/out"
    "$K" ingest --index "$tmp/ixp" "$P/html" >"$tmp/out" 2>&1
    check "generated pages, HTML files: the same 6 articles" \
        grep -q '^ingested 12 articles (0 new, 12 replaced, 0 errors) .*: html 12$' "$tmp/out"
    "$K" ingest --index "$tmp/ixp" "$P/feed.xml" >"$tmp/out" 2>&1
    check "generated pages, feed: summaries do not replace the full texts" \
        grep -q '^ingested 0 articles .*; 6 feed summaries not stored over a longer text$' "$tmp/out"
    "$K" stats --index "$tmp/ixp" --json >"$tmp/stats"
    check "generated pages: 6 articles" grep -q '"articles":6,' "$tmp/stats"
else
    n=$((n + 1))
    echo "ok $n - generated pages # SKIP tests/data/pages is absent"
fi
W=$SRC/tests/data/warc
if [ -f "$W/truncated.warc.gz" ] && [ -f "$W/damaged.warc" ]; then
    "$K" ingest --index "$tmp/ixw" "$W/truncated.warc.gz" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    check "WARC cut inside its last gzip member: that record named, exit 1" \
        sh -c "test $rc -eq 1 && grep -q 'truncated.warc.gz: record [0-9]*: ' '$tmp/err'"
    "$K" ingest --index "$tmp/ixw" "$W/damaged.warc" "$W/damaged.warc.gz" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    c=$(grep -c 'damaged.warc: record [0-9]*: ' "$tmp/err")
    check "damaged WARC: each bad record named ($c), the reading goes on" \
        sh -c "test $rc -eq 1 && test $c -ge 3 && grep -q 'damaged.warc.gz: record [0-9]*: ' '$tmp/err'"
else
    n=$((n + 1))
    echo "ok $n - damaged WARCs # SKIP tests/data/warc is absent"
fi
# JSON documents: an array of articles, one article over several lines
printf '[{"id":"ja1","title":"خبر أول","body":"نص"}, {"id":"ja2","title":"خبر ثان","body":"نص"}, 5]\n' >"$tmp/arr.json"
"$K" ingest --index "$tmp/ixj" "$tmp/arr.json" >"$tmp/out" 2>&1
check "a JSON array: its articles ingested, a non-object item named (exit 1)" \
    sh -c "test $? -eq 1 && grep -q '^ingested 2 articles (2 new' '$tmp/out' && grep -q 'arr.json: item 3: not a JSON object' '$tmp/out'"
printf '{\n  "id": "jp1",\n  "title": "خبر منسق",\n  "body": "نص الخبر"\n}\n' >"$tmp/pretty.json"
"$K" ingest --index "$tmp/ixj" "$tmp/pretty.json" >"$tmp/out" 2>&1
check "one article over several lines (pretty-printed JSON)" \
    grep -q '^ingested 1 articles (1 new' "$tmp/out"
printf '[{"id":"x"\n' >"$tmp/broken.json"
"$K" ingest --index "$tmp/ixj" "$tmp/broken.json" >"$tmp/out" 2>&1
check "a broken JSON document: one clear error, exit 1" \
    sh -c "test $? -eq 1 && test \$(grep -c 'broken.json' '$tmp/out') -eq 1 && grep -q 'neither JSON lines nor a JSON document' '$tmp/out'"
# a stray byte that is not UTF-8 costs the byte, not the article
printf '{"id":"u1","title":"\330\256\330\250\330\261 \377 \330\254\330\257\331\212\330\257","body":"\331\206\330\265 \376"}\n' >"$tmp/bad-utf8.jsonl"
"$K" ingest --index "$tmp/ixu" "$tmp/bad-utf8.jsonl" >"$tmp/out" 2>"$tmp/err"
check "JSONL with bytes that are not UTF-8: ingested, exit 0, a warning" \
    sh -c "test $? -eq 0 && grep -q 'bad-utf8.jsonl:1: bytes that are not UTF-8 replaced by U+FFFD' '$tmp/err'"
"$K" show --index "$tmp/ixu" --json u1 >"$tmp/u1" 2>&1
check "the bad byte is U+FFFD, the rest kept" grep -q '"title":"خبر � جديد"' "$tmp/u1"
echo "1..$n"
