#!/usr/bin/env python3
"""Bad input and properties of `khabar serve` (run by server_abuse.sh).

    server_abuse.py URL PID TOKEN TIMEOUT

URL is the running server (http://127.0.0.1:PORT/), PID its process, TOKEN
its --token and TIMEOUT its --timeout in seconds.  Speaks TAP from 1; the
last line is "# done N" (N checks), so that the caller can tell a finished
run from a crashed one.  The random requests are seeded: the seed is
printed, and KH_ABUSE_SEED replays it.  Standard library only.
"""
import http.client
import json
import os
import random
import socket
import sys
import threading
import time
import urllib.parse

URL = sys.argv[1]
PID = int(sys.argv[2])
TOKEN = sys.argv[3]
TIMEOUT = float(sys.argv[4])
_u = urllib.parse.urlsplit(URL)
HOST, PORT = _u.hostname, _u.port

_n = 0
_out = threading.Lock()


def check(name, cond, detail=None, stop=True):
    """One TAP line; the detail (a string or lines) follows a failure."""
    global _n
    with _out:
        _n += 1
        print('%s %d - %s' % ('ok' if cond else 'not ok', _n, name))
        if not cond and detail:
            lines = detail if isinstance(detail, list) else [detail]
            for ln in lines:
                for part in str(ln).splitlines():
                    print('#   ' + part)
        sys.stdout.flush()
    if not cond and stop:
        time.sleep(0.3)  # a dying server may take a moment to go
        if proc_state() in ('Z', 'X', 'gone'):
            raise ServerGone(_group[0])
    return cond


_group = ['start']


def note(msg):
    with _out:
        print('# ' + msg)
        sys.stdout.flush()


class Resp:
    """What came back on one connection."""
    status = None     # int, None when no status line came
    reason = ''
    headers = None    # lower-case name -> value (the last one)
    body = b''        # the bytes after the head (until the close)
    raw = b''
    eof = False       # the server closed the connection
    timed_out = False
    reset = False
    elapsed = 0.0
    complete = False  # a whole response: head and Content-Length bytes

    def ctype(self):
        return (self.headers or {}).get('content-type', '')

    def short(self):
        return '%r (%.2f s, eof=%s, timeout=%s) %r' % (
            self.status, self.elapsed, self.eof, self.timed_out,
            self.raw[:200])


def parse(r, head=False):
    """Fills status, headers, body and complete from r.raw."""
    raw = r.raw
    # Informational answers (100 Continue) come before the real one.
    while True:
        end = raw.find(b'\r\n\r\n')
        if end < 0:
            return
        lines = raw[:end].split(b'\r\n')
        parts = lines[0].split(b' ', 2)
        if len(parts) < 2 or not parts[0].startswith(b'HTTP/') \
                or not parts[1].isdigit():
            return
        status = int(parts[1])
        if 100 <= status < 200 and status != 101:
            raw = raw[end + 4:]
            continue
        break
    r.status = status
    r.reason = parts[2].decode('latin-1') if len(parts) > 2 else ''
    r.headers = {}
    for ln in lines[1:]:
        k, _, v = ln.partition(b':')
        r.headers[k.strip().lower().decode('latin-1')] = \
            v.strip().decode('latin-1')
    r.body = raw[end + 4:]
    cl = r.headers.get('content-length')
    if head or status in (204, 304):
        r.complete = True
    elif cl is not None and cl.isdigit():
        r.complete = len(r.body) >= int(cl)
    elif r.headers.get('transfer-encoding', '').lower() == 'chunked':
        r.complete = r.body.endswith(b'0\r\n\r\n')
    else:
        r.complete = r.eof


def raw_request(data, timeout=5.0, head=False, body_iter=None,
                until_eof=True):
    """Sends data (then the chunks of body_iter, from another thread, so
    that a server answering early is seen) and reads until the server
    closes or timeout seconds pass."""
    r = Resp()
    t0 = time.monotonic()
    try:
        s = socket.create_connection((HOST, PORT), timeout=timeout)
    except OSError as e:
        r.raw = ('connect failed: %s' % e).encode()
        return r
    s.settimeout(timeout)
    sender = None
    try:
        s.sendall(data)
    except OSError:
        pass
    if body_iter is not None:
        def send_body():
            try:
                for chunk in body_iter:
                    s.sendall(chunk)
            except OSError:
                pass
        sender = threading.Thread(target=send_body, daemon=True)
        sender.start()
    buf = bytearray()
    deadline = t0 + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            r.timed_out = True
            break
        s.settimeout(left)
        try:
            d = s.recv(65536)
        except socket.timeout:
            r.timed_out = True
            break
        except ConnectionResetError:
            r.reset = True
            r.eof = True
            break
        except OSError:
            r.eof = True
            break
        if not d:
            r.eof = True
            break
        buf += d
        if not until_eof:
            r.raw = bytes(buf)
            parse(r, head)
            if r.complete:
                break
    r.elapsed = time.monotonic() - t0
    try:
        s.close()
    except OSError:
        pass
    r.raw = bytes(buf)
    parse(r, head)
    return r


def request(method, path, headers=None, body=None, timeout=5.0):
    """A well-formed request with Connection: close."""
    h = {'Host': '%s:%d' % (HOST, PORT), 'Connection': 'close'}
    if headers:
        h.update(headers)
    if body is not None:
        h['Content-Length'] = str(len(body))
    head = ('%s %s HTTP/1.1\r\n' % (method, path)).encode('latin-1')
    for k, v in h.items():
        head += ('%s: %s\r\n' % (k, v)).encode('latin-1') \
            if isinstance(v, str) else k.encode() + b': ' + v + b'\r\n'
    head += b'\r\n'
    return raw_request(head + (body or b''), timeout=timeout,
                       head=(method == 'HEAD'))


