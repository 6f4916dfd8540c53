#!/usr/bin/env python3
"""Writes the WARC fixtures of tests/unit/test_warc.c into this directory.

Everything here is made up for the tests (the Arabic sentences too); the
files are under the licence of the repository.  Run it again after a change:
    python3 tests/data/warc/make_fixtures.py
Python's gzip output is deterministic with mtime=0, so the files do not
change between runs.
"""
import gzip
import os
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))

ARTICLE = ('<html><head><meta charset="windows-1256"><title>خبر</title></head>'
           '<body><p>افتتاح مستشفى جديد في الرياض</p></body></html>')


def record(rtype, uri, block, ctype, date='2022-09-27T10:00:00Z',
           length=None, extra=b''):
    head = ['WARC/1.0', 'WARC-Type: ' + rtype,
            'WARC-Record-ID: <urn:uuid:%08d-0000-0000-0000-000000000000>'
            % (len(block) % 99999999),
            'WARC-Date: ' + date]
    if uri:
        head.append('WARC-Target-URI: ' + uri)
    head.append('Content-Type: ' + ctype)
    head.append('Content-Length: %s' % (len(block) if length is None
                                        else length))
    return ('\r\n'.join(head) + '\r\n').encode() + extra + b'\r\n' + \
        block + b'\r\n\r\n'


def http(status, headers, body):
    lines = ['HTTP/1.1 %s' % status] + headers
    return ('\r\n'.join(lines) + '\r\n\r\n').encode() + body


def chunked(body, sizes):
    out, i = b'', 0
    for n in sizes:
        out += b'%x;ext=1\r\n' % n + body[i:i + n] + b'\r\n'
        i += n
    return out + b'0\r\nX-Trailer: t\r\n\r\n'


def raw_deflate(data):
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


def gz(data):
    return gzip.compress(data, mtime=0)


def records():
    html = ARTICLE.encode('cp1256')
    return [
        record('warcinfo', None, b'software: khabar-tests\r\nformat: WARC '
               b'File Format 1.0\r\n', 'application/warc-fields'),
        record('request', 'https://news.example.com/a.html',
               b'GET /a.html HTTP/1.1\r\nHost: news.example.com\r\n\r\n',
               'application/http; msgtype=request'),
        record('response', 'https://news.example.com/a.html',
               http('200 OK', ['Content-Type: text/html; charset=windows-1256',
                               'Transfer-Encoding: chunked'],
                    chunked(html, [10, 1, len(html) - 11])),
               'application/http; msgtype=response'),
        record('response', '<https://news.example.com/b.html>',
               http('200 OK', ['Content-Type: text/html; charset=utf-8',
                               'Content-Encoding: gzip'],
                    gz('<p>مرحبا</p>'.encode())),
               'application/http;msgtype=response',
               date='2022-09-27T10:00:05Z'),
        record('response', 'https://news.example.com/c.html',
               http('404 Not Found', ['content-type: text/plain',
                                      'Content-Encoding: deflate',
                                      'Transfer-Encoding: chunked'],
                    chunked(raw_deflate(b'not here'), [3, 100])),
               'application/http; msgtype=response'),
        record('resource', 'file:///notes.txt', 'ملاحظة'.encode(),
               'text/plain; charset=utf-8', date='2022-09-28T00:00:00Z'),
        record('metadata', 'https://news.example.com/a.html', b'',
               'application/warc-fields'),
    ]


def write(name, data):
    with open(os.path.join(HERE, name), 'wb') as f:
        f.write(data)


def main():
    recs = records()
    write('plain.warc', b''.join(recs))
    write('per-record.warc.gz', b''.join(gz(r) for r in recs))
    write('whole.warc.gz', gz(b''.join(recs)))

    # Damage: a bad Content-Length, a record whose first line is junk, a
    # Content-Length too short (its block's tail is junk before the next
    # record), each followed by a good record.
    good = [record('resource', 'urn:x:%d' % i, b'good %d' % i, 'text/plain')
            for i in range(4)]
    bad_length = record('resource', 'urn:bad:1', b'xx', 'text/plain',
                        length='12abc')
    junk_first = b'GARBAGE LINE\r\n' + record('resource', 'urn:bad:2',
                                               b'yy', 'text/plain')[10:]
    short = record('resource', 'urn:bad:3', b'0123456789', 'text/plain',
                   length=4)
    write('damaged.warc', good[0] + bad_length + good[1] + junk_first +
          good[2] + short + good[3])

    # Gzip per record, the second member's deflate data flipped.
    members = [gz(r) for r in good]
    broken = bytearray(members[1])
    for i in range(12, len(broken) - 8, 3):
        broken[i] ^= 0x5A
    write('damaged.warc.gz', members[0] + bytes(broken) + members[2] +
          members[3])

    # The last member cut in half.
    whole = b''.join(gz(r) for r in recs)
    last = gz(recs[-1])
    write('truncated.warc.gz', whole[:len(whole) - len(last) // 2])

    # A record of 300 KB between two small ones, for the size limit.
    big = record('resource', 'urn:big', b'A' * 300000, 'text/plain')
    write('big.warc.gz', gz(good[0]) + gz(big) + gz(good[1]))


main()
