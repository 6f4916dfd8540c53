#!/bin/sh
# The index through the khabar command: ingest (JSONL, gzip, plain text,
# stdin), search (text and JSON), show, delete, stats, and clear errors on
# bad input.  Speaks TAP.
set -u
K=${KHABAR:-build/khabar}
SRC=${KH_SRCDIR:-.}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
IX=$tmp/ix
n=0
check() {
    name=$1
    shift
    n=$((n + 1))
    if "$@"; then echo "ok $n - $name"; else echo "not ok $n - $name"; fi
}

"$K" ingest --index "$IX" "$SRC/data/sample/saudinewsnet-2000.jsonl.gz" >"$tmp/out" 2>&1
check "ingest the sample (JSONL.gz)" grep -q '^ingested 2000 articles (2000 new, 0 replaced, 0 errors)' "$tmp/out"
"$K" stats --index "$IX" --json >"$tmp/stats"
check "stats: 2000 articles" grep -q '"articles":2000,' "$tmp/stats"
check "a new index has no exact forms" grep -q '"exact_forms":false' "$tmp/stats"
printf '{"id":"e1","title":"t","body":"اجتمعت الحكومة"}\n' >"$tmp/e.jsonl"
"$K" ingest --exact-forms --index "$tmp/ixe" "$tmp/e.jsonl" >/dev/null 2>&1
"$K" stats --index "$tmp/ixe" --json >"$tmp/stats-e"
check "ingest --exact-forms makes an index with them" grep -q '"exact_forms":true' "$tmp/stats-e"

"$K" search --index "$IX" --json -n 3 "الحكومة السعودية" >"$tmp/s.json"
check "search --json has total, took_ms and hits" \
    grep -q '^{"total":[0-9]*,"total_exact":[a-z]*,"took_ms":[0-9.]*,"hits":\[{"id":"snn-' "$tmp/s.json"
check "search --json hits carry title, url, source, date, score, snippet" \
    sh -c "grep -q '\"source\":\"' '$tmp/s.json' && grep -q '\"date\":\"2015-0[78]-[0-9][0-9]T' '$tmp/s.json' && grep -q '\"snippet\":\".*<b>' '$tmp/s.json'"
c=$(grep -o '"id":"snn-[0-9]*"' "$tmp/s.json" | wc -l)
check "search -n 3 gives 3 hits" test "$c" -eq 3
id=$(grep -o '"id":"snn-[0-9]*"' "$tmp/s.json" | head -1 | cut -d'"' -f4)
"$K" search --index "$IX" --json -n 1 --offset 1 "الحكومة السعودية" >"$tmp/s2.json"
id2=$(grep -o '"id":"snn-[0-9]*"' "$tmp/s.json" | sed -n 2p | cut -d'"' -f4)
check "--offset 1 starts at the second hit" grep -q "\"id\":\"$id2\"" "$tmp/s2.json"
"$K" search --index "$IX" -n 9223372036854775807 "الحكومة" >"$tmp/big" 2>&1
check "-n past a long: exit 2 with the range (it crashed)" sh -c "test $? -eq 2 && grep -q 'wants a number from 1 to' '$tmp/big'"
"$K" search --index "$IX" --offset 99999999 -n 1000000000 "الحكومة" >"$tmp/big" 2>&1
check "the largest -n and a far --offset: no hits, exit 0" sh -c "test $? -eq 0 && grep -q 'articles match' '$tmp/big'"
# --explain prints the parser's canonical rendering (docs/query.md), and
# --json carries it as "explain".
"$K" search --index "$IX" --explain -n 1 'الحكومة since:2015 until:2015-06 source:spa -title:رياضة' >"$tmp/ex" 2>&1
check "--explain prints the query as parsed" \
    sh -c "test $? -eq 0 && grep -qxF 'query: (الحكومه/حكوم +date:[1420070400,1435708799] +source:spa -title:رياضه/رياض)' '$tmp/ex'"