def strict_json(body):
    """The body as JSON, decoded as strict UTF-8; raises on either."""
    return json.loads(body.decode('utf-8', errors='strict'))


def json_problem(r):
    """None when a JSON response parses (and, for an error, has the error
    shape with the same status); else what is wrong."""
    try:
        v = strict_json(r.body)
    except UnicodeDecodeError as e:
        return 'invalid UTF-8 in JSON: %s: %r' % (e, r.body[:300])
    except ValueError as e:
        return 'not JSON: %s: %r' % (e, r.body[:300])
    if r.status is not None and r.status >= 400:
        err = v.get('error') if isinstance(v, dict) else None
        if not isinstance(err, dict) or err.get('status') != r.status \
                or not isinstance(err.get('message'), str) \
                or not err.get('message'):
            return 'error shape wrong for %d: %r' % (r.status, r.body[:300])
    return None


def proc_state():
    try:
        with open('/proc/%d/stat' % PID) as f:
            return f.read().rsplit(')', 1)[1].split()[0]
    except OSError:
        return 'gone'


class ServerGone(Exception):
    pass


def alive(group):
    r = request('GET', '/healthz', timeout=5)
    st = proc_state()
    check('after %s: the server runs and /healthz is 200' % group,
          r.status == 200 and st not in ('Z', 'X', 'gone'),
          'healthz %s, process state %s' % (r.short(), st))
    if st in ('Z', 'X', 'gone'):
        raise ServerGone(_group[0])


def is4xx(r):
    return r.status is not None and 400 <= r.status < 500


# ---- 1. malformed request lines ----------------------------------------

def group_malformed():
    limit = TIMEOUT + 2
    cases = [
        ('garbage bytes', bytes([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00,
                                 0xfc, 0x03, 0x03, 0xff, 0xfe, 0x80])
         + bytes(range(256)) + b'\r\n\r\n', False),
        ('GET with nothing else', b'GET\r\n\r\n', False),
        ('no HTTP version', b'GET /healthz\r\n\r\n', False),
        ('HTTP/9.9', b'GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n', True),
        ('a NUL in the method',
         b'G\x00T /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
         False),
        ('a request line of 100 KB',
         b'GET /' + b'a' * 100000 + b' HTTP/1.1\r\nHost: x\r\n\r\n', False),
        ('a header line without a colon',
         b'GET /healthz HTTP/1.1\r\nHost: x\r\nno colon here\r\n'
         b'Connection: close\r\n\r\n', False),
    ]
    for name, data, v505 in cases:
        r = raw_request(data, timeout=limit + 1)
        # 505 is the standard answer to an unknown HTTP version.
        good = is4xx(r) or (v505 and r.status == 505) or \
            (r.status is None and r.eof)
        check('malformed: %s: a 4xx%s or a close, within %.0f s' % (
            name, ' (or 505)' if v505 else '', limit),
              good and r.elapsed <= limit and not r.timed_out, r.short())
    # Tolerated by HTTP (bare LF) or answered by libmicrohttpd itself:
    # reported, not asserted.  libmicrohttpd 0.9.75 ends the target at a
    # NUL before Khabar sees it: the request is served as the shorter path
    # (no crash, no other file; the handler cannot tell).
    r = raw_request(b'GET /healthz\x00junk HTTP/1.1\r\nHost: x\r\n'
                    b'Connection: close\r\n\r\n')
    note('a NUL in the request line: %r (libmicrohttpd cuts the path there)'
         % r.status)
    r = raw_request(b'GET /healthz HTTP/1.1\nHost: x\nConnection: close\n\n')
    note('bare LF line ends: %r (tolerated by RFC 9112)' % r.status)
    r = raw_request(b'GET /healthz HTTP/1.1\r\nHost : x\r\n'
                    b'Connection: close\r\n\r\n')
    note('whitespace before a colon: %r (RFC 9112 says 400)' % r.status)
    r = raw_request(b'GET /healthz HTTP/1.1\r\nHost: x\r\nX: a' + b'a' * 40000
                    + b'\r\nConnection: close\r\n\r\n')
    note('libmicrohttpd\'s own %r answer has Content-Type %r, body %r'
         % (r.status, r.ctype(), r.body[:60]))
    for cl in (b'abc', b'-1'):
        r = raw_request(b'GET /healthz HTTP/1.1\r\nHost: x\r\n'
                        b'Content-Length: ' + cl + b'\r\n'
                        b'Connection: close\r\n\r\n')
        note('Content-Length: %s: %r, %d status lines in %d bytes' % (
            cl.decode(), r.status, r.raw.count(b'HTTP/1.1 '), len(r.raw)))
    r = raw_request(b'POST /api/subscriptions HTTP/1.1\r\nHost: x\r\n'
                    b'Content-Type: application/json\r\n'
                    b'Content-Length: 2\r\nContent-Length: 50\r\n'
                    b'Connection: close\r\n\r\n{}')
    note('two different Content-Lengths: %r %r (RFC 9112 says 400 from '
         'the HTTP layer)' % (r.status, r.body[:80]))
    alive('malformed request lines')


# ---- 2. huge headers ----------------------------------------------------

