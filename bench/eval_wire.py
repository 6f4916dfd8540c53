#!/usr/bin/env python3
"""Score a near-duplicate ("wire copy") detector against the exact truth.

    python3 bench/eval_wire.py TRUTH.tsv CANDIDATES.tsv [--threshold 0.8]
    python3 bench/eval_wire.py TRUTH.tsv --groups GROUPS.tsv [--threshold 0.8]

TRUTH.tsv is what build/bench/wire_truth writes: "id_a<TAB>id_b<TAB>J" for
every pair with J >= 0.5 (exact Jaccard of word-5-gram shingle sets).  The
true copies are the pairs with J >= threshold; a pair missing from the
file has J < 0.5.

CANDIDATES.tsv holds the pairs a method declares copies, one
"id_a<TAB>id_b[<TAB>anything]" a line; the order of the two ids does not
matter and a pair listed twice counts once.  With --groups, GROUPS.tsv
holds "group_id<TAB>article_id" lines instead and the declared pairs are
all pairs inside each group, so a method that outputs groups is scored on
the same pairs.

Prints precision, recall and F1 over pairs, and the first false positives
and false negatives (sorted by id) with their true J.  Standard library
only.
"""

import argparse
import itertools
import signal
import sys


def read_truth(path):
    truth = {}
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line:
                continue
            cols = line.split("\t")
            if len(cols) < 3:
                sys.exit(f"{path}:{n}: expected id_a<TAB>id_b<TAB>jaccard")
            a, b = cols[0], cols[1]
            truth[(a, b) if a < b else (b, a)] = float(cols[2])
    return truth


def read_pairs(path):
    pairs, self_pairs = set(), 0
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line:
                continue
            cols = line.split("\t")
            if len(cols) < 2:
                sys.exit(f"{path}:{n}: expected id_a<TAB>id_b")
            a, b = cols[0], cols[1]
            if a == b:
                self_pairs += 1
                continue
            pairs.add((a, b) if a < b else (b, a))
    return pairs, self_pairs


def read_groups(path):
    groups = {}
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line:
                continue
            cols = line.split("\t")
            if len(cols) < 2:
                sys.exit(f"{path}:{n}: expected group_id<TAB>article_id")
            groups.setdefault(cols[0], set()).add(cols[1])
    pairs = set()
    for members in groups.values():
        for a, b in itertools.combinations(sorted(members), 2):
            pairs.add((a, b))
    sizes = [len(m) for m in groups.values()]
    return pairs, len(groups), sum(s >= 2 for s in sizes), max(sizes, default=0)


def ratio(num, den):
    return num / den if den else None


def fmt(x):
    return "n/a" if x is None else f"{x:.4f}"


def true_j(truth, pair):
    j = truth.get(pair)
    return "< 0.5" if j is None else f"{j:.6f}"


def main():
    # quietly stop when piped into head
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("truth", help="TRUTH.tsv from wire_truth")
    ap.add_argument("candidates", nargs="?", help="CANDIDATES.tsv (pairs)")
    ap.add_argument("--groups", metavar="GROUPS.tsv",
                    help="score all pairs inside each group instead")
    ap.add_argument("--threshold", type=float, default=0.8,
                    help="J at or above which a pair is a true copy "
                         "(default 0.8; at least 0.5, the truth file's floor)")
    ap.add_argument("--show", type=int, default=10,
                    help="false positives/negatives to list (default 10)")
    args = ap.parse_args()
    if (args.candidates is None) == (args.groups is None):
        ap.error("give either CANDIDATES.tsv or --groups GROUPS.tsv")
    if args.threshold < 0.5:
        ap.error("the truth file only holds pairs with J >= 0.5")

    truth = read_truth(args.truth)
    positives = {p for p, j in truth.items() if j >= args.threshold}
    if args.groups is not None:
        declared, n_groups, n_multi, largest = read_groups(args.groups)
        print(f"mode: groups ({args.groups}: {n_groups} groups, {n_multi} "
              f"with >= 2 articles, largest {largest}; scored as all "
              f"pairs inside each group)")
    else:
        declared, self_pairs = read_pairs(args.candidates)
        print(f"mode: pairs ({args.candidates})")
        if self_pairs:
            print(f"ignored {self_pairs} lines pairing an article with itself")

    tp = declared & positives
    fp = sorted(declared - positives)
    fn = sorted(positives - declared)
    precision = ratio(len(tp), len(declared))
    recall = ratio(len(tp), len(positives))
    if precision is None or recall is None:
        f1 = None
    elif precision + recall == 0:
        f1 = 0.0
    else:
        f1 = 2 * precision * recall / (precision + recall)

    print(f"truth: {args.truth}, {len(positives)} pairs with J >= "
          f"{args.threshold:g} ({len(truth)} pairs with J >= 0.5 in the file)")
    print(f"declared pairs: {len(declared)}")
    print(f"true positives: {len(tp)}  false positives: {len(fp)}  "
          f"false negatives: {len(fn)}")
    print(f"precision: {fmt(precision)}  recall: {fmt(recall)}  F1: {fmt(f1)}")
    for name, items in (("false positives", fp), ("false negatives", fn)):
        if not items:
            continue
        shown = items[:args.show]
        print(f"first {len(shown)} {name} (id_a, id_b, true J):")
        for a, b in shown:
            print(f"  {a}\t{b}\t{true_j(truth, (a, b))}")


if __name__ == "__main__":
    main()
