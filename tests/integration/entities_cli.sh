#!/bin/sh
# khabar entities: people, places, organizations with their cross-script
# key, dates resolved against the publication date, figures.  Speaks TAP.
set -u
K=${KHABAR:-build/khabar}
SRC=${KH_SRCDIR:-.}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
check() {
    name=$1
    shift
    n=$((n + 1))
    if "$@"; then echo "ok $n - $name"; else echo "not ok $n - $name"; fi
}
cd "$SRC" || exit 1
printf '%s\n' '{"id":"seed","date":"2022-09-27T10:00:00Z","source":"afp","title":"توكاييف يتعهد بحماية الروس الفارين","body":"قال الرئيس الكازاخستاني قاسم جومارت توكاييف الثلاثاء إن بلاده ستحمي الروس. وفي 21 فبراير اعترف الكرملين باستقلال دونيتسك، وصوتت 141 دولة في الثاني من مارس بحسب وكالة فرانس برس."}' |
    "$K" ingest --index "$tmp/ix" - >/dev/null 2>&1
"$K" entities --index "$tmp/ix" --json seed >"$tmp/out" 2>"$tmp/err"
check "entities --json exits 0" test $? -eq 0
check "توكاييف is a person with the key Tokayev and Токаев get" \
    grep -q '"type":"PER","key":"TKF"' "$tmp/out"
check "the full name is one person" grep -q 'KSMJMRTKF' "$tmp/out"
check "الثلاثاء is the Tuesday of publication, 2022-09-27" \
    grep -q '"value":"2022-09-27"' "$tmp/out"
check "21 فبراير before publication is 2022-02-21" \
    grep -q '"value":"2022-02-21"' "$tmp/out"
check "الثاني من مارس is 2022-03-02" grep -q '"value":"2022-03-02"' "$tmp/out"
check "141 دولة is a figure of 141" grep -q '"value":141,' "$tmp/out"
python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$tmp/out" 2>/dev/null
check "the output is JSON" test $? -eq 0
"$K" entities --index "$tmp/ix" nope >/dev/null 2>"$tmp/err"
check "an unknown id is an error" test $? -eq 1
KHABAR_NER_MODEL=/nonexistent "$K" entities --index "$tmp/ix" seed \
    >/dev/null 2>"$tmp/err"
check "a missing model is a clear error" grep -q 'nonexistent' "$tmp/err"
echo "1..$n"