"$K" search --index "$IX" --explain --json -n 1 '"ولي العهد"' >"$tmp/ex.json" 2>&1
check "--explain --json: the rendering as \"explain\"" \
    grep -qF '{"explain":"(\"ولي/ول العهد/عهد\")","total":' "$tmp/ex.json"
# A query that starts with an exclusion: not an option.
"$K" search --index "$IX" --json -n 5 'الرياض -جدة' >"$tmp/d1.json" 2>&1
"$K" search --index "$IX" --json -n 5 '-جدة الرياض' >"$tmp/d2.json" 2>&1
check "a query starting with -word (Arabic) is the query, not an unknown option" \
    sh -c "test $? -eq 0 && test \"\$(grep -o '\"id\":\"[^\"]*\"' '$tmp/d1.json')\" = \"\$(grep -o '\"id\":\"[^\"]*\"' '$tmp/d2.json')\""
"$K" search --index "$IX" -title:رياضة الرياض >"$tmp/d3" 2>&1
check "-title:x first: exit 2, the message says to put -- before it" \
    sh -c "test $? -eq 2 && grep -qF \"unknown or incomplete option '-title:رياضة'; an operand that starts with '-' goes after '--'\" '$tmp/d3'"
"$K" search --index "$IX" --explain -- '-title:رياضة الرياض' >"$tmp/d4" 2>&1
check "-- before a query starting with -title:x" \
    sh -c "test $? -eq 0 && grep -qxF 'query: (-title:رياضه/رياض الرياض/رياض)' '$tmp/d4'"
"$K" related --index "$IX" -n 1000000000 snn-000000 >"$tmp/big" 2>&1
check "related with the largest -n: exit 0" test $? -eq 0

"$K" show --index "$IX" "$id" >"$tmp/show"
check "show prints the article" grep -q "^id:     $id" "$tmp/show"
"$K" show --index "$IX" --json "$id" >"$tmp/show.json"
check "show --json has the body" grep -q '"body":"' "$tmp/show.json"

"$K" delete --index "$IX" "$id"
"$K" show --index "$IX" "$id" >/dev/null 2>"$tmp/err"
rc=$?
check "delete: the article is gone" sh -c "test $rc -eq 1 && grep -q 'no article with id' '$tmp/err'"
"$K" search --index "$IX" --json -n 50 "الحكومة السعودية" >"$tmp/s3.json"
check "delete: search no longer finds it" sh -c "! grep -q '\"id\":\"$id\"' '$tmp/s3.json'"
"$K" stats --index "$IX" --json >"$tmp/stats"
check "stats: 1999 articles" grep -q '"articles":1999,' "$tmp/stats"

# Re-ingesting the same articles updates them, never duplicates.
zcat "$SRC/data/sample/saudinewsnet-2000.jsonl.gz" | head -10 >"$tmp/ten.jsonl"
"$K" ingest --index "$IX" "$tmp/ten.jsonl" >"$tmp/out" 2>&1
check "re-ingest: 10 replaced" grep -q '(0 new, 10 replaced' "$tmp/out"
"$K" stats --index "$IX" --json >"$tmp/stats"
check "re-ingest: still 1999 articles" grep -q '"articles":1999,' "$tmp/stats"

# Plain text and standard input.
printf 'عنوان تجريبي عن الكازاخستان\nنص الخبر: الرئيس توكاييف يعد بحماية الروس.\n' >"$tmp/note.txt"
"$K" ingest --index "$IX" "$tmp/note.txt" >/dev/null 2>&1
"$K" search --index "$IX" --json "توكاييف" >"$tmp/s4.json"
check "plain text file ingested, id = its path" grep -q "\"id\":\"$tmp/note.txt\"" "$tmp/s4.json"
# Plain text as people save it: windows-1256 and ISO-8859-6 (converted as
# pages are, not stored as U+FFFD), CRLF line ends, a UTF-8 BOM, blank
# lines before the title.
python3 - "$tmp/txt" <<'EOF'
import os, sys
d = sys.argv[1]
os.makedirs(d, exist_ok=True)
title = "الرئيس الكازاخستاني يعد بحماية الروس"
body = "قال توكاييف إن بلاده ستحمي الفارين.\n\nوأضاف في بيان."
def put(name, data):
    open(os.path.join(d, name + ".txt"), "wb").write(data)