def group_headers():
    big = (b'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ' + b'a' * 65536
           + b'\r\nConnection: close\r\n\r\n')
    r = raw_request(big)
    note('one 64 KB header: %r %s' % (r.status, r.reason))
    check('one header of 64 KB: a 4xx', is4xx(r), r.short())
    many = b'GET /healthz HTTP/1.1\r\nHost: x\r\n' + b''.join(
        b'X-H%d: v%d\r\n' % (i, i) for i in range(2000)) + \
        b'Connection: close\r\n\r\n'
    r = raw_request(many)
    note('2,000 headers: %r %s' % (r.status, r.reason))
    check('2,000 small headers: a 4xx', is4xx(r), r.short())
    alive('huge headers')


# ---- 3. huge bodies -----------------------------------------------------

def group_bodies():
    # Only the head is sent: the answer must come without the body.
    head = ('POST /api/articles HTTP/1.1\r\nHost: x\r\n'
            'Authorization: Bearer %s\r\nContent-Type: application/json\r\n'
            'Content-Length: 100000000\r\n\r\n' % TOKEN).encode()
    r = raw_request(head, timeout=4, until_eof=False)
    check('Content-Length 100000000: 413 before the body is sent',
          r.status == 413 and r.elapsed < 3, r.short())
    check('Content-Length 100000000: the 413 is a JSON error',
          r.status == 413 and json_problem(r) is None,
          json_problem(r) if r.status == 413 else r.short())

    def chunks(total, size=1 << 16):
        piece = b'{"title":"' + b'x' * (size - 10)
        sent = 0
        while sent < total:
            yield b'%x\r\n' % len(piece) + piece + b'\r\n'
            sent += len(piece)
        yield b'0\r\n\r\n'

    head = ('POST /api/articles HTTP/1.1\r\nHost: x\r\n'
            'Authorization: Bearer %s\r\nContent-Type: application/json\r\n'
            'Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n'
            % TOKEN).encode()
    r = raw_request(head, timeout=15, body_iter=chunks(9 << 20),
                    until_eof=False)
    check('a chunked body of 9 MB: 413', r.status == 413, r.short())

    form = b'email=a%40example.com&frequency=daily&query=' + b'a' * (9 << 20)
    head = ('POST /api/subscriptions HTTP/1.1\r\nHost: x\r\n'
            'Content-Type: application/x-www-form-urlencoded\r\n'
            'Content-Length: %d\r\nConnection: close\r\n\r\n'
            % len(form)).encode()
    r = raw_request(head, timeout=15,
                    body_iter=(form[i:i + (1 << 16)]
                               for i in range(0, len(form), 1 << 16)),
                    until_eof=False)
    check('a 9 MB form to /api/subscriptions: 413', r.status == 413,
          r.short())

    # Just under the limit is read, and answered (400: not an article).
    body = b'{"title":"t","body":"' + b'b' * ((8 << 20) - 40) + b'"'
    r = request('POST', '/api/articles',
                {'Authorization': 'Bearer ' + TOKEN,
                 'Content-Type': 'application/json'}, body, timeout=15)
    check('a body just under 8 MB (truncated JSON): 400, not 413',
          r.status == 400 and json_problem(r) is None, r.short())
    alive('huge bodies')


# ---- 4. invalid UTF-8 ---------------------------------------------------

def utf8_case(name, r):
    ok = r.status is not None and 200 <= r.status < 500
    problem = None
    if ok and 'json' in r.ctype():
        problem = json_problem(r)
    check('invalid UTF-8: %s: a 2xx or 4xx%s' % (
        name, ', valid JSON' if 'json' in r.ctype() else ''),
          ok and problem is None, problem or r.short())


def group_utf8():
    auth = {'Authorization': 'Bearer ' + TOKEN,
            'Content-Type': 'application/json'}
    form = {'Content-Type': 'application/x-www-form-urlencoded'}
    utf8_case('path /api/articles/%FF%FE',
              request('GET', '/api/articles/%FF%FE'))
    utf8_case('raw bytes in the path',
              raw_request(b'GET /api/articles/\xff\xfe\xc0\x80 HTTP/1.1\r\n'
                          b'Host: x\r\nConnection: close\r\n\r\n'))
    utf8_case('path /api/stories/%C0%80%ED%A0%80',
              request('GET', '/api/stories/%C0%80%ED%A0%80'))
    utf8_case('related of %FF', request('GET', '/api/articles/%FF/related'))
    utf8_case('q=%FF%C0%80', request('GET', '/api/search?q=%FF%C0%80'))
    utf8_case('q=(%FF (a syntax error quoting the bytes)',
              request('GET', '/api/search?q=%28%FF'))
    utf8_case('q="%E2%80 (a cut sequence in a phrase)',
              request('GET', '/api/search?q=%22%E2%80'))
    utf8_case('since=%FF%FE', request('GET', '/api/search?since=%FF%FE'))
    # Error messages cut long values (%.60s, %.200s): the cut must not
    # leave half a character.
    utf8_case('since= 61 Arabic letters (cut in the message)',
              request('GET', '/api/search?since=' +
                      urllib.parse.quote('ع' * 61)))
    utf8_case('an unknown /api/ path of Arabic (cut in the message)',
              request('GET', '/api/' + urllib.parse.quote('x' + 'ع' * 150)))
    utf8_case('an unknown page of Arabic (cut in the message)',
              request('GET', '/' + urllib.parse.quote('x' + 'ع' * 150)))
    utf8_case('feed q=%FF', request('GET', '/feeds/search.atom?q=%FF%FE'))
    utf8_case('JSON article with \\xff in the title',
              request('POST', '/api/articles', auth,
                      b'{"id":"abuse-utf8-1","title":"\xff\xfe",'
                      b'"body":"\xc0\x80 text"}'))
    utf8_case('JSON article with a lone surrogate escape',
              request('POST', '/api/articles', auth,
                      b'{"id":"abuse-utf8-2","title":"\\ud800",'
                      b'"body":"text \\udfff"}'))
    utf8_case('JSON article with an overlong id',
              request('POST', '/api/articles', auth,
                      b'{"id":"\xc0\xaf\xe0\x80\xaf","title":"t",'
                      b'"body":"b"}'))
    utf8_case('HTML article in a wrong charset',
              request('POST', '/api/articles?url=http://x/%FF',
                      {'Authorization': 'Bearer ' + TOKEN,
                       'Content-Type': 'text/html; charset=\xff'},
                      b'<html><body><h1>\xff\xfe</h1><p>\xc0\x80'
                      + b'\xd8' * 500 + b'</p></body></html>'))
    utf8_case('form query=%FF%FE',
              request('POST', '/api/subscriptions', form,
                      b'email=a%40example.com&query=%FF%FE'
                      b'&frequency=daily'))
    utf8_case('form query=(%FF (a syntax error)',
              request('POST', '/api/subscriptions', form,
                      b'email=a%40example.com&query=%28%FF%FE'
                      b'&frequency=daily'))
    utf8_case('form raw bytes',
              request('POST', '/api/subscriptions', form,
                      b'email=\xff%40\xfe.com&query=\xc0\x80&frequency=\xff'))
    utf8_case('JSON subscription with \\xff',
              request('POST', '/api/subscriptions',
                      {'Content-Type': 'application/json'},
                      b'{"email":"a@\xff.com","query":"\xfe"}'))
    alive('invalid UTF-8')


