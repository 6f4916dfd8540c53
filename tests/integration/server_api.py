"""Checks of khabar serve's API (run by server_api.sh): URL KHABAR INDEX SRC."""
import json
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

url, khabar, index, src = sys.argv[1:5]
n = 0
failed = 0


def check(name, cond, detail=""):
    global n, failed
    n += 1
    if cond:
        print(f"ok {n} - {name}")
    else:
        failed += 1
        print(f"not ok {n} - {name}" + (f": {detail}" if detail else ""))


def get(path, params=None, headers=None, data=None, method=None):
    """(status, headers, body bytes)."""
    full = url.rstrip("/") + path
    if params:
        full += "?" + urllib.parse.urlencode(params)
    req = urllib.request.Request(full, data=data, headers=headers or {},
                                 method=method)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def jget(path, params=None, **kw):
    st, h, body = get(path, params, **kw)
    try:
        return st, json.loads(body.decode("utf-8"))
    except ValueError:
        return st, None


# Search: shape, paging, filters.
st, r = jget("/api/search", {"q": "ولي العهد"})
check("search answers 200 with JSON", st == 200 and r is not None, st)
hit_keys = {"id", "title", "url", "source", "date", "score", "snippet"}
check("search: total, took_ms, page, hits with their fields",
      r and r["total"] > 10 and r["page"] == 1 and len(r["hits"]) == 10
      and all(hit_keys <= set(h) for h in r["hits"]), r and r.get("total"))
check("search: snippets highlight with <mark>",
      r and any("<mark>" in (h["snippet"] or "") for h in r["hits"]))
first_ids = [h["id"] for h in r["hits"]] if r else []
st, r2 = jget("/api/search", {"q": "ولي العهد", "page": 2})
check("search: page 2 holds other hits",
      st == 200 and r2["page"] == 2 and r2["hits"]
      and not set(first_ids) & {h["id"] for h in r2["hits"]})
st, r = jget("/api/search", {"q": "الحكومة", "source": "sabq", "n": 20})
check("search: source= keeps that source only",
      st == 200 and r["hits"] and all(h["source"] == "sabq" for h in r["hits"]))
st, r = jget("/api/search", {"q": "الحكومة", "since": "2015-08-01",
                             "until": "2015-08-05", "n": 50})
check("search: since/until keep the dates inside",
      st == 200 and r["hits"] and all("2015-08-01" <= h["date"][:10] <= "2015-08-05"
                                      for h in r["hits"]))
st, r = jget("/api/search", {"q": "النفط (الغاز"})
check("search: a syntax error is 400 with the offset in q",
      st == 400 and r["error"]["status"] == 400 and r["error"].get("offset") == 11,
      r)
st, r = jget("/api/search", {"q": "x", "since": "yesterday"})
check("search: a bad date is 400 naming the parameter",
      st == 400 and r["error"]["message"].startswith("since"), r)
st, r = jget("/api/search", {"q": "x", "since": "2015-09-01",
                             "until": "2015-08-01"})
check("search: until before since names until, with no offset into q",
      st == 400 and r["error"]["message"].startswith("until: ")
      and "offset" not in r["error"], r)
st, r = jget("/api/search", {"q": "x", "source": "sabq", "entity": "123"})
check("search: an entity with no letter names entity, not q",
      st == 400 and r["error"]["message"].startswith("entity: ")
      and "offset" not in r["error"], r)
st, r = jget("/api/search", {"q": "since:2015-09-01 until:2015-08-01"})
check("search: the same in q names q, with its offset",
      st == 400 and r["error"]["message"].startswith("q: ")
      and r["error"].get("offset") == 17, r)
st, r = jget("/api/entities", {"q": "123"})
check("entities: a name with no letter names q",
      st == 400 and r["error"]["message"].startswith("q: "), r)
st, r = jget("/api/search", {"q": "x", "n": "1000"})
check("search: n above 100 is 400", st == 400, st)
st, r = jget("/api/search", {"q": "x", "collapse": "2"})
check("search: collapse=2 is 400 naming the parameter",
      st == 400 and r["error"]["message"] == "collapse: must be 0 or 1", r)
st, r = jget("/api/search", {"q": "x", "collapse": "1"})
check("search: collapse=1 is the default", st == 200, st)
# A NUL (%00) is white space in a query, not its end.
st, r = jget("/api/search", {"q": "ولي\x00العهد", "n": 20})
st2, r2 = jget("/api/search", {"q": "ولي العهد", "n": 20})
st3, r3 = jget("/api/search", {"q": "ولي", "n": 20})
check("search: q=a%00b searches a and b, not a alone",
      st == 200 and r["query"] == "ولي العهد" and r["total"] == r2["total"]
      and [h["id"] for h in r["hits"]] == [h["id"] for h in r2["hits"]]
      and r["total"] != r3["total"], (r and r.get("total"), r2 and r2["total"]))

