#!/usr/bin/env python3
"""Makes the benchmark inputs, reproducibly (fixed seed), into OUTDIR:

  news.jsonl        SaudiNewsNet as the peers harness wants it ({id, title, body})
  news-queries.tsv  1,000 short news queries (1-4 content words of a title), qid p-N,
                    plus the typed form of each 3-4 word one, qid t-N
  news-qrels.txt    known item: the query's article, and any article with the very same
                    title (wire copies), for the p- and t- queries of 3-4 words
  xquad.jsonl/-queries.tsv/-qrels.txt, arcd.*: the question sets, as given
  news8.jsonl       the corpus x8 (ids suffixed -1..-8) for scaling

The typed form is how people type: hamza on alef dropped (أ إ آ -> ا), final ة typed as
ه, ى as ي, ال added to a word that has none or dropped from one that has it, and a و
prefix on one word (half the time).

Usage: bench/make_queries.py ../shared/data OUTDIR [--x8]
"""
import gzip
import json
import os
import random
import re
import sys

SEED = 20261129
PUNCT = re.compile(r'[\s\u060c\u061b\u061f.,;:!?"\'«»()\[\]{}<>/\\|_\-–—…*#@%&+=~`^$]+')
HARAKAT = re.compile('[\u064b-\u065f\u0670\u0640]')


def rough_norm(w):
    w = HARAKAT.sub('', w)
    for a, b in (('أ', 'ا'), ('إ', 'ا'), ('آ', 'ا'), ('ى', 'ي'), ('ة', 'ه'), ('ؤ', 'ء'), ('ئ', 'ء')):
        w = w.replace(a, b)
    return w


def load_stop(repo):
    stop = set()
    for line in open(os.path.join(repo, 'data/stopwords/ar.txt'), encoding='utf-8'):
        line = line.strip()
        if line and not line.startswith('#'):
            stop.add(rough_norm(line))
    return stop


def content_words(title, stop):
    out = []
    for w in PUNCT.split(title):
        if not w or w.isdigit() or len(w) < 2:
            continue
        if rough_norm(w) in stop:
            continue
        if not re.search('[\u0621-\u064a]', w):
            continue
        out.append(w)
    return out


def typed(words, rng):
    out = []
    for w in words:
        w = HARAKAT.sub('', w)
        w = w.replace('أ', 'ا').replace('إ', 'ا').replace('آ', 'ا')
        if w.endswith('ة'):
            w = w[:-1] + 'ه'
        if w.endswith('ى'):
            w = w[:-1] + 'ي'
        out.append(w)
    i = rng.randrange(len(out))
    if out[i].startswith('ال') and len(out[i]) > 4:
        out[i] = out[i][2:]
    elif not out[i].startswith('ال'):
        out[i] = 'ال' + out[i]
    if rng.random() < 0.5:
        j = rng.randrange(len(out))
        if not out[j].startswith('و'):
            out[j] = 'و' + out[j]
    return out


def main():
    data, outdir = sys.argv[1], sys.argv[2]
    x8 = '--x8' in sys.argv
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    os.makedirs(outdir, exist_ok=True)
    stop = load_stop(repo)
    arts = []
    with gzip.open(os.path.join(data, 'saudinewsnet/articles.jsonl.gz'), 'rt',
                   encoding='utf-8') as f:
        for line in f:
            a = json.loads(line)
            arts.append({'id': a['id'], 'title': a.get('title') or '',
                         'body': a.get('body') or ''})
    with open(os.path.join(outdir, 'news.jsonl'), 'w', encoding='utf-8') as f:
        for a in arts:
            f.write(json.dumps(a, ensure_ascii=False) + '\n')
    if x8:
        with open(os.path.join(outdir, 'news8.jsonl'), 'w', encoding='utf-8') as f:
            for k in range(1, 9):
                for a in arts:
                    b = dict(a)
                    b['id'] = '%s-%d' % (a['id'], k)
                    f.write(json.dumps(b, ensure_ascii=False) + '\n')
    by_title = {}
    for a in arts:
        if a['title'].strip():
            by_title.setdefault(a['title'].strip(), []).append(a['id'])
    rng = random.Random(SEED)
    order = list(range(len(arts)))
    rng.shuffle(order)
    queries, qrels = [], []
    n = 0
    for idx in order:
        if n == 1000:
            break
        a = arts[idx]
        words = content_words(a['title'], stop)
        k = 1 + n % 4
        if len(words) < k:
            continue
        start = rng.randrange(len(words) - k + 1)
        q = words[start:start + k]
        qid = 'p-%04d' % n
        queries.append((qid, ' '.join(q)))
        if k >= 3:
            rel = by_title.get(a['title'].strip(), [a['id']])
            tq = typed(q, rng)
            tqid = 't-%04d' % n
            queries.append((tqid, ' '.join(tq)))
            for r in rel:
                qrels.append('%s 0 %s 1' % (qid, r))
                qrels.append('%s 0 %s 1' % (tqid, r))
        n += 1
    with open(os.path.join(outdir, 'news-queries.tsv'), 'w', encoding='utf-8') as f:
        for qid, q in queries:
            f.write('%s\t%s\n' % (qid, q))
    with open(os.path.join(outdir, 'news-qrels.txt'), 'w') as f:
        f.write('\n'.join(qrels) + '\n')
    for name in ('xquad-ar', 'arcd'):
        short = name.split('-')[0]
        src = os.path.join(data, 'eval', name)
        with open(os.path.join(outdir, short + '.jsonl'), 'w', encoding='utf-8') as f:
            for line in open(os.path.join(src, 'corpus.tsv'), encoding='utf-8'):
                line = line.rstrip('\n')
                if '\t' not in line:
                    continue
                pid, text = line.split('\t', 1)
                f.write(json.dumps({'id': pid, 'title': '', 'body': text},
                                   ensure_ascii=False) + '\n')
        for part, dst in (('queries.tsv', '-queries.tsv'), ('qrels.txt', '-qrels.txt')):
            with open(os.path.join(src, part), encoding='utf-8') as fi, \
                    open(os.path.join(outdir, short + dst), 'w', encoding='utf-8') as fo:
                fo.write(fi.read())
    print('%d news queries (%d known-item pairs), %d articles%s' %
          (len(queries), len(qrels), len(arts), ', x8 corpus' if x8 else ''))


if __name__ == '__main__':
    main()
