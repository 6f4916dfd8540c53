"""Khabar's newsletters end to end, against a real SMTP server (aiosmtpd).

Run by alerts_e2e.sh: KHABAR (the binary) and KH_SRCDIR (the repository)
in the environment.  Starts an SMTP server on 127.0.0.1, `khabar serve`
over a fresh index with --smtp and --mail-every 1, and follows a reader
through the form, the confirmation mail, the digests, the Atom feed of a
subscription, the one-click unsubscribe (RFC 8058), bad input at the
form, and `khabar digest --print/--send` from the command line.  Prints
TAP lines.
"""
import email
import email.policy
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from collections import Counter

from aiosmtpd.controller import Controller

KHABAR = os.environ.get("KHABAR", "build/khabar")
SRC = os.environ.get("KH_SRCDIR", ".")
TOKEN = "t0ken-e2e"
SAN_RE = re.compile(r"ERROR: [A-Za-z]*Sanitizer|runtime error:")

n = 0
failed = 0


def check(name, cond, detail=""):
    global n, failed
    n += 1
    if cond:
        print(f"ok {n} - {name}", flush=True)
    else:
        failed += 1
        detail = str(detail).replace("\n", "\\n")
        if len(detail) > 600:
            detail = detail[:600] + "..."
        print(f"not ok {n} - {name}" + (f": {detail}" if detail else ""),
              flush=True)
    return bool(cond)


def skip(name, why):
    global n
    n += 1
    print(f"ok {n} - {name} # SKIP {why}", flush=True)


def note(text):
    for line in str(text).splitlines():
        print(f"# {line}", flush=True)


# ---- The SMTP server ------------------------------------------------------


class Store:
    """Every message the SMTP server accepted: envelope and raw bytes."""

    def __init__(self):
        self.lock = threading.Lock()
        self.items = []

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        with self.lock:
            self.items.append({"from": envelope.mail_from,
                               "rcpt": list(envelope.rcpt_tos),
                               "raw": bytes(raw),
                               "at": time.time()})
            k = len(self.items)
        dump = os.environ.get("KH_MAIL_DUMP")  # a directory, for debugging
        if dump:
            os.makedirs(dump, exist_ok=True)
            with open(os.path.join(dump, f"{k:03d}.eml"), "wb") as f:
                f.write(raw)
        return "250 OK"

    def all(self):
        with self.lock:
            return list(self.items)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def parse(raw):
    return email.message_from_bytes(raw, policy=email.policy.default)


def parts_of(msg):
    """(text, html) of a multipart/alternative message; None when missing."""
    text = html = None
    if msg.get_content_type() != "multipart/alternative":
        return None, None
    for p in msg.iter_parts():
        if p.get_content_type() == "text/plain" and text is None:
            text = p.get_content()
        elif p.get_content_type() == "text/html" and html is None:
            html = p.get_content()
    return text, html


def to_addr(item, addr):
    return any(r.lower() == addr.lower() for r in item["rcpt"])


def is_digest(item):
    return parse(item["raw"])["List-Unsubscribe"] is not None


def mails(store, addr, digest=None, since=0):
    out = []
    for it in store.all():
        if not to_addr(it, addr) or it["at"] < since:
            continue
        if digest is None or is_digest(it) == digest:
            out.append(it)
    return out


def wait_for(pred, timeout):
    end = time.time() + timeout
    while True:
        v = pred()
        if v or time.time() >= end:
            return v
        time.sleep(0.1)


ARABIC = re.compile(r"[\u0600-\u06FF]")

# ---- HTTP -----------------------------------------------------------------


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a, **kw):
        return None


opener = urllib.request.build_opener(NoRedirect)


def http(url, data=None, headers=None, method=None):
    """(status, headers, body bytes)."""
    req = urllib.request.Request(url, data=data, headers=headers or {},
                                 method=method)
    try:
        with opener.open(req, timeout=15) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def run(args, **kw):
    p = subprocess.run([KHABAR] + args, capture_output=True, timeout=60,
                       **kw)
    cli_stderr.append(p.stderr.decode("utf-8", "replace"))
    return p


cli_stderr = []

# ---- Start ------------------------------------------------------------------

tmp = tempfile.mkdtemp(prefix="khabar-alerts-")
IX = os.path.join(tmp, "ix")
store = Store()
smtp_port = free_port()
controller = Controller(store, hostname="127.0.0.1", port=smtp_port)
controller.start()
SMTP_URL = f"smtp://127.0.0.1:{smtp_port}"
server = None
serve_err_path = os.path.join(tmp, "serve.err")