# ---- 5. path traversal --------------------------------------------------

def group_traversal():
    paths = ['/static/../../etc/passwd', '/..%2f..%2fetc/passwd',
             '/static/%2e%2e/%2e%2e/etc/passwd',
             '/fonts/../../../../etc/passwd', '//etc/passwd',
             '/fonts/..%2f..%2f..%2f..%2fetc%2fpasswd',
             '/static/..%5c..%5cetc%5cpasswd', '/etc/passwd',
             '/static/%252e%252e/etc/passwd']
    for p in paths:
        r = raw_request(('GET %s HTTP/1.1\r\nHost: x\r\n'
                         'Connection: close\r\n\r\n' % p).encode())
        check('traversal %s: 404 or 400, no passwd' % p,
              r.status in (400, 404) and b'root:' not in r.raw, r.short())
    alive('path traversal')


# ---- 6. unknown routes and methods --------------------------------------

def group_routes():
    r = request('GET', '/api/nope')
    check('/api/nope: 404 JSON error',
          r.status == 404 and 'json' in r.ctype() and json_problem(r) is None,
          r.short())
    r = request('DELETE', '/api/search')
    check('DELETE /api/search: 405 with Allow',
          r.status == 405 and 'allow' in (r.headers or {})
          and 'GET' in r.headers['allow'] and json_problem(r) is None,
          r.short())
    r = request('PUT', '/')
    check('PUT /: a 4xx', is4xx(r), r.short())
    r = request('BREW', '/')
    check('BREW /: a 4xx', is4xx(r), r.short())
    r = raw_request(b'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n'
                    b'HEAD /api/nope HTTP/1.1\r\nHost: x\r\n\r\n'
                    b'GET /api/nope HTTP/1.1\r\nHost: x\r\n'
                    b'Connection: close\r\n\r\n')
    codes = [part[:3] for part in r.raw.split(b'HTTP/1.1 ')[1:]]
    check('three pipelined requests: 200, 404, 404 in order',
          codes == [b'200', b'404', b'404'], r.short())
    r = request('GET', '/api/articles')
    check('GET /api/articles: 405 with Allow: POST',
          r.status == 405 and (r.headers or {}).get('allow') == 'POST',
          r.short())
    alive('unknown routes and methods')


# ---- 7. tokens ----------------------------------------------------------

def post_article(art, token=None, how='bearer'):
    h = {'Content-Type': 'application/json'}
    if token is not None:
        if how == 'bearer':
            h['Authorization'] = 'Bearer ' + token
        else:
            h['X-Khabar-Token'] = token
    return request('POST', '/api/articles', h,
                   json.dumps(art, ensure_ascii=False).encode('utf-8'),
                   timeout=10)


def get_json(path, timeout=5):
    r = request('GET', path, timeout=timeout)
    try:
        return r.status, strict_json(r.body)
    except ValueError:
        return r.status, None


def poll_search(word, ids, secs=2.0):
    """Whether a search for word finds every id within secs."""
    t_end = time.monotonic() + secs
    found = set()
    while True:
        st, v = get_json('/api/search?collapse=0&n=100&q=' +
                         urllib.parse.quote(word))
        if st == 200 and v:
            found = {h.get('id') for h in v.get('hits', [])}
        if set(ids) <= found or time.monotonic() > t_end:
            return set(ids) - found
        time.sleep(0.1)


