#!/usr/bin/env python3
"""Article body extraction quality on the Scrapinghub (Zyte) benchmark.

Runs `khabar extract --json --url URL` on every page of
../shared/data/extract/scrapinghub/html/ and scores the body against
ground-truth.json with the benchmark's own metric (its README.rst and
evaluate.py): the text is cut into \\w+ tokens, word 4-gram shingles are
counted on both sides, each page's true/false positives and false
negatives are normalized by their sum, precision and recall are the
means over pages (a page with nothing predicted leaves precision alone,
one with nothing true leaves recall alone), F1 is their harmonic mean,
and accuracy is the share of pages whose token lists are identical.

Prints the scores on all pages and on the even- and odd-indexed pages
(sorted by sha) to guard against tuning to the set.

  bench/eval_extract.py [--khabar build/khabar] [--data DIR] [--verbose]
"""
import argparse
import gzip
import json
import os
import re
import subprocess
import sys
from collections import Counter

TOKEN = re.compile(r"\w+", re.UNICODE)


def shingles(text, n=4):
    toks = TOKEN.findall(text or "")
    grams = [tuple(toks[i:i + n]) for i in range(max(1, len(toks) - n + 1))]
    return Counter(g for g in grams if g)


def page_counts(true, pred):
    t, p = shingles(true), shingles(pred)
    tp = fp = fn = 0.0
    for k in set(t) | set(p):
        a, b = t.get(k, 0), p.get(k, 0)
        tp += min(a, b)
        fp += max(0, b - a)
        fn += max(0, a - b)
    s = tp + fp + fn
    return (tp / s, fp / s, fn / s) if s > 0 else (tp, fp, fn)


def prec(tp, fp, fn):
    if fp == fn == 0:
        return 1.0
    if tp == fp == 0:
        return 0.0
    return tp / (tp + fp)


def rec(tp, fp, fn):
    if fp == fn == 0:
        return 1.0
    if tp == fn == 0:
        return 0.0
    return tp / (tp + fn)


def summarize(rows):
    ps = [prec(*c) for c, _ in rows if c[0] + c[1] > 0]
    rs = [rec(*c) for c, _ in rows if c[0] + c[2] > 0]
    p = sum(ps) / len(ps) if ps else 0.0
    r = sum(rs) / len(rs) if rs else 0.0
    f1 = 2 * p * r / (p + r) if p + r > 0 else 0.0
    acc = sum(a for _, a in rows) / len(rows) if rows else 0.0
    return p, r, f1, acc


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(here)
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--khabar", default=os.path.join(root, "build", "khabar"))
    ap.add_argument("--data", default=os.path.join(
        root, "..", "shared", "data", "extract", "scrapinghub"))
    ap.add_argument("--verbose", action="store_true",
                    help="per-page precision, recall and F1")
    ap.add_argument("--only", help="evaluate one sha (prefix)")
    args = ap.parse_args()

    gt_path = os.path.join(args.data, "ground-truth.json")
    if not os.path.exists(gt_path):
        print("no benchmark data at %s" % args.data, file=sys.stderr)
        return 2
    with open(gt_path, encoding="utf-8") as f:
        truth = json.load(f)
    shas = sorted(truth)
    if args.only:
        shas = [s for s in shas if s.startswith(args.only)]
    rows = []
    failures = 0
    for idx, sha in enumerate(shas):
        path = os.path.join(args.data, "html", sha + ".html.gz")
        cmd = [args.khabar, "extract", "--json"]
        if truth[sha].get("url"):
            cmd += ["--url", truth[sha]["url"]]
        cmd.append(path)
        res = subprocess.run(cmd, capture_output=True)
        pred = ""
        if res.returncode != 0:
            failures += 1
            print("%s: exit %d: %s" % (sha[:12], res.returncode,
                                        res.stderr.decode(errors="replace")
                                        .strip()), file=sys.stderr)
        else:
            pred = json.loads(res.stdout.decode("utf-8")).get("body") or ""
        true = truth[sha].get("articleBody", "")
        counts = page_counts(true, pred)
        acc = float(TOKEN.findall(true) == TOKEN.findall(pred))
        rows.append((counts, acc))
        if args.verbose:
            p, r = prec(*counts), rec(*counts)
            f = 2 * p * r / (p + r) if p + r > 0 else 0.0
            print("%3d %s p=%.3f r=%.3f f1=%.3f %s" % (
                idx, sha[:12], p, r, f, truth[sha].get("url", "")))
    for name, part in (("all", rows), ("even", rows[0::2]),
                       ("odd", rows[1::2])):
        p, r, f1, acc = summarize(part)
        print("%-5s n=%3d  precision=%.3f  recall=%.3f  F1=%.3f  "
              "accuracy=%.3f" % (name, len(part), p, r, f1, acc))
    if failures:
        print("%d pages failed" % failures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