def subscriptions():
    """{(email, query): row} from `khabar subscriptions --json`."""
    p = run(["subscriptions", "--index", IX, "--json"])
    rows = {}
    for line in p.stdout.decode("utf-8", "replace").splitlines():
        if line.strip():
            r = json.loads(line)
            rows[(r["email"], r["query"])] = r
    return rows


def stop_server():
    global server
    if server is None:
        return None
    server.send_signal(signal.SIGTERM)
    try:
        rc = server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
        rc = server.wait()
    server = None
    return rc


def main():
    global server
    sample = os.path.join(SRC, "data/sample/saudinewsnet-2000.jsonl.gz")
    p = run(["ingest", "--index", IX, sample])
    if not check("ingest the sample into a fresh index", p.returncode == 0,
                 p.stderr.decode("utf-8", "replace")):
        return
    server = subprocess.Popen(
        [KHABAR, "serve", "--index", IX, "--listen", "127.0.0.1:0",
         "--token", TOKEN, "--smtp", SMTP_URL, "--mail-every", "1",
         "--threads", "2"],
        stdout=subprocess.PIPE, stderr=open(serve_err_path, "wb"))
    line = server.stdout.readline().decode("utf-8", "replace")
    m = re.match(r"khabar: serving (http://127\.0\.0\.1:\d+)/", line)
    if not check("the server starts with --smtp and prints its URL",
                 m is not None, line):
        return
    base = m.group(1)

    def api(path, **kw):
        return http(base + path, **kw)

    def subscribe(addr, query, frequency="immediate"):
        body = urllib.parse.urlencode({"email": addr, "query": query,
                                       "frequency": frequency}).encode()
        return api("/api/subscriptions", data=body, headers={
            "Content-Type": "application/x-www-form-urlencoded"})

    def post_article(art):
        return api("/api/articles", data=json.dumps(art).encode("utf-8"),
                   headers={"Content-Type": "application/json",
                            "Authorization": "Bearer " + TOKEN})

    # The saved searches.  Juxtaposed words are all required: articles
    # need both the made-up word and the real one.
    WORD = "زمردستان"
    Q_A = f"{WORD} النفط"
    Q_B = "قرنفلستان"
    A, B, C = "reader.a@example.com", "reader.b@example.org", \
        "reader.c@example.net"

    # ---- 2. The form ----------------------------------------------------
    st1, _, body1 = subscribe(A, Q_A)
    check("POST /api/subscriptions (form) answers 202", st1 == 202,
          (st1, body1[:300]))
    st2, _, body2 = subscribe(A, Q_A)
    check("a second request for the same address: 202, byte-identical body",
          st2 == 202 and body2 == body1, (st2, body1, body2))
    st3, _, body3 = subscribe(B, Q_B)
    check("a new address gets the same answer (nobody learns who is "
          "subscribed)", st3 == 202 and body3 == body1, (st3, body3))

    # ---- 3. The confirmation mail --------------------------------------
    got = wait_for(lambda: mails(store, A) and mails(store, B), 15)
    check("the confirmation mails arrive within 15 s", got,
          [it["rcpt"] for it in store.all()])
    confirm_url = {}
    for addr, query in ((A, Q_A), (B, Q_B)):
        items = mails(store, addr)
        if not items:
            check(f"confirmation mail to {addr}", False, "none arrived")
            continue
        msg = parse(items[0]["raw"])
        hdr_ok = all(msg[h] for h in ("From", "To", "Date", "Message-ID"))
        check(f"confirmation to {addr}: From, To, Date, Message-ID",
              hdr_ok and addr in str(msg["To"]),
              {h: msg[h] for h in ("From", "To", "Date", "Message-ID")})
        subj = str(msg["Subject"] or "")
        check(f"confirmation to {addr}: the Subject decodes to Arabic with "
              "the query", ARABIC.search(subj) and query in subj, subj)
        text, html = parts_of(msg)
        check(f"confirmation to {addr}: multipart/alternative with "
              "text/plain and text/html", text and html,
              msg.get_content_type())
        links = re.findall(re.escape(base) + r"/confirm\?t=[A-Za-z0-9_-]+",
                           text or "")
        check(f"confirmation to {addr}: the text part has the confirm link "
              f"{base}/confirm?t=...", links, (text or "")[:400])
        if links:
            confirm_url[addr] = links[0]
            check(f"confirmation to {addr}: the HTML part has the same link",
                  links[0] in (html or ""), "")
    check("one confirmation for two identical requests",
          len(mails(store, A)) == 1, len(mails(store, A)))

    # Double opt-in: a matching article before confirming sends nothing.
    pre = {"id": "zm-pre", "source": "zmrd", "date": "2026-11-29T10:00:00Z",
           "url": "https://news.example.com/zm/pre",
           "title": f"{WORD} تعلن عن حقل النفط الجديد قبل التأكيد",
           "body": f"أعلنت {WORD} اليوم عن اكتشاف حقل النفط الجديد في "
                   "الصحراء الشرقية وقالت وزارة الطاقة إن الإنتاج سيبدأ "
                   "خلال العام المقبل بعد استكمال الدراسات الفنية اللازمة."}
    st, _, b = post_article(pre)
    check("POST /api/articles with the token: 201", st == 201, (st, b))
    time.sleep(3)
    a_items = mails(store, A)
    check("double opt-in: before confirming, a matching article sends no "
          "digest (only the confirmation)",
          len(a_items) == 1 and not any(is_digest(i) for i in a_items),
          [str(parse(i["raw"])["Subject"]) for i in a_items])

    # ---- 4. Confirming ------------------------------------------------------
    url_a = confirm_url.get(A)
    if url_a:
        tok = url_a.split("t=", 1)[1]
        i = len(tok) // 2
        forged = tok[:i] + ("A" if tok[i] != "A" else "B") + tok[i + 1:]
        st, _, b = http(f"{base}/confirm?t={forged}")
        check("a forged confirm token (one character changed): 400, not "
              "valid, said in Arabic",
              st == 400 and b"already used" not in b
              and "هذا الرابط غير صالح".encode() in b, (st, b[-300:]))
        st, _, b = http(f"{base}/confirm?t={tok[:-6]}")
        check("a confirm token cut short: 400", st == 400, (st, b[-300:]))
        st, _, b = http(f"{base}/confirm")
        check("/confirm without a token: 400", st == 400, st)
        rows = subscriptions()
        check("after the refused links the subscription is still "
              "unconfirmed",
              rows.get((A, Q_A), {}).get("state") == "unconfirmed", rows)
        st, h, b = http(url_a)
        check("GET the confirm link: 200 page",
              st == 200 and "text/html" in (h.get("Content-Type") or "")
              and b'data-ok="1"' in b, (st, b[-300:]))
        st, _, b = http(url_a)
        check("GET the confirm link again: 400, already used, said in Arabic",
              st == 400 and b'data-reason="this link was already used"' in b
              and "استُخدم هذا الرابط من قبل".encode() in b, (st, b[-300:]))
        rows = subscriptions()
        check("the subscription is confirmed",
              rows.get((A, Q_A), {}).get("state") == "confirmed", rows)
    else:
        check("confirm link of the first address", False, "no link")
    if confirm_url.get(B):
        st, _, b = http(confirm_url[B])
        check("the second address confirms too: 200", st == 200, st)

    # ---- 5. The immediate digest --------------------------------------------
    def body_words(tag):
        return (f"قالت مصادر رسمية إن {tag} شهدت اليوم اجتماعا موسعا لبحث "
                "خطط التنمية الاقتصادية وتطوير البنية التحتية في المناطق "
                "الشمالية والجنوبية وأكد المسؤولون أن المشروعات الجديدة "
                "ستوفر آلاف الوظائف للشباب خلال السنوات الخمس المقبلة "
                "وستسهم في تنويع مصادر الدخل الوطني بعيدا عن الاعتماد على "
                "مورد واحد كما ناقش المجتمعون سبل تعزيز التعاون مع "
                "الشركاء الإقليميين والدوليين.")
    wire_body = (f"أعلنت حكومة {WORD} أنها ستخفض إنتاج النفط بمقدار مئة ألف "
                 "برميل يوميا اعتبارا من الشهر المقبل في خطوة تهدف إلى دعم "
                 "استقرار الأسواق العالمية وقال وزير الطاقة في مؤتمر صحفي "
                 "إن القرار جاء بعد مشاورات مكثفة مع الدول المنتجة الأخرى "
                 "وإن الحكومة ستراجع الوضع كل ثلاثة أشهر وأضاف الوزير أن "
                 "الإيرادات ستوجه إلى مشروعات البنية التحتية والتعليم "
                 "والصحة في مختلف المناطق.")
    matching = [
        {"id": "zm-1", "source": "zmrd", "date": "2026-11-29T11:00:00Z",
         "url": "https://news.example.com/zm/1",
         "title": f"{WORD} توقع اتفاقية جديدة لتصدير النفط",
         "body": f"وقعت {WORD} اتفاقية لتصدير النفط إلى الأسواق الآسيوية. "
                 + body_words("العاصمة")},
        {"id": "zm-2", "source": "akhbar", "date": "2026-11-29T12:00:00Z",
         "url": "https://news.example.com/zm/2",
         "title": f"مباحثات بين {WORD} والهند حول أسعار النفط",
         "body": f"بحث وفد من {WORD} مع مسؤولين هنود أسعار النفط. "
                 + body_words("نيودلهي")},
    ]
    wire = [
        {"id": "zm-w1", "source": "spa", "date": "2026-11-29T13:00:00Z",
         "url": "https://news.example.com/zm/w1",
         "title": f"{WORD} تخفض إنتاج النفط مئة ألف برميل",
         "body": wire_body},
        {"id": "zm-w2", "source": "okaz", "date": "2026-11-29T13:05:00Z",
         "url": "https://news.example.com/zm/w2",
         "title": f"خفض إنتاج النفط في {WORD} بمقدار مئة ألف برميل",
         "body": wire_body},
    ]
    nonmatching = [
        {"id": "zm-n1", "source": "akhbar", "date": "2026-11-29T11:30:00Z",
         "url": "https://news.example.com/zm/n1",
         "title": "ارتفاع أسعار النفط في الأسواق العالمية اليوم",
         "body": "ارتفعت أسعار النفط في تعاملات اليوم. "
                 + body_words("الأسواق")},
        {"id": "zm-n2", "source": "zmrd", "date": "2026-11-29T11:40:00Z",
         "url": "https://news.example.com/zm/n2",
         "title": f"مهرجان ثقافي في {WORD} يستقطب الزوار",
         "body": f"افتتح في {WORD} مهرجان للفنون الشعبية. "
                 + body_words("المدينة")},
        {"id": "zm-n3", "source": "akhbar", "date": "2026-11-29T11:50:00Z",
         "url": "https://news.example.com/zm/n3",
         "title": "افتتاح معرض الكتاب الدولي في الرياض",
         "body": "افتتح معرض الكتاب الدولي أبوابه للزوار. "
                 + body_words("الرياض")},
    ]
    t_posted = time.time()
    results = []
    for art in [nonmatching[0], matching[0], wire[0], wire[1], nonmatching[1],
                matching[1], nonmatching[2]]:
        st, _, b = post_article(art)
        results.append((art["id"], st))
    check("POST /api/articles: every article 201",
          all(st == 201 for _, st in results), results)
    match_titles = [a["title"] for a in matching]
    wire_titles = [a["title"] for a in wire]
    non_titles = [a["title"] for a in nonmatching]

    def digests_a():
        return mails(store, A, digest=True, since=t_posted - 1)

    def all_texts():
        out = []
        for it in digests_a():
            t, _ = parts_of(parse(it["raw"]))
            out.append(t or "")
        return "\n".join(out)

    got = wait_for(lambda: all(t in all_texts() for t in match_titles)
                   and any(t in all_texts() for t in wire_titles), 15)
    check("the immediate digest arrives within 15 s", got,
          [str(parse(i["raw"])["Subject"]) for i in mails(store, A)])
    time.sleep(2.5)  # anything more that would come
    digs = digests_a()
    if len(digs) != 1:
        note(f"{len(digs)} digest messages to {A} (the articles may have "
             "straddled a mailer round); checking them together")
    check("the digests went to the subscriber only, not to the other "
          "address", not mails(store, B, digest=True), "")
    text_all, html_all = "", ""
    unsub_url = None
    feed_url = None
    for k, it in enumerate(digs):
        msg = parse(it["raw"])
        tag = f"digest {k + 1}/{len(digs)}"
        subj = str(msg["Subject"] or "")
        check(f"{tag}: the Subject decodes to Arabic text",
              ARABIC.search(subj) and "=?" not in subj, subj)
        check(f"{tag}: Message-ID, Date, From, To",
              all(msg[h] for h in ("Message-ID", "Date", "From", "To"))
              and A in str(msg["To"]),
              {h: msg[h] for h in ("Message-ID", "Date", "From", "To")})
        check(f"{tag}: List-Id", msg["List-Id"] is not None, msg["List-Id"])
        lu = str(msg["List-Unsubscribe"] or "")
        lum = re.fullmatch(r"\s*<(https?://[^>]+)>\s*", lu)
        check(f"{tag}: List-Unsubscribe is one http URL on the server",
              lum and lum.group(1).startswith(base + "/"), lu)
        if lum:
            unsub_url = lum.group(1)
        check(f"{tag}: List-Unsubscribe-Post: List-Unsubscribe=One-Click",
              str(msg["List-Unsubscribe-Post"] or "").strip()
              == "List-Unsubscribe=One-Click", msg["List-Unsubscribe-Post"])
        text, html = parts_of(msg)
        check(f"{tag}: multipart/alternative, text/plain and text/html "
              "parts not empty", text and text.strip() and html
              and html.strip(), msg.get_content_type())
        text, html = text or "", html or ""
        text_all += text
        html_all += html
        check(f"{tag}: the HTML part has dir=\"rtl\"", 'dir="rtl"' in html,
              html[:200])
        check(f"{tag}: the HTML part has no <img", "<img" not in
              html.lower(), "")
        refs = re.findall(r"""(?i)https?://[^\s"'<>()]+""", html)
        foreign = [u for u in refs if not u.startswith(base + "/")]
        check(f"{tag}: every http reference in the HTML is on the server's "
              "base URL", not foreign, foreign[:5])
        fm = re.search(re.escape(base)
                       + r"/feeds/subscription\.atom\?t=[A-Za-z0-9_-]+", html)
        if fm:
            feed_url = fm.group(0)
    # What the text part lists: the lines "* TITLE" (a story) and "  - TITLE"
    # (another article of that story).
    listed = [m.group(2).strip() for m in
              re.finditer(r"(?m)^(\* |  - )(.+)$", text_all)]
    counts = Counter(listed)
    check("the text part lists each matching article once",
          all(counts[t] == 1 and text_all.count(t) == 1
              for t in match_titles), listed)
    wire_listed = sum(counts[t] for t in wire_titles)
    check("two wire copies of one text (spa, okaz) count once",
          wire_listed == 1, listed)
    leaked = [t for t in non_titles if t in text_all or t in html_all]
    check("no non-matching article in the digest", not leaked, leaked)
    expected = set(match_titles) | set(wire_titles) | {pre["title"]}
    extra = [t for t in listed if t not in expected]
    check("the text part lists nothing but the matching articles",
          listed and not extra, extra or listed)
    if pre["title"] in listed:
        note("the article ingested before confirmation is in the digest")
    else:
        note("the article ingested before confirmation is not in the digest "
             "(it was matched before the query was confirmed)")
    links = sorted(set(re.findall(re.escape(base) + r"/article/[^\s\"'<>]+",
                                  html_all)))
    bad_links = []
    for link in links:
        st, _, _ = http(link)
        if st != 200:
            bad_links.append((link, st))
    check(f"the digest's article links work ({len(links)} links, GET 200)",
          links and not bad_links, bad_links or "no article links")
    check("the HTML part's unsubscribe link is the List-Unsubscribe URL",
          unsub_url and f'href="{unsub_url}"' in html_all, unsub_url)
    html_file = os.path.join(tmp, "digest.html")
    with open(html_file, "w", encoding="utf-8") as f:
        f.write(html_all if len(digs) <= 1 else
                parts_of(parse(digs[0]["raw"]))[1] or "")

    # ---- 6. The HTML in a browser -----------------------------------------
    node = shutil.which("node")
    webdir = os.path.join(SRC, "tests/web")
    pw = os.path.join(webdir, "node_modules/playwright-core")
    if node is None:
        skip("the digest's HTML renders in Chromium", "node missing")
    elif not os.access("/usr/bin/chromium", os.X_OK):
        skip("the digest's HTML renders in Chromium", "chromium missing")
    elif not os.path.isdir(pw):
        skip("the digest's HTML renders in Chromium",
             "playwright-core missing (npm ci in tests/web)")
    elif not html_all:
        check("the digest's HTML renders in Chromium", False, "no HTML")
    else:
        shot = os.path.join(webdir, "artifacts", "digest-mail.png")
        try:
            os.remove(shot)
        except OSError:
            pass
        try:
            p = subprocess.run(
                [node, os.path.join(SRC, "tests/integration/render_mail.mjs"),
                 html_file, shot], capture_output=True, timeout=60)
            out = p.stdout.decode("utf-8", "replace")
            res = json.loads(out.strip().splitlines()[-1]) if out.strip() \
                else {}
        except (subprocess.TimeoutExpired, ValueError) as e:
            p, res = None, {"error": str(e)}
        ok = (p is not None and p.returncode == 0 and res.get("ok")
              and os.path.getsize(shot) > 1000 if os.path.exists(shot)
              else False)
        check("the digest's HTML renders in headless Chromium "
              "(tests/web/artifacts/digest-mail.png)", ok,
              (res, p and p.stderr.decode("utf-8", "replace")[-300:]))
        check("rendered: right-to-left, no request leaves the page",
              res.get("direction") == "rtl" and not res.get("requests"),
              res)

    # ---- 9. The Atom feed of the subscription ------------------------------
    check("the digest links the subscription's Atom feed", feed_url,
          "no /feeds/subscription.atom?t= link")
    if feed_url:
        st, h, b = http(feed_url)
        entries = []
        try:
            root = ET.fromstring(b)
            ns = "{http://www.w3.org/2005/Atom}"
            entries = root.findall(ns + "entry")
            parsed = root.tag == ns + "feed"
        except ET.ParseError as e:
            parsed = False
            b = str(e).encode()
        check("GET the subscription feed: 200 application/atom+xml",
              st == 200 and (h.get("Content-Type") or "").startswith(
                  "application/atom+xml"), (st, h.get("Content-Type")))
        titles = [(e.findtext("{http://www.w3.org/2005/Atom}title") or "")
                  for e in entries]
        check("the feed parses and has the matching articles as entries",
              parsed and entries and all(t in titles for t in match_titles),
              titles or b[:300])
        # The saved search's semantics: both words required, so an article
        # with only one of them is no entry (the digest left them out).
        wrong = [t for t in titles if t in non_titles]
        check("the subscription feed lists no article the saved search "
              "does not match (all words required)", parsed and not wrong,
              wrong)
        tok = feed_url.split("t=", 1)[1]
        i = len(tok) // 2
        forged = tok[:i] + ("A" if tok[i] != "A" else "B") + tok[i + 1:]
        st, _, b = http(feed_url.split("t=", 1)[0] + "t=" + forged)
        check("a forged feed token: 404", st == 404, (st, b[:200]))

    # ---- 7. Unsubscribing -----------------------------------------------------
    check("the digest has an unsubscribe URL", unsub_url, "")
    if unsub_url:
        before = subscriptions()
        st, h, b = http(unsub_url)
        check("GET the unsubscribe URL: 200, a page with a button",
              st == 200 and b'id="unsubscribe"' in b
              and b'method="post"' in b, (st, b[-300:]))
        after = subscriptions()
        check("GET the unsubscribe URL does not unsubscribe (a link "
              "checker cannot)", before == after
              and after.get((A, Q_A), {}).get("state") == "confirmed",
              (before, after))
        tok = unsub_url.split("t=", 1)[1]
        bad = tok[:len(tok) // 2] + ("A" if tok[len(tok) // 2] != "A" else "B") \
            + tok[len(tok) // 2 + 1:]
        st, _, b = http(unsub_url.split("?", 1)[0] + "?t=" + bad)
        check("GET a forged unsubscribe link: 400, no button, said in Arabic",
              st == 400 and b'id="unsubscribe"' not in b
              and "هذا الرابط غير صالح".encode() in b, (st, b[-300:]))
        st, _, b = http(unsub_url.split("?", 1)[0])
        check("GET /unsubscribe without a token: 400, no button",
              st == 400 and b'id="unsubscribe"' not in b, (st, b[-300:]))
        st, _, b = http(unsub_url, data=b"List-Unsubscribe=One-Click",
                        headers={"Content-Type":
                                 "application/x-www-form-urlencoded"},
                        method="POST")
        check("one-click unsubscribe (RFC 8058 POST): 200",
              st == 200 and b'data-ok="1"' in b, (st, b[-300:]))
        rows = subscriptions()
        check("the subscription is unsubscribed, the other address is not",
              rows.get((A, Q_A), {}).get("state") == "unsubscribed"
              and rows.get((B, Q_B), {}).get("state") == "confirmed", rows)
        t_unsub = time.time()
        late = {"id": "zm-late", "source": "zmrd",
                "date": "2026-11-29T15:00:00Z",
                "url": "https://news.example.com/zm/late",
                "title": f"{WORD} ترفع أسعار النفط بعد الإلغاء",
                "body": f"رفعت {WORD} أسعار النفط. " + body_words("الميناء")}
        st, _, _ = post_article(late)
        check("a matching article after unsubscribing: 201", st == 201, st)
        time.sleep(4)
        check("no digest after the one-click unsubscribe (4 s)",
              not mails(store, A, since=t_unsub),
              [str(parse(i["raw"])["Subject"])
               for i in mails(store, A, since=t_unsub)])

    # ---- 8. Bad input at the form --------------------------------------------
    bad_emails = ["no-at-sign.example.com", "two words@example.com", "a@b",
                  "a" * 288 + "@example.com", "x@y.com\r\nBcc: evil@z.com"]
    for addr in bad_emails:
        st, _, b = subscribe(addr, Q_A)
        try:
            msg = json.loads(b)["error"]["message"]
        except (ValueError, KeyError, TypeError):
            msg = b[:200]
        check(f"a bad address ({addr[:24]!r}{'...' if len(addr) > 24 else ''}"
              "): 400 naming email:", st == 400 and str(msg).startswith(
                  "email:"), (st, msg))
        note(f"  {st} {msg}")
    bad_queries = [("header injection in the query", "نفط\r\nBcc: "
                    "evil@example.com", "query:"),
                   ("a 2,000-byte query", "ن" * 1000, "query:"),
                   ("a query with a syntax error", "النفط (الغاز", "query:")]
    for what, q, want in bad_queries:
        st, _, b = subscribe("reader.d@example.com", q)
        try:
            msg = json.loads(b)["error"]["message"]
        except (ValueError, KeyError, TypeError):
            msg = b[:200]
        check(f"{what}: 400 with {want}", st == 400 and str(msg).startswith(
            want), (st, msg))
        note(f"  {st} {msg}")
    st, _, b = subscribe("reader.d@example.com", Q_A, frequency="hourly")
    check("an unknown frequency: 400 naming frequency:",
          st == 400 and b"frequency:" in b, (st, b[:200]))
    time.sleep(1.5)  # a mailer round after the bad requests

    # ---- 10. The command line, the server stopped ---------------------------
    rc = stop_server()
    err = open(serve_err_path, encoding="utf-8", errors="replace").read()
    check("the server stops on SIGTERM with status 0", rc == 0,
          (rc, err[-800:]))
    check("no sanitizer report in the server's stderr",
          not SAN_RE.search(err), err[-1500:])

    p = run(["digest", "--index", IX, "--frequency", "monthly"])
    check("khabar digest --frequency monthly: exit 2 before any work",
          p.returncode == 2 and b"immediate, daily or weekly" in p.stderr
          and b"digest:" not in p.stdout + p.stderr,
          (p.returncode, p.stdout[:200], p.stderr[:200]))
    p = run(["subscribe", "--index", IX, "--confirmed", "--frequency",
             "daily", C, Q_A])
    check("khabar subscribe --confirmed --frequency daily", p.returncode == 0,
          p.stderr.decode("utf-8", "replace"))
    jl = os.path.join(tmp, "cli.jsonl")
    cli_art = {"id": "zm-cli", "source": "zmrd",
               "date": "2026-11-29T16:00:00Z",
               "url": "https://news.example.com/zm/cli",
               "title": f"{WORD} تبني مصفاة النفط الكبرى",
               "body": f"بدأت {WORD} بناء مصفاة النفط الكبرى. "
                       + body_words("الساحل")}
    with open(jl, "w", encoding="utf-8") as f:
        f.write(json.dumps(cli_art, ensure_ascii=False) + "\n")
    p = run(["ingest", "--index", IX, jl])
    check("khabar ingest of a matching article", p.returncode == 0,
          p.stderr.decode("utf-8", "replace"))
    t_cli = time.time()
    p = run(["digest", "--index", IX, "--print"])
    out = p.stdout.decode("utf-8", "replace")
    check("khabar digest --print: the queued digest to the new address",
          p.returncode == 0 and f"==== to {C}" in out
          and "List-Unsubscribe:" in out and f"To: <{A}>" not in out,
          (p.returncode, p.stderr.decode("utf-8", "replace"), out[:300]))
    time.sleep(0.3)
    check("--print sends nothing", not mails(store, C, since=t_cli - 1),
          len(mails(store, C)))
    p = run(["digest", "--index", IX, "--send", "--smtp", SMTP_URL])
    err1 = p.stderr.decode("utf-8", "replace")
    check("khabar digest --send: exit 0", p.returncode == 0, err1)
    got = wait_for(lambda: mails(store, C), 5)
    c_items = mails(store, C)
    ok = len(c_items) == 1 and is_digest(c_items[0])
    if ok:
        t, _ = parts_of(parse(c_items[0]["raw"]))
        ok = cli_art["title"] in (t or "")
    check("one digest received for the new address, with the article",
          got and ok, [str(parse(i["raw"])["Subject"]) for i in c_items])
    check("no mail to the unsubscribed address from the CLI",
          not mails(store, A, since=t_cli - 1), "")
    before = len(store.all())
    p = run(["digest", "--index", IX, "--send", "--smtp", SMTP_URL])
    err2 = p.stderr.decode("utf-8", "replace")
    time.sleep(0.5)
    check("a second khabar digest --send sends nothing (nothing sent twice)",
          p.returncode == 0 and len(store.all()) == before
          and "0 messages sent" in err2, (p.returncode, err2,
                                          len(store.all()) - before))

    # --now in both steps: what `digest --print --now LATER` queued is due
    # LATER, and `digest --send --now LATER` sends it.  C's query is daily
    # and just had its digest: the next is due a day later.
    cli_art2 = dict(cli_art, id="zm-cli2",
                    url="https://news.example.com/zm/cli2",
                    title=f"{WORD} توسع ميناء تصدير النفط",
                    body=f"قررت {WORD} توسيع ميناء تصدير النفط. "
                         + body_words("الميناء الشرقي"))
    with open(jl, "w", encoding="utf-8") as f:
        f.write(json.dumps(cli_art2, ensure_ascii=False) + "\n")
    p = run(["ingest", "--index", IX, jl])
    later = time.strftime("%Y-%m-%dT%H:%M:%SZ",
                          time.gmtime(time.time() + 2 * 86400))
    p = run(["digest", "--index", IX, "--print", "--now", later])
    out = p.stdout.decode("utf-8", "replace")
    check("khabar digest --print --now (two days on): C's daily digest is "
          "queued", p.returncode == 0 and f"==== to {C}" in out,
          (p.returncode, out[:200]))
    before_c = len(mails(store, C))
    p = run(["digest", "--index", IX, "--send", "--smtp", SMTP_URL,
             "--now", later])
    err3 = p.stderr.decode("utf-8", "replace")
    got = wait_for(lambda: len(mails(store, C)) > before_c, 5)
    new_c = mails(store, C)[before_c:]
    ok = got and len(new_c) == 1
    if ok:
        t, _ = parts_of(parse(new_c[0]["raw"]))
        ok = cli_art2["title"] in (t or "")
    check("khabar digest --send --now (the same time) sends it",
          p.returncode == 0 and ok, (p.returncode, err3, len(new_c)))

    # ---- 8 (end). Nothing ever went to evil@ ---------------------------------
    evil = []
    for it in store.all():
        for r in it["rcpt"]:
            if "evil" in r.lower():
                evil.append(("rcpt", r))
        msg = parse(it["raw"])
        for k, v in msg.items():  # decoded
            if "evil@" in str(v).lower() or k.lower() in ("bcc", "cc"):
                evil.append((k, str(v)))
        # Raw: no Bcc:/Cc: line, no evil@ (an '@' is never base64).
        head = it["raw"].split(b"\r\n\r\n", 1)[0]
        if re.search(rb"(?im)^(bcc|cc)\s*:", head) or \
                b"evil@" in head.lower():
            evil.append(("raw head", head[:300]))
    check(f"no message to evil@*, no Bcc, in {len(store.all())} messages "
          "(envelopes and headers)", not evil, evil[:5])
    bad = [e for e in cli_stderr if SAN_RE.search(e)]
    check("no sanitizer report in the command line runs' stderr", not bad,
          bad[:1])


try:
    main()
except Exception as e:  # a crash of the test itself is a failure
    import traceback
    check("the test ran to its end", False,
          "".join(traceback.format_exception_only(type(e), e)).strip())
    for line in traceback.format_exc().splitlines():
        print("# " + line)
finally:
    if server is not None:
        rc = stop_server()
        err = open(serve_err_path, encoding="utf-8",
                   errors="replace").read()
        check("the server stops on SIGTERM with status 0 (after a failure)",
              rc == 0 and not SAN_RE.search(err), (rc, err[-800:]))
    controller.stop()
    if os.environ.get("KH_KEEP_TMP"):
        note(f"kept {tmp}")
    else:
        shutil.rmtree(tmp, ignore_errors=True)
print(f"1..{n}")
sys.exit(1 if failed else 0)
