#!/usr/bin/env python3
"""Scores `khabar extract --json` on generated pages with gold (tools/make_pages.py).

    python3 bench/eval_pages.py [--khabar build/khabar] [--pages bench/out/pages]
                                [--no-url] [--verbose] [--examples N]

For every line of PAGES/gold.jsonl ({file, url, title, body, date, charset, ...}) runs
`khabar extract --json PAGES/FILE --url URL` (--no-url leaves the URL out) and reports,
separately for UTF-8 and windows-1256 pages and per template:

  body   token precision, recall and F1: tokens are the whitespace-separated words
         after removing punctuation (Unicode categories P*); counts are multisets.
         "micro" sums the overlaps over all pages, "macro" averages the per-page F1.
  title  exact match (after collapsing white space)
  date   exact day: the UTC day of the extracted date equals the gold day (the
         generator keeps publication times where the UTC and the local day agree)

--verbose lists every page below F1 0.97 or with a wrong title or date; --examples N
prints, for the N worst pages, the tokens the extractor missed and the ones it added.
Exit status 0 when it ran, whatever the scores.
"""
import argparse
import collections
import json
import os
import subprocess
import sys
import unicodedata


def tokens(text):
    out = []
    for w in (text or '').split():
        w = ''.join(c for c in w if not unicodedata.category(c).startswith('P'))
        if w:
            out.append(w)
    return out


def prf(gold, got):
    g, e = collections.Counter(gold), collections.Counter(got)
    overlap = sum((g & e).values())
    p = overlap / sum(e.values()) if e else (1.0 if not g else 0.0)
    r = overlap / sum(g.values()) if g else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return overlap, sum(g.values()), sum(e.values()), p, r, f


def squash(s):
    return ' '.join((s or '').split())


class Tally:
    def __init__(self):
        self.n = self.overlap = self.gold = self.got = 0
        self.f_sum = 0.0
        self.title = self.date = self.errors = 0

    def add(self, ov, ng, ne, f, title_ok, date_ok):
        self.n += 1
        self.overlap += ov
        self.gold += ng
        self.got += ne
        self.f_sum += f
        self.title += title_ok
        self.date += date_ok

    def line(self, name):
        if self.n == 0:
            return f'{name:<22} no pages'
        p = self.overlap / self.got if self.got else 0.0
        r = self.overlap / self.gold if self.gold else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return (f'{name:<22} {self.n:4d} pages  body P {p:.3f} R {r:.3f} F1 {f:.3f} '
                f'(macro F1 {self.f_sum / self.n:.3f})  title {self.title / self.n:.3f}  '
                f'date {self.date / self.n:.3f}' +
                (f'  errors {self.errors}' if self.errors else ''))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--khabar', default=os.environ.get('KHABAR', 'build/khabar'))
    ap.add_argument('--pages', default='bench/out/pages')
    ap.add_argument('--no-url', action='store_true')
    ap.add_argument('--verbose', '-v', action='store_true')
    ap.add_argument('--examples', type=int, default=0)
    args = ap.parse_args()

    gold_path = os.path.join(args.pages, 'gold.jsonl')
    with open(gold_path, encoding='utf-8') as f:
        gold = [json.loads(line) for line in f if line.strip()]
    tallies = collections.OrderedDict()
    worst = []
    for g in gold:
        cmd = [args.khabar, 'extract', '--json', os.path.join(args.pages, g['file'])]
        if not args.no_url:
            cmd += ['--url', g['url']]
        keys = ['all', 'charset ' + g.get('charset', '?'), 'template ' + g.get('template', '?')]
        for k in keys:
            tallies.setdefault(k, Tally())
        run = subprocess.run(cmd, capture_output=True, timeout=60)
        try:
            out = json.loads(run.stdout.decode('utf-8'))
        except (ValueError, UnicodeDecodeError):
            out = None
        if run.returncode != 0 or not isinstance(out, dict):
            for k in keys:
                tallies[k].errors += 1
            print(f'ERROR {g["file"]}: exit {run.returncode}: '
                  f'{run.stderr.decode("utf-8", "replace").strip()[:200]}')
            out = {}
        gt, et = tokens(g['body']), tokens(out.get('body'))
        ov, ng, ne, p, r, f1 = prf(gt, et)
        title_ok = squash(out.get('title')) == squash(g['title'])
        date_ok = (out.get('date') or '')[:10] == g['date']
        for k in keys:
            tallies[k].add(ov, ng, ne, f1, title_ok, date_ok)
        worst.append((f1, g, out, gt, et))
        if args.verbose and (f1 < 0.97 or not title_ok or not date_ok):
            print(f'{g["file"]} [{g.get("template")}] P {p:.3f} R {r:.3f} F1 {f1:.3f}' +
                  ('' if title_ok else f'\n   title: {out.get("title")!r}\n   gold:  {g["title"]!r}') +
                  ('' if date_ok else f'\n   date: {out.get("date")!r} gold {g["date"]}'))
    order = sorted(tallies, key=lambda k: (k != 'all', not k.startswith('charset'), k))
    for k in order:
        print(tallies[k].line(k))
    worst.sort(key=lambda x: x[0])
    for f1, g, out, gt, et in worst[:args.examples]:
        gc, ec = collections.Counter(gt), collections.Counter(et)
        missed = list((gc - ec).elements())
        added = list((ec - gc).elements())
        print(f'\n== {g["file"]} [{g.get("template")}] F1 {f1:.3f}: '
              f'{len(missed)} tokens missed, {len(added)} added')
        if missed:
            print('   missed: ' + ' '.join(missed[:60]))
        if added:
            print('   added:  ' + ' '.join(added[:60]))
    return 0


if __name__ == '__main__':
    sys.exit(main())