put("cp1256", (title + "\n" + body + "\n").encode("cp1256"))
put("iso", (title + "\n" + body + "\n").encode("iso-8859-6"))
put("crlf", (title + "\r\n" + body.replace("\n", "\r\n") + "\r\n").encode())
put("bom", b"\xef\xbb\xbf" + (title + "\n" + body + "\n").encode())
put("blank", ("\n \n\t\n" + title + "  \n\n" + body + "\n\n\n").encode())
EOF
"$K" ingest --index "$tmp/ixt" "$tmp/txt" >"$tmp/out" 2>&1
check "text files in five shapes ingested" grep -q '^ingested 5 articles (5 new' "$tmp/out"
for f in cp1256 iso crlf bom blank; do
    "$K" show --index "$tmp/ixt" --json "$tmp/txt/$f.txt" >"$tmp/t-$f.json" 2>&1
    check "text file ($f): title and body as written" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
ok = (d["title"] == "الرئيس الكازاخستاني يعد بحماية الروس" and
      d["body"] == "قال توكاييف إن بلاده ستحمي الفارين.\n\nوأضاف في بيان.")
sys.exit(0 if ok else 1)' "$tmp/t-$f.json"
done
"$K" search --index "$tmp/ixt" --json -n 10 "توكاييف" >"$tmp/t-s.json"
check "text files: a body word finds all five" grep -q '"total":5,' "$tmp/t-s.json"
printf '%s\n' '{"id":"ref1","title":"مقتل &quot;أبو محمد&quot; &ndash; تقرير","body":"قال&nbsp;المتحدث &#8220;نعم&#8221; R&D"}' >"$tmp/ref.jsonl"
"$K" ingest --index "$tmp/ixr" "$tmp/ref.jsonl" >/dev/null 2>&1
"$K" show --index "$tmp/ixr" ref1 >"$tmp/ref.out" 2>&1
check "JSONL: HTML references in the text decoded, a bare & kept" \
    sh -c "grep -q 'مقتل \"أبو محمد\" – تقرير' '$tmp/ref.out' && grep -q '“نعم” R&D' '$tmp/ref.out'"
"$K" search --index "$tmp/ixr" --json quot >"$tmp/ref.s" 2>&1
check "JSONL: &quot; is not the word quot" grep -q '"total":0,' "$tmp/ref.s"
python3 -c '
import json
print(json.dumps({"id": "l1", "title": "خبر", "body": "نص"}))
print(json.dumps({"id": "l2", "title": "كبير", "body": "كلمة " * 50000}))
print(json.dumps({"id": "l3", "title": "خبر ثالث", "body": "نص"}))' >"$tmp/long.jsonl"
"$K" ingest --index "$tmp/ixl" --max-bytes 10000 "$tmp/long.jsonl" >"$tmp/long.out" 2>&1
check "JSONL: a line over --max-bytes is skipped with its line number, the rest kept" \
    sh -c "test $? -eq 1 && grep -q 'long.jsonl:2: a line of [0-9]* bytes, larger than the size limit' '$tmp/long.out' && grep -q '^ingested 2 articles' '$tmp/long.out'"