# Wire copies collapse; collapse=0 lists them.
st, r = jget("/api/search", {"q": "واس", "n": 100})
grouped = [h for h in r["hits"] if h.get("copies", 0) > 1] if r else []
check("search: a wire group is one hit with copies and sources",
      grouped and len(grouped[0]["sources"]) >= 1, len(grouped))

# Articles, related, stories.
st, a = jget("/api/articles/snn-007320")
check("article: the stored article with its body",
      st == 200 and a["id"] == "snn-007320" and len(a["body"]) > 200)
st, r = jget("/api/articles/snn-007320/related", {"n": 3})
check("related: at most n hits, never the article itself",
      st == 200 and 0 < len(r["hits"]) <= 3
      and all(h["id"] != "snn-007320" for h in r["hits"]))
st, s = jget("/api/stories/snn-007320")
check("story: its articles oldest first, sources, label",
      st == 200 and s["articles_count"] == len(s["articles"]) >= 1
      and any(x["id"] == "snn-007320" for x in s["articles"])
      and [x["date"] for x in s["articles"]] == sorted(x["date"] for x in s["articles"])
      and s["label"])
st, r = jget("/api/articles/no-such-id")
check("article: unknown id is 404 JSON", st == 404 and r["error"]["status"] == 404)
st, r = jget("/api/stories/no-such-id")
check("story: unknown id is 404", st == 404)
st, r = jget("/api/articles/snn-007320/related", {"n": "x"})
check("related: a bad n is 400", st == 400)

# The app's page of an article the index lacks says 404 (the app itself
# says "not found"); one it holds, 200.
st, h, body = get("/article/snn-007320")
check("app page of a held article: 200, HTML", st == 200
      and h["Content-Type"].startswith("text/html"), st)
st, h, body = get("/article/no-such-article")
check("app page of a missing article: 404, still the app",
      st == 404 and h["Content-Type"].startswith("text/html")
      and b"<html" in body.lower(), st)
st, h, body = get("/story/no-such-article")
check("app page of a missing story: 404", st == 404, st)

# Atom.
st, h, body = get("/feeds/search.atom", {"q": "(" * 40 + "x"})
err = json.loads(body)["error"] if st == 400 else {}
check("feed: a query error names q, with its offset",
      st == 400 and err.get("message", "").startswith("q: ") and "offset" in err,
      body[:200])
st, h, body = get("/feeds/search.atom", {"q": "الحكومة"})
ns = "{http://www.w3.org/2005/Atom}"
try:
    feed = ET.fromstring(body)
    entries = feed.findall(ns + "entry")
    dates = [e.find(ns + "updated").text for e in entries]
    ok = (st == 200 and h["Content-Type"].startswith("application/atom+xml")
          and 0 < len(entries) <= 20 and dates == sorted(dates, reverse=True)
          and all(e.find(ns + "title").text for e in entries))
except ET.ParseError as e:
    ok, entries = False, str(e)
check("feed: Atom that parses, newest first, at most 20 entries", ok)

# Subscriptions: the same answer whether or not already subscribed.
form = urllib.parse.urlencode({"email": "reader@example.com", "query": "توكاييف",
                               "frequency": "daily"}).encode()
hdr = {"Content-Type": "application/x-www-form-urlencoded"}
s1 = get("/api/subscriptions", data=form, headers=hdr)
s2 = get("/api/subscriptions", data=form, headers=hdr)
check("subscribe: 202, and the same bytes the second time",
      s1[0] == 202 and s2[0] == 202 and s1[2] == s2[2], (s1[0], s2[0]))
bad = urllib.parse.urlencode({"email": "not-an-address", "query": "x"}).encode()
st, h, body = get("/api/subscriptions", data=bad, headers=hdr)
check("subscribe: a bad address is 400 naming email",
      st == 400 and json.loads(body)["error"]["message"].startswith("email"))
bad = json.dumps({"email": "a@b.org", "query": "(x", "frequency": "daily"}).encode()
st, h, body = get("/api/subscriptions", data=bad,
                  headers={"Content-Type": "application/json"})
check("subscribe: a query that does not parse is 400 naming query",
      st == 400 and json.loads(body)["error"]["message"].startswith("query"))
rows = subprocess.run(["python3", "-c", """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
print(db.execute("select count(*), min(s.email), min(q.frequency), max(q.confirmed), (select count(*) from outbox where kind='confirm') from saved_query q join subscriber s on s.id = q.subscriber").fetchone())
""", index + "/subscriptions.db"], capture_output=True, text=True).stdout.strip()
check("subscribe: one stored request, unconfirmed, one confirmation mail queued",
      rows == "(1, 'reader@example.com', 'daily', None, 1)", rows)

# Ingest over HTTP, then by another process while the server runs.
art = {"id": "http-1", "source": "test", "date": "2026-11-30",
       "title": "خبر تجريبي عن الزرافات", "body": "زرافوفيتش زرقاء نادرة في حديقة الرياض"}
st, h, body = get("/api/articles", data=json.dumps(art).encode(),
                  headers={"Content-Type": "application/json",
                           "Authorization": "Bearer s3cret"})