def group_tokens():
    word = 'zqxabuse%d' % random.randrange(10**9)
    art = {'id': 'abuse-token-1', 'source': 'abuse', 'date': '2026-11-30',
           'title': 'خبر اختبار الرمز', 'body': 'نص الخبر ' + word}
    r = post_article(art)
    check('POST without a token: 401 JSON',
          r.status == 401 and json_problem(r) is None, r.short())
    r = post_article(art, 'wrong')
    check('POST with a wrong token: 403 JSON',
          r.status == 403 and json_problem(r) is None, r.short())
    r = post_article(art, TOKEN + 'x', 'x-khabar')
    check('POST with a wrong X-Khabar-Token: 403',
          r.status == 403, r.short())
    r = post_article(art, '')
    check('POST with an empty bearer token: 401 or 403',
          r.status in (401, 403), r.short())
    r = post_article(art, TOKEN)
    v = None
    try:
        v = strict_json(r.body)
    except ValueError:
        pass
    check('POST with the token: 201 {"id", "replaced": false}',
          r.status == 201 and v == {'id': 'abuse-token-1', 'replaced': False},
          r.short())
    st, v = get_json('/api/articles/abuse-token-1')
    check('the new article: GET /api/articles/{id}',
          st == 200 and v is not None and word in v.get('body', ''),
          '%r %r' % (st, v))
    missing = poll_search(word, ['abuse-token-1'])
    check('the new article: found by a search within 2 s', not missing,
          'missing %r' % missing)
    art['title'] = 'خبر اختبار الرمز مرة ثانية'
    r = post_article(art, TOKEN)
    v = None
    try:
        v = strict_json(r.body)
    except ValueError:
        pass
    check('a second POST of the same id: "replaced": true',
          r.status in (200, 201) and isinstance(v, dict)
          and v.get('replaced') is True, r.short())
    alive('tokens')


# ---- 8. slow clients ----------------------------------------------------

def group_slow():
    s = socket.create_connection((HOST, PORT), timeout=TIMEOUT + 5)
    s.sendall(b'GET /heal')
    t0 = time.monotonic()
    closed = False
    try:
        s.settimeout(TIMEOUT + 2.5)
        d = s.recv(4096)
        closed = True
        while d:
            d = s.recv(4096)
    except socket.timeout:
        pass
    except OSError:
        closed = True
    took = time.monotonic() - t0
    s.close()
    check('half a request line: closed within --timeout + 2 s (%.1f s)'
          % took, closed and took <= TIMEOUT + 2, 'closed=%s after %.2f s'
          % (closed, took))

    slow = []
    for i in range(50):
        try:
            c = socket.create_connection((HOST, PORT), timeout=5)
            c.sendall(b'GET /api/sea' if i % 2 else b'POST /api/articles HT')
            slow.append(c)
        except OSError:
            pass
    check('50 slow connections opened', len(slow) == 50, '%d' % len(slow))
    worst = 0.0
    bad = []
    for _ in range(5):
        t0 = time.monotonic()
        r = request('GET', '/healthz', timeout=3)
        took = time.monotonic() - t0
        worst = max(worst, took)
        if r.status != 200:
            bad.append(r.short())
        time.sleep(0.1)
    check('with 50 slow connections open, /healthz answers within 1 s '
          '(worst %.3f s)' % worst, not bad and worst < 1.0, bad)
    # The server drops them all after the timeout.
    time.sleep(TIMEOUT + 1.5)
    dropped = 0
    for c in slow:
        c.settimeout(0.5)
        try:
            if c.recv(4096) == b'':
                dropped += 1
        except socket.timeout:
            pass
        except OSError:
            dropped += 1
        c.close()
    check('the 50 slow connections are closed by the server',
          dropped == len(slow), '%d of %d closed' % (dropped, len(slow)))
    alive('slow clients')


# ---- 9. random requests -------------------------------------------------

ARABIC = 'ابتثجحخدذرزسشصضطظعغفقكلمنهويءآأؤإئةى'
LATIN = 'abcdefghijklmnopqrstuvwxyzABCXYZ0123456789'
PUNCT = ' "\'()«»“”-+*:~^!?,.;/\\&=%#[]{}<>|\t_@$'
ROUTES = ['/', '/search', '/api/search', '/api/articles', '/api/articles/',
          '/api/articles/{id}', '/api/articles/{id}/related',
          '/api/stories/{id}', '/api/stories/', '/api/subscriptions',
          '/feeds/search.atom', '/healthz', '/metrics', '/article/{id}',
          '/story/{id}', '/static/app.js', '/static/style.css',
          '/fonts/Amiri-Regular.ttf', '/favicon.ico', '/api', '/api/{id}',
          '/{id}', '/static/{id}']
PARAMS = ['q', 'page', 'n', 'since', 'until', 'source', 'collapse', 'url',
          'x', '']
METHODS = ['GET'] * 8 + ['HEAD'] * 2 + ['POST'] * 4 + ['PUT', 'DELETE',
                                                      'OPTIONS']