printf '%s\n' '{"id":"n1","title":"خبر","body":"نص","date":1437447092}' '{"id":"n2","title":"خبر","body":"نص","date":1437447092000}' '{"id":"n3","title":123,"body":"نص"}' '{"id":"n4","title":"خبر","body":"نص","date":true}' >"$tmp/num.jsonl"
"$K" ingest --index "$tmp/ixn" "$tmp/num.jsonl" >"$tmp/out" 2>&1
check "JSONL: a date in Unix seconds or milliseconds taken, a title or date of another type an error (exit 1)" \
    sh -c "test $? -eq 1 && grep -q '^ingested 2 articles' '$tmp/out' && grep -q 'num.jsonl:3: title is not a string' '$tmp/out' && grep -q 'num.jsonl:4: date is neither a string nor a number' '$tmp/out'"
"$K" show --index "$tmp/ixn" n2 >"$tmp/out" 2>&1
check "JSONL: date 1437447092000 (milliseconds) is 2015-07-21T02:51:32Z" \
    grep -q '2015-07-21T02:51:32Z' "$tmp/out"
mkdir -p "$tmp/pages/a" "$tmp/pages/b"
printf 'خبر الرياض\nنص عن الرياض\n' >"$tmp/pages/a/news.txt"
printf 'خبر جدة\nنص عن جدة\n' >"$tmp/pages/b/news.txt"
"$K" ingest --index "$tmp/ixp" "$tmp/pages" >"$tmp/out" 2>&1
check "two text files of one name in two directories: two articles" \
    grep -q '^ingested 2 articles (2 new, 0 replaced' "$tmp/out"
printf '{"id":"stdin-1","title":"خبر من المدخل","body":"مهرجان التمور في بريدة","date":"2015-08-01T10:00:00+03:00","source":"test"}\n' |
    "$K" ingest --index "$IX" - >/dev/null 2>&1
"$K" search --index "$IX" --json "مهرجان التمور" >"$tmp/s5.json"
check "JSONL from stdin, date with offset" \
    sh -c "grep -q '\"id\":\"stdin-1\"' '$tmp/s5.json' && grep -q '\"date\":\"2015-08-01T07:00:00Z\"' '$tmp/s5.json'"

# Bad input: a message and a non-zero exit, and nothing already stored lost.
"$K" search --index "$IX" '"وزير الخارجية' >/dev/null 2>"$tmp/err"
rc=$?
check "unterminated quote: exit 2, column shown" sh -c "test $rc -eq 2 && grep -q 'column 1' '$tmp/err'"
"$K" search --index "$tmp/none" x >/dev/null 2>"$tmp/err"
rc=$?
check "missing index: exit 1 with a message" sh -c "test $rc -eq 1 && grep -q 'no index at' '$tmp/err'"
printf '{"id":"g1","title":"جيد","body":"نص"}\n{"id":\n{"id":"g2","date":"yesterday","body":"x"}\n{"id":"g3","title":"","body":""}\n' >"$tmp/bad.jsonl"
"$K" ingest --index "$IX" "$tmp/bad.jsonl" >"$tmp/out" 2>"$tmp/err"
rc=$?
check "bad JSONL lines: exit 1, each reported with its line" \
    sh -c "test $rc -eq 1 && grep -q 'bad.jsonl:2: not a JSON object' '$tmp/err' && grep -q 'bad.jsonl:3: date' '$tmp/err' && grep -q 'bad.jsonl:4: no title and no body' '$tmp/err'"
"$K" show --index "$IX" g1 >/dev/null 2>&1
check "the good line of a bad file is stored" test $? -eq 0
head -c 50000 /dev/urandom >"$tmp/junk.bin"
"$K" ingest --index "$IX" "$tmp/junk.bin" >/dev/null 2>"$tmp/err"
rc=$?
check "binary junk: refused with a message" sh -c "test $rc -eq 1 && grep -q 'binary data' '$tmp/err'"
"$K" stats --index "$IX" --json >"$tmp/stats"
check "nothing lost after the bad inputs" grep -q '"articles":2002,' "$tmp/stats"
"$K" ingest --index "$IX" --batch 0 x >/dev/null 2>&1
check "bad option value: exit 2" test $? -eq 2
echo "1..$n"