check("ingest: 201 with the id", st == 201 and json.loads(body)["id"] == "http-1",
      (st, body[:200]))


def found(word, deadline=3.0):
    end = time.time() + deadline
    while time.time() < end:
        st, r = jget("/api/search", {"q": word})
        if st == 200 and r["total"] > 0:
            return r["hits"][0]["id"]
        time.sleep(0.1)
    return None


check("ingest: searchable within a second or so", found("زرافوفيتش") == "http-1")

# The feed lists the newest matches of all: a new article that says the
# word once in a long text (far from the best by relevance, among the
# sample's hundreds of matches) comes first.
filler = " ".join(["وقال المتحدث إن الاجتماع ناقش عددا من الملفات المهمة"] * 30)
art = {"id": "http-2", "source": "test", "date": "2026-12-01",
       "title": "اجتماع موسع في قنفذستان",
       "body": filler + " وأعلنت الحكومة موعد الاجتماع المقبل."}
st, h, body = get("/api/articles", data=json.dumps(art).encode(),
                  headers={"Content-Type": "application/json",
                           "Authorization": "Bearer s3cret"})
found("قنفذستان")
# Each worker's reader sees the article within a second of the commit.
end = time.time() + 3
while True:
    st, h, body = get("/feeds/search.atom", {"q": "الحكومة"})
    try:
        ids = [e.find(ns + "id").text
               for e in ET.fromstring(body).findall(ns + "entry")]
    except ET.ParseError as e:
        ids = [str(e)]
    if "urn:khabar:article:http-2" in ids or time.time() > end:
        break
    time.sleep(0.1)
check("feed: the newest matching article first, however weak its match",
      st == 200 and ids and ids[0] == "urn:khabar:article:http-2", ids[:3])
# The server's writer lets the lock go after 5 idle seconds; khabar ingest
# waits for nothing, so retry for a while.
line = json.dumps({"id": "cli-1", "title": "خبر من سطر الأوامر",
                   "body": "سنجابوفيتش بحري في جدة"}, ensure_ascii=False)
ok = False
for _ in range(40):
    p = subprocess.run([khabar, "ingest", "--index", index, "-"], input=line,
                       capture_output=True, text=True)
    if p.returncode == 0:
        ok = True
        break
    time.sleep(0.25)
check("khabar ingest in another process gets the lock after the server's "
      "writer is idle", ok, p.stderr[-200:])
check("... and the server sees that article", found("سنجابوفيتش") == "cli-1")

# Characters XML 1.0 forbids (U+FFFE, U+FFFF, a C0 control) in an article:
# its feed must still be XML.
art = {"id": "http-3", "source": "test", "date": "2026-12-02",
       "title": "خبر \ufffe عن بطريقستان",
       "body": "نص \uffff فيه \u0001 بطريقستان وما يمنعه XML."}
st, h, body = get("/api/articles", data=json.dumps(art).encode(),
                  headers={"Content-Type": "application/json",
                           "Authorization": "Bearer s3cret"})
end = time.time() + 3
while True:
    st, h, body = get("/feeds/search.atom", {"q": "بطريقستان"})
    if b"http-3" in body or time.time() > end:
        break
    time.sleep(0.1)
try:
    ET.fromstring(body)
    parsed = "ok"
except ET.ParseError as e:
    parsed = str(e)
lint = subprocess.run(["xmllint", "--noout", "-"], input=body,
                      capture_output=True) if shutil.which("xmllint") else None
check("feed: an article with U+FFFE, U+FFFF and a control character is "
      "in well-formed XML (ElementTree, xmllint)",
      b"http-3" in body and parsed == "ok"
      and (lint is None or lint.returncode == 0),
      (parsed, lint and lint.stderr[:200]))

# Health and metrics.
st, r = jget("/healthz")
check("healthz: ok with the article count",
      st == 200 and r["status"] == "ok" and r["articles"] == 2004, r)
st, h, body = get("/metrics")
text = body.decode()
check("metrics: Prometheus text with requests, latencies, index and ingest",
      st == 200 and 'khabar_http_requests_total{route="search",code="2xx"}' in text
      and 'khabar_http_request_duration_seconds_bucket{route="search",le="+Inf"}' in text
      and "khabar_index_articles 2004" in text
      and "khabar_ingested_articles_total 3" in text
      and "khabar_subscription_requests_total 2" in text)

# The web UI's pages and files.
for path in ["/", "/search?q=x", "/article/snn-007320", "/story/snn-007320"]:
    st, h, body = get(path)
    check(f"web: {path} is the RTL page",
          st == 200 and b'dir="rtl"' in body and h["Content-Type"].startswith("text/html"))
st, h, body = get("/static/app.js")
check("web: app.js", st == 200 and h["Content-Type"].startswith("text/javascript"))
st, h, body = get("/fonts/Amiri-Regular.ttf")
check("web: the Amiri font is served (fonts-hosny-amiri)",
      st == 200 and len(body) > 100000 or st == 404)

print(f"1..{n}")
sys.exit(1 if failed else 0)