TCHAR = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789' \
        "!#$%&'*+-.^_`|~"


def rnd_text(rng, n):
    pools = [ARABIC, LATIN, PUNCT, ARABIC + LATIN + PUNCT, '"()', 'OR AND ']
    pool = rng.choice(pools)
    return ''.join(rng.choice(pool) for _ in range(n))


def rnd_id(rng):
    k = rng.randrange(12)
    if k == 0:
        return ''
    if k == 1:
        return 'snn-%06d' % rng.randrange(2100)
    if k == 2:
        return 'a' * 2048 + rng.choice(['', 'b', '/related'])
    if k == 3:
        return urllib.parse.quote(rnd_text(rng, rng.randrange(1, 40)),
                                  safe=rng.choice(['', '/', '/()"\'']))
    if k == 4:
        return '%2F' * rng.randrange(1, 5) + 'x'
    if k == 5:
        return 'http:%2F%2Fexample.com%2Fnews%2F' + str(rng.randrange(99))
    if k == 6:
        return ''.join('%%%02X' % rng.randrange(256)
                       for _ in range(rng.randrange(1, 30)))
    if k == 7:
        return '/'.join(['..'] * rng.randrange(1, 4)) + '/etc/passwd'
    if k == 8:
        return urllib.parse.quote('خبر-' + str(rng.randrange(10**6)))
    if k == 9:
        return '%' + rng.choice(['', 'G', '4', 'zz', '0'])
    if k == 10:
        return 'w-%d/related' % rng.randrange(9)
    return 'abuse-conc-%d' % rng.randrange(60)


def rnd_number(rng):
    return rng.choice(['0', '1', '2', '-1', '-99999999999', '10', '100',
                       '101', '1001', '99999999999999999999999',
                       '9223372036854775807', '1e3', '0x10', ' 5', '5 ',
                       '', 'abc', '+3', '07', str(rng.randrange(-50, 20000))])


def rnd_value(rng, name):
    if name in ('page', 'n'):
        return rnd_number(rng)
    if name in ('since', 'until'):
        return rng.choice(['2015-07-21', '2015-07', '2015', '2015-13-40',
                           '2015-07-21T10:00:00Z', '21/07/2015', '-1',
                           '99999-01-01', '', rnd_text(rng, 12),
                           '2015-07-21T99:99:99+99:99', '0000-00-00'])
    if name == 'collapse':
        return rng.choice(['0', '1', 'no', ''])
    return rnd_text(rng, rng.choice([0, 1, 3, 8, 20, 80, 400, 2000]))


def rnd_query(rng):
    if rng.random() < 0.15:
        return ''
    parts = []
    for _ in range(rng.randrange(1, 6)):
        name = rng.choice(PARAMS)
        v = rnd_value(rng, name)
        mode = rng.randrange(4)
        if mode == 0:      # proper form encoding
            enc = urllib.parse.quote_plus(v)
        elif mode == 1:    # some characters raw (quotes, parens)
            enc = urllib.parse.quote(v, safe='"()\'*!~,;:@$')
        elif mode == 2:    # a broken escape here and there
            enc = urllib.parse.quote(v) + rng.choice(['%', '%4', '%zz', '+'])
        else:
            enc = urllib.parse.quote(v.encode('utf-8')[:rng.randrange(
                1 + len(v.encode('utf-8')))], safe='')
        parts.append(name + ('=' + enc if rng.random() < 0.9 else ''))
    return '?' + '&'.join(parts)


def rnd_body(rng):
    k = rng.randrange(10)
    if k == 0:
        return b''
    if k == 1:
        return bytes(rng.randrange(256) for _ in range(rng.randrange(1, 600)))
    if k == 2:
        art = {'id': 'abuse-rnd-%d' % rng.randrange(5), 'title': 'عنوان',
               'body': rnd_text(rng, 50)}
        s = json.dumps(art, ensure_ascii=rng.random() < 0.5).encode()
        return s[:rng.randrange(len(s))]
    if k == 3:
        return json.dumps(rng.choice([[], [1, 2], 'str', 3, None, True,
                                      {'title': 5, 'body': []},
                                      {'title': 't', 'body': {'x': 1}},
                                      {'title': '', 'body': ''},
                                      {'id': 7, 'title': 't', 'body': 'b'},
                                      {'email': [], 'query': {}},
                                      {'date': 'tomorrow', 'title': 't',
                                       'body': 'b'}])).encode()
    if k == 4:
        return ('email=%s&query=%s&frequency=%s' % (
            rng.choice(['a%40b.co', 'x', '%40', '', 'a@b@c', '%FF%40x.com']),
            urllib.parse.quote(rnd_text(rng, rng.randrange(0, 40))),
            rng.choice(['daily', 'weekly', 'hourly', '', '%00']))).encode()
    if k == 5:
        return b'<html><head><meta charset="' + rng.choice(
            [b'utf-8', b'windows-1256', b'bogus', b'\xff']) + \
            b'"></head><body><article><h1>' + \
            rnd_text(rng, 10).encode() + b'</h1><p>' + \
            bytes(rng.randrange(32, 256) for _ in range(300)) + \
            b'</p></article></body></html>'
    if k == 6:
        return b'{"title":"' + b'\\u' + rng.choice(
            [b'd800', b'zzzz', b'00', b'0000', b'dfff\\ud800']) + b'"}'
    if k == 7:
        return b'[' * rng.randrange(1, 5000)
    if k == 8:
        return b'{"a":' * 300 + b'1' + b'}' * 300
    return rnd_text(rng, rng.randrange(200)).encode()


def rnd_header_value(rng):
    k = rng.randrange(4)
    if k == 0:
        return rnd_text(rng, rng.randrange(30)).encode('utf-8')
    if k == 1:
        return bytes(rng.choice(list(range(0x20, 0x7f)) +
                                list(range(0x80, 0x100)))
                     for _ in range(rng.randrange(60)))
    if k == 2:
        return b''
    return b'x' * rng.randrange(100, 3000)


def build_request(rng):
    """One random request; returns (method, bytes)."""
    route = rng.choice(ROUTES)
    k = rng.random()
    if k < 0.6:    # mostly the method the route takes
        m = 'POST' if route in ('/api/articles', '/api/subscriptions') \
            else rng.choice(['GET', 'GET', 'GET', 'HEAD'])
    elif k < 0.95:
        m = rng.choice(METHODS)
    else:
        m = ''.join(rng.choice(TCHAR) for _ in range(rng.randrange(1, 12)))
    path = route.replace('{id}', rnd_id(rng)) + rnd_query(rng)
    hdrs = [(b'Host', b'127.0.0.1')]
    if rng.random() < 0.6:
        hdrs.append((b'Content-Type', rng.choice([
            b'application/json', b'application/json; charset=utf-8',
            b'application/x-www-form-urlencoded', b'text/html',
            b'text/html; charset=windows-1256', b'TEXT/HTML;charset=latin1',
            b'text/plain', b'', b'multipart/form-data; boundary=x',
            b'application/json' + b' ' * 80 + b';x',
            b'a' * 200])))
    t = rng.randrange(6)
    if t == 0:
        hdrs.append((b'Authorization', b'Bearer ' + TOKEN.encode()))
    elif t == 1:
        hdrs.append((b'Authorization', rng.choice(
            [b'Bearer', b'Bearer ', b'Basic dTpw', b'bearer ' + TOKEN.encode(),
             b'Bearer ' + TOKEN.encode() + b'x', b'Bearer \xff'])))
    elif t == 2:
        hdrs.append((b'X-Khabar-Token', rng.choice(
            [TOKEN.encode(), b'', b'nope', b'\xff' * 3])))
    for _ in range(rng.randrange(4)):
        name = ''.join(rng.choice(TCHAR) for _ in range(rng.randrange(1, 20)))
        hdrs.append((name.encode(), rnd_header_value(rng)))
    if rng.random() < 0.1:
        hdrs.append((b'Accept-Encoding', b'gzip, deflate, br'))
    body = rnd_body(rng) if (m in ('POST', 'PUT') or rng.random() < 0.15) \
        else b''
    if route == '/api/articles' and m == 'POST' and rng.random() < 0.4:
        # A whole article with odd fields, with the token: stored, then
        # met by the other requests.
        art = {'title': rnd_text(rng, rng.choice([0, 5, 50])),
               'body': rnd_text(rng, rng.choice([0, 1, 30, 3000]))}
        for k, vals in (('id', [urllib.parse.unquote(rnd_id(rng)),
                                'abuse-rnd-%d' % rng.randrange(20), '', 7]),
                        ('url', ['http://example.com/' + rnd_text(rng, 9),
                                 'not a url', 'http://' + 'x' * 3000, '']),
                        ('date', ['2015-07-21', '2015-07-21T10:00:00+03:00',
                                  '1900-01-01', '99999-99-99', 'tomorrow',
                                  '']),
                        ('source', ['abuse', '"q"', 'ع' * 300, '']),
                        ('author', [None, rnd_text(rng, 20)])):
            if rng.random() < 0.7:
                art[k] = rng.choice(vals)
        body = json.dumps(art, ensure_ascii=rng.random() < 0.5).encode()
        hdrs = [h for h in hdrs if h[0] not in (
            b'Content-Type', b'Authorization', b'X-Khabar-Token')]
        hdrs += [(b'Content-Type', b'application/json'),
                 (b'Authorization', b'Bearer ' + TOKEN.encode())]
    chunked = body and rng.random() < 0.2
    if chunked:
        hdrs.append((b'Transfer-Encoding', b'chunked'))
        cut = rng.randrange(len(body) + 1)
        parts = [p for p in (body[:cut], body[cut:]) if p]
        body = b''.join(b'%x\r\n' % len(p) + p + b'\r\n'
                        for p in parts) + b'0\r\n\r\n'
    elif body or m in ('POST', 'PUT') or rng.random() < 0.3:
        hdrs.append((b'Content-Length', b'%d' % len(body)))
    hdrs.append((b'Connection', b'close'))
    data = m.encode() + b' ' + path.encode('latin-1', 'replace') + \
        b' HTTP/1.1\r\n' + b''.join(k + b': ' + v + b'\r\n'
                                    for k, v in hdrs) + b'\r\n' + body
    return m, data


def property_problems(m, data, r):
    probs = []
    if r.status is None or not r.complete:
        probs.append('no complete response within 5 s: ' + r.short())
        return probs
    if not 200 <= r.status <= 599:
        probs.append('status %d out of range' % r.status)
    if r.status >= 500 and r.status != 503:
        probs.append('a %d answer (a bug): %r' % (r.status, r.body[:300]))
    ct = r.ctype().lower()
    if ct.startswith('application/json') and m != 'HEAD':
        p = json_problem(r)
        if p:
            probs.append(p)
    if m == 'HEAD' and r.body:
        probs.append('HEAD with a body of %d bytes' % len(r.body))
    cl = (r.headers or {}).get('content-length')
    if m != 'HEAD' and cl is not None and cl.isdigit() \
            and len(r.body) != int(cl):
        probs.append('Content-Length %s but %d bytes' % (cl, len(r.body)))
    return probs


def group_random(total=1500, threads=4):
    seed = int(os.environ.get('KH_ABUSE_SEED') or
               random.SystemRandom().randrange(2**31))
    note('random requests: seed %d (KH_ABUSE_SEED=%d replays it)'
         % (seed, seed))
    failures = []
    statuses = {}
    lock = threading.Lock()
    counter = [0]

    def worker(w):
        while True:
            with lock:
                i = counter[0]
                if i >= total:
                    return
                counter[0] += 1
            rng = random.Random(seed * 10007 + i)
            m, data = build_request(rng)
            r = raw_request(data, timeout=5.0, head=(m == 'HEAD'))
            probs = property_problems(m, data, r)
            with lock:
                statuses[r.status] = statuses.get(r.status, 0) + 1
                if probs:
                    failures.append((i, data, probs, r))

    t0 = time.monotonic()
    ts = [threading.Thread(target=worker, args=(w,)) for w in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    note('%d requests in %.1f s, statuses %s' % (
        total, time.monotonic() - t0,
        ', '.join('%s: %d' % kv for kv in sorted(
            statuses.items(), key=lambda kv: (kv[0] is None, kv[0] or 0)))))
    failures.sort(key=lambda f: f[0])
    detail = []
    for i, data, probs, r in failures[:15]:
        detail.append('request %d: %r' % (i, data[:400]))
        for p in probs:
            detail.append('  -> ' + p)
    kinds = {}
    for _, _, probs, _ in failures:
        for p in probs:
            k = p.split(':')[0]
            kinds[k] = kinds.get(k, 0) + 1
    if kinds:
        detail.insert(0, 'problems: %r' % kinds)
    check('%d random requests from %d threads: complete answers, no 5xx '
          'but 503, JSON that parses, the error shape, HEAD without body'
          % (total, threads), not failures, detail)
    alive('random requests')


# ---- 10. concurrency ----------------------------------------------------

def group_concurrency():
    word = 'zqxconc%d' % random.randrange(10**9)
    ids = ['abuse-conc-%d' % i for i in range(50)]
    errors = []
    stop = threading.Event()
    searches = [0]
    lock = threading.Lock()

    def poster():
        for i, id_ in enumerate(ids):
            art = {'id': id_, 'source': 'abuse', 'date': '2026-11-%02d'
                   % (1 + i % 28), 'title': 'خبر متزامن %d %s' % (i, word),
                   'body': '%s %s' % (word, ' '.join(
                       random.choice(ARABIC) * random.randrange(2, 7)
                       + str(j * 131 + i) for j in range(30)))}
            r = post_article(art, TOKEN)
            if r.status not in (200, 201):
                with lock:
                    errors.append('POST %s: %s' % (id_, r.short()))

    def searcher():
        rng = random.Random()
        while not stop.is_set():
            q = rng.choice([word, 'السعودية', 'الرياض OR جدة', '"ولي العهد"',
                            word + ' خبر'])
            r = request('GET', '/api/search?n=20&q=' + urllib.parse.quote(q))
            p = json_problem(r) if r.status == 200 else None
            if r.status != 200 or p:
                with lock:
                    errors.append('search %s: %s %s' % (q, p, r.short()))
            with lock:
                searches[0] += 1

    ss = [threading.Thread(target=searcher) for _ in range(4)]
    for t in ss:
        t.start()
    t0 = time.monotonic()
    p = threading.Thread(target=poster)
    p.start()
    p.join()
    took = time.monotonic() - t0
    stop.set()
    for t in ss:
        t.join()
    note('50 POSTs in %.1f s alongside %d searches' % (took, searches[0]))
    check('50 POSTs while 4 threads search: no errors', not errors,
          errors[:10])
    missing = poll_search(word, ids, secs=2.0)
    check('all 50 posted articles are found by a search', not missing,
          'missing %d: %r' % (len(missing), sorted(missing)[:10]))
    got = 0
    for id_ in ids:
        st, v = get_json('/api/articles/' + id_)
        got += st == 200 and isinstance(v, dict) and v.get('id') == id_
    check('all 50 posted articles are found by id', got == 50,
          '%d of 50' % got)
    alive('concurrency')


# ---- 11. odd articles (last: a crash here stops nothing else) ----------

def group_odd_articles():
    odd = [('abuse-nowords', {'title': '"()', 'body': '!!! ... --- «»'}),
           ('abuse-digits', {'title': '1', 'body': '2 3'}),
           ('abuse-oneword', {'title': '', 'body': 'زقزقة'}),
           ('abuse-' + 'k' * 3000, {'title': 't', 'body': 'long id'}),
           ('abuse/with/slashes/related', {'title': 'ذات', 'body': 'شرطات'})]
    for id_, art in odd:
        art = dict(art, id=id_, source='abuse', date='2026-11-30')
        r = post_article(art, TOKEN)
        check('odd article %.40s: POST gives 2xx or 4xx, JSON' % id_,
              r.status is not None and 200 <= r.status < 500
              and json_problem(r) is None, r.short())
        if r.status not in (200, 201):
            continue
        q = urllib.parse.quote(id_, safe='')
        for what, path in (('GET', '/api/articles/' + q),
                           ('related', '/api/articles/%s/related' % q),
                           ('story', '/api/stories/' + q),
                           ('feed', '/feeds/search.atom?q=' + q)):
            r = request('GET', path)
            good = r.status is not None and r.complete and \
                (r.status < 500 or r.status == 503)
            if good and 'json' in r.ctype():
                good = json_problem(r) is None
            check('odd article %.40s: %s answers (no 5xx, no crash)'
                  % (id_, what), good, 'GET %s: %s' % (path[:80], r.short()))
    alive('odd articles')


def main():
    t0 = time.monotonic()
    alive('start')
    groups = [group_malformed, group_headers, group_bodies, group_utf8,
              group_traversal, group_routes, group_tokens, group_slow,
              group_random, group_concurrency, group_odd_articles]
    only = os.environ.get('KH_ABUSE_ONLY')
    for g in groups:
        if only and only not in g.__name__:
            continue
        t = time.monotonic()
        _group[0] = g.__name__
        try:
            g()
        except ServerGone as e:
            check('the server died during %s: the other checks are not run'
                  % e, False, 'see its stderr below', stop=False)
            break
        except Exception:  # a test bug or a dead server: say so
            import traceback
            check('%s ran to its end' % g.__name__, False,
                  traceback.format_exc(), stop=False)
        note('%s: %.1f s' % (g.__name__, time.monotonic() - t))
    note('total %.1f s' % (time.monotonic() - t0))
    print('# done %d' % _n)


if __name__ == '__main__':
    main()
