#!/bin/sh
# The khabar command line: output formats, the golden seed page through the
# binary, and clear errors with non-zero exits on bad input.  Speaks TAP.
set -u
K=${KHABAR:-build/khabar}
SRC=${KH_SRCDIR:-.}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); echo "not ok $n - $1"; }
check() { # check NAME CONDITION...
    name=$1
    shift
    if "$@"; then ok "$name"; else nok "$name"; fi
}

# The seed page through the binary matches the golden file.
"$K" analyze <"$SRC/tests/golden/analyze/article.txt" >"$tmp/article.out"
check "analyze < article.txt matches the golden file" \
    cmp -s "$tmp/article.out" "$SRC/tests/golden/analyze/article.expected"

# TEXT arguments and --json.
"$K" analyze --json "«فرانس برس» ٢٠٢٢" >"$tmp/j.out"
check "analyze --json prints a tokens array" \
    grep -q '^{"tokens": \[{"position": 0, "start": 2, "end": 12, "kind": "arabic", "surface": "فرانس", "norm": "فرانس"' "$tmp/j.out"
check "analyze --json normalizes digits" grep -q '"norm": "2022"' "$tmp/j.out"

# Stemmer choice.
s=$("$K" analyze --stemmer snowball "الحكومة" | cut -f7)
check "analyze --stemmer snowball" test "$s" = "حكوم"
s=$("$K" analyze --stemmer none "الحكومة" | cut -f7)
check "analyze --stemmer none keeps the normalized form" test "$s" = "الحكومه"
c=$("$K" analyze --drop-stopwords "قال إنه في الأيام" | wc -l)
check "analyze --drop-stopwords" test "$c" -eq 1

# The JSONL summary on the bundled sample.
"$K" analyze --jsonl "$SRC/data/sample/saudinewsnet-2000.jsonl.gz" --top 3 \
    >"$tmp/sum.out" 2>&1
rc=$?
check "analyze --jsonl on the sample exits 0" test $rc -eq 0
check "analyze --jsonl reads all 2000 articles" \
    grep -q '^analyzed 2000 articles' "$tmp/sum.out"

# Bad input: a clear message and a non-zero exit, never a crash.
"$K" analyze --stemmer porter x >"$tmp/o" 2>"$tmp/e"
rc=$?
check "unknown stemmer: exit 2 with a message" \
    sh -c "test $rc -eq 2 && grep -q 'unknown stemmer' '$tmp/e'"
"$K" frobnicate >"$tmp/o" 2>"$tmp/e"
rc=$?
check "unknown command: exit 2" \
    sh -c "test $rc -eq 2 && grep -q 'unknown command' '$tmp/e'"
"$K" analyze --jsonl "$tmp/does-not-exist.jsonl" >"$tmp/o" 2>"$tmp/e"
rc=$?
check "missing file: exit 1 with a message" \
    sh -c "test $rc -eq 1 && grep -q 'cannot open' '$tmp/e'"
printf '{"title":"خبر","body":"نص"}\nnot json\n{"title":1}\n[1]\n' >"$tmp/bad.jsonl"
"$K" analyze --jsonl "$tmp/bad.jsonl" >"$tmp/o" 2>"$tmp/e"
rc=$?
check "bad JSON lines: exit 1, line numbers reported, good lines kept" \
    sh -c "test $rc -eq 1 && grep -q 'bad.jsonl:2: not a JSON object' '$tmp/e' \
        && grep -q 'bad.jsonl:4' '$tmp/e' && grep -q '^analyzed 2 articles' '$tmp/o'"
head -c 100000 "$SRC/data/sample/saudinewsnet-2000.jsonl.gz" >"$tmp/trunc.jsonl.gz"
"$K" analyze --jsonl "$tmp/trunc.jsonl.gz" >"$tmp/o" 2>"$tmp/e"
rc=$?
check "truncated gzip: exit 1 with a message" \
    sh -c "test $rc -eq 1 && grep -q 'truncated or corrupt' '$tmp/e'"
head -c 200000 /dev/urandom >"$tmp/junk"
"$K" analyze <"$tmp/junk" >/dev/null 2>&1
rc=$?
check "binary junk on stdin: no crash" test $rc -eq 0
echo "1..$n"
