#!/usr/bin/env python3
"""A small web server for the fetching tests (tests/integration/follow.sh).

    httpd.py ROOT PORTFILE LOGFILE

Serves the files under ROOT on 127.0.0.1, on a port chosen by the OS and
written to PORTFILE once listening.  Every request is logged to LOGFILE as
"SECONDS PATH USER-AGENT" (monotonic seconds), so a test can tell what was
asked and when.  Files get an ETag (a hash of their bytes) and a
Last-Modified (their mtime) and a matching If-None-Match or
If-Modified-Since gets 304, except under /plain/, served without
validators.  Content types come from the name (.rss, .atom, .html,
.cp1256.html is windows-1256, .txt); HTML is sent gzip-encoded to a client
that accepts it.  Special paths: /hang accepts the request and never
answers, /500 answers 500, /redirect/N redirects to /N, /slow/N serves /N after
1.5 s; anything missing
is a 404.  When ROOT/ROBOTS_STATUS exists, /robots.txt answers with the
status it holds.  The server exits by itself after 10 minutes.
"""
import email.utils
import gzip
import hashlib
import os
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ROOT, PORTFILE, LOGFILE = sys.argv[1], sys.argv[2], sys.argv[3]
log_lock = threading.Lock()

TYPES = [
    (".cp1256.html", "text/html; charset=windows-1256"),
    (".html", "text/html; charset=utf-8"),
    (".rss", "application/rss+xml"),
    (".atom", "application/atom+xml"),
    (".xml", "application/xml"),
    (".txt", "text/plain; charset=utf-8"),
]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def send(self, status, body=b"", headers=()):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body and self.command != "HEAD":
            self.wfile.write(body)

    def do_GET(self):
        path = self.path.split("?", 1)[0]
        with log_lock, open(LOGFILE, "a") as f:
            f.write("%.3f %s %s\n" % (time.monotonic(), self.path,
                                      self.headers.get("User-Agent", "-")))
        if path == "/hang":
            time.sleep(600)
            return
        if path == "/500":
            return self.send(500, b"server error\n")
        status_file = os.path.join(ROOT, "ROBOTS_STATUS")
        if path == "/robots.txt" and os.path.isfile(status_file):
            with open(status_file) as f:
                return self.send(int(f.read().strip()), b"no\n")
        if path.startswith("/slow/"):
            time.sleep(1.5)
            path = path[len("/slow"):]
        if path.startswith("/redirect/"):
            return self.send(302, b"", [("Location", path[len("/redirect"):])])
        rel = os.path.normpath(urllib.parse.unquote(path.lstrip("/")))
        full = os.path.join(ROOT, rel)
        if rel.startswith("..") or not os.path.isfile(full):
            return self.send(404, b"not found\n")
        with open(full, "rb") as f:
            body = f.read()
        ctype = next((t for s, t in TYPES if full.endswith(s)),
                     "application/octet-stream")
        headers = [("Content-Type", ctype)]
        if not path.startswith("/plain/"):
            mtime = int(os.path.getmtime(full))
            etag = '"%s"' % hashlib.sha1(body).hexdigest()[:16]
            headers += [("ETag", etag),
                        ("Last-Modified",
                         email.utils.formatdate(mtime, usegmt=True))]
            inm = self.headers.get("If-None-Match")
            ims = self.headers.get("If-Modified-Since")
            if inm is not None:
                if etag in [t.strip() for t in inm.split(",")]:
                    return self.send(304, b"", headers[1:])
            elif ims is not None:
                try:
                    since = email.utils.parsedate_to_datetime(ims).timestamp()
                except (TypeError, ValueError):
                    since = None
                if since is not None and mtime <= since:
                    return self.send(304, b"", headers[1:])
        if ctype.startswith("text/html") and "gzip" in self.headers.get(
                "Accept-Encoding", ""):
            body = gzip.compress(body)
            headers.append(("Content-Encoding", "gzip"))
        self.send(200, body, headers)


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    tmp = PORTFILE + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % server.server_address[1])
    os.rename(tmp, PORTFILE)
    threading.Timer(600, server.shutdown).start()
    server.serve_forever()


if __name__ == "__main__":
    main()
