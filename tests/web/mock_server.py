#!/usr/bin/env python3
"""A stand-in for `khabar serve`, for developing the web UI before the real
server exists.  Serves web/ and answers the JSON API of docs/api.md by running
the khabar CLI (`search/show/story/related --json`) over an index.

    python3 tests/web/mock_server.py --index DIR [--khabar build/khabar] [--port 0]

Prints `khabar: serving http://127.0.0.1:PORT/` like the real server.
"""
import argparse
import json
import os
import re
import subprocess
import sys
from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler
from urllib.parse import urlsplit, parse_qs

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
FONTS = "/usr/share/fonts/opentype/fonts-hosny-amiri"
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def run(args):
    p = subprocess.run([OPTS.khabar] + args, capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


class H(BaseHTTPRequestHandler):
    def log_message(self, fmt, *a):
        if OPTS.verbose:
            sys.stderr.write("mock: " + fmt % a + "\n")

    def send(self, status, body, ctype):
        if isinstance(body, str):
            body = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def json(self, status, obj):
        self.send(status, json.dumps(obj, ensure_ascii=False), "application/json; charset=utf-8")

    def error(self, status, message, offset=None):
        e = {"status": status, "message": message}
        if offset is not None:
            e["offset"] = offset
        self.json(status, {"error": e})

    def file(self, path, ctype):
        try:
            with open(path, "rb") as f:
                self.send(200, f.read(), ctype)
        except OSError:
            self.error(404, "not found")

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        u = urlsplit(self.path)
        p = u.path
        qs = {k: v[-1] for k, v in parse_qs(u.query, keep_blank_values=True).items()}
        if p in ("/", "/search") or re.match(r"^/(article|story)/[^/]+$", p):
            return self.file(os.path.join(ROOT, "web/index.html"), "text/html; charset=utf-8")
        if p == "/static/app.js":
            return self.file(os.path.join(ROOT, "web/app.js"), "text/javascript; charset=utf-8")
        if p == "/static/style.css":
            return self.file(os.path.join(ROOT, "web/style.css"), "text/css; charset=utf-8")
        if p in ("/fonts/Amiri-Regular.ttf", "/fonts/Amiri-Bold.ttf"):
            return self.file(os.path.join(FONTS, p.rsplit("/", 1)[1]), "font/ttf")
        if p == "/api/search":
            return self.search(qs)
        m = re.match(r"^/api/articles/([^/]+)(/related)?$", p)
        if m:
            if m.group(2):
                n = qs.get("n", "5")
                rc, out, err = run(["related", "--index", OPTS.index, "--json", "-n", n, m.group(1)])
                if rc:
                    return self.error(404, "no article with id " + m.group(1))
                d = json.loads(out)
                for h in d["hits"]:
                    h.pop("snippet", None)
                return self.json(200, d)
            rc, out, err = run(["show", "--index", OPTS.index, "--json", m.group(1)])
            if rc:
                return self.error(404, "no article with id " + m.group(1))
            return self.send(200, out, "application/json; charset=utf-8")
        m = re.match(r"^/api/stories/([^/]+)$", p)
        if m:
            rc, out, err = run(["story", "--index", OPTS.index, "--json", m.group(1)])
            if rc:
                return self.error(404, "no article with id " + m.group(1))
            return self.send(200, out, "application/json; charset=utf-8")
        if p == "/healthz":
            return self.json(200, {"status": "ok", "articles": 2000})
        return self.error(404, "no route " + p)

    def search(self, qs):
        q = qs.get("q", "")
        parts = [q]
        for k in ("source", "since", "until"):
            if qs.get(k):
                if k != "source" and not re.match(r"^\d{4}-\d\d-\d\d", qs[k]):
                    return self.error(400, "%s: not an ISO 8601 date" % k)
                parts.append("%s:%s" % (k, qs[k]))
        try:
            page = int(qs.get("page", "1"))
            n = int(qs.get("n", "10"))
            assert page >= 1 and 1 <= n <= 100
        except (ValueError, AssertionError):
            return self.error(400, "page/n: not a valid number")
        args = ["search", "--index", OPTS.index, "--json", "-n", str(n), "--offset", str((page - 1) * n)]
        if qs.get("collapse") == "0":
            args.append("--no-collapse")
        rc, out, err = run(args + [" ".join(parts)])
        if rc:
            m = re.search(r"column (\d+): (.*)", err)
            msg = "query: " + (m.group(2) if m else err.strip())
            return self.error(400, msg, int(m.group(1)) - 1 if m else 0)
        d = json.loads(out)
        for h in d["hits"]:
            if h.get("snippet"):
                h["snippet"] = h["snippet"].replace("<b>", "<mark>").replace("</b>", "</mark>")
        d = {"query": q, "total": d["total"], "total_exact": d["total_exact"], "took_ms": d["took_ms"],
             "page": page, "per_page": n, "hits": d["hits"]}
        return self.json(200, d)

    def do_POST(self):
        u = urlsplit(self.path)
        if u.path != "/api/subscriptions":
            return self.error(404 if u.path != "/api/articles" else 403, "no route " + u.path)
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n).decode("utf-8", "replace")
        ct = (self.headers.get("Content-Type") or "").split(";")[0].strip()
        if ct == "application/json":
            try:
                f = json.loads(raw)
            except ValueError:
                return self.error(400, "body: not JSON")
        elif ct == "application/x-www-form-urlencoded":
            f = {k: v[-1] for k, v in parse_qs(raw, keep_blank_values=True).items()}
        else:
            return self.error(415, "unsupported content type " + ct)
        if not EMAIL.match(str(f.get("email", ""))):
            return self.error(400, "email: not an e-mail address")
        if not str(f.get("query", "")).strip():
            return self.error(400, "query: empty")
        if f.get("frequency") not in ("immediate", "daily", "weekly"):
            return self.error(400, "frequency: must be immediate, daily or weekly")
        return self.json(202, {"status": "pending", "message": "تم استلام طلبك. ستصلك رسالة لتأكيد الاشتراك على هذا العنوان."})


def main():
    global OPTS
    ap = argparse.ArgumentParser()
    ap.add_argument("--index", required=True)
    ap.add_argument("--khabar", default=os.path.join(ROOT, "build/khabar"))
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("-v", "--verbose", action="store_true")
    OPTS = ap.parse_args()
    srv = ThreadingHTTPServer(("127.0.0.1", OPTS.port), H)
    print("khabar: serving http://127.0.0.1:%d/" % srv.server_address[1], flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()
