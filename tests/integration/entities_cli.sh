#!/bin/sh
# khabar entities, khabar timeline and the entity: filter: people, places,
# organizations with their cross-script key, tagged at ingest; dates
# resolved against the publication date; figures; a saved entity:
# search and its digest.  Speaks TAP.
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
check "توكاييف in the title is the person of the full name in the body" \
    grep -q '"type":"PER","key":"PER:KSM-JMRT-TKF","name":"قاسم جومارت توكاييف","field":"title"' "$tmp/out"
check "the full name is one person" \
    grep -q '"key":"PER:KSM-JMRT-TKF","name":"قاسم جومارت توكاييف","field":"body","start":45,"end":81' "$tmp/out"
check "الثلاثاء is the Tuesday of publication, 2022-09-27" \
    grep -q '"value":"2022-09-27"' "$tmp/out"
check "21 فبراير before publication is 2022-02-21" \
    grep -q '"value":"2022-02-21"' "$tmp/out"
check "الثاني من مارس is 2022-03-02" grep -q '"value":"2022-03-02"' "$tmp/out"
check "141 دولة is a figure of 141" grep -q '"value":141,' "$tmp/out"
python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$tmp/out" 2>/dev/null
check "the output is JSON" test $? -eq 0
# للأمم is ل + الأمم: one key with الأمم
printf '%s\n' '{"id":"un1","date":"2022-03-02T10:00:00Z","source":"afp","title":"تصويت","body":"صوتت الجمعية العامة للأمم المتحدة على القرار."}' '{"id":"un2","date":"2022-03-03T10:00:00Z","source":"afp","title":"بيان","body":"قالت الأمم المتحدة إن القرار ملزم."}' |
    "$K" ingest --index "$tmp/ixu" - >/dev/null 2>&1
"$K" search --index "$tmp/ixu" --json 'entity:ORG:M-MTHD' >"$tmp/s" 2>&1
check "للأمم المتحدة and الأمم المتحدة: one entity key" grep -q '"total":2,' "$tmp/s"
printf '%s\n' '{"id":"lb1","date":"2022-03-02T10:00:00Z","source":"afp","title":"دعم","body":"قدمت السعودية دعما للبنان أمس."}' |
    "$K" ingest --index "$tmp/ixu" - >/dev/null 2>&1
"$K" entities --index "$tmp/ixu" lb1 >"$tmp/e" 2>&1
check "للبنان is ل + لبنان (the word list knows لبنان): LOC:LBN" grep -q 'LOC:LBN' "$tmp/e"
# آلاف is an order of size, said so (it printed a bare 1000)
printf '%s\n' '{"id":"fig1","date":"2022-03-02T10:00:00Z","source":"afp","title":"حشود","body":"أرسلت روسيا آلاف الجنود و141 دبابة إلى الحدود."}' |
    "$K" ingest --index "$tmp/ixu" - >/dev/null 2>&1
"$K" entities --index "$tmp/ixu" --json fig1 >"$tmp/f" 2>&1
check "آلاف الجنود is approximate, 141 دبابة exact (--json)" \
    sh -c "grep -q '\"value\":1000,\"unit\":\"الجنود\",\"approximate\":true' '$tmp/f' && grep -q '\"value\":141,\"unit\":\"دبابة\",\"approximate\":false' '$tmp/f'"
"$K" entities --index "$tmp/ixu" fig1 >"$tmp/f" 2>&1
check "آلاف الجنود is ~1000 in the text output" grep -q '^FIG  body   ~1000 ' "$tmp/f"
# undated: only the dates the text fixes by itself
printf '%s\n' '{"id":"undated","source":"afp","title":"اجتماع","body":"اجتمع الوزراء الثلاثاء في موسكو. وفي 24 فبراير 2022 بدأت الحرب. وفي 21 فبراير اعترف الكرملين."}' |
    "$K" ingest --index "$tmp/ix" - >/dev/null 2>&1
"$K" entities --index "$tmp/ix" undated >"$tmp/u" 2>&1
check "undated article: a date with its year kept, weekday and yearless left out" \
    sh -c "grep -q '2022-02-24' '$tmp/u' && ! grep -q 'الثلاثاء' '$tmp/u' && ! grep -q '21 فبراير' '$tmp/u' && grep -q 'no publication date: 2 dates' '$tmp/u'"
"$K" entities --index "$tmp/ix" --json undated >"$tmp/u" 2>&1
check "undated article, --json: dates_left_out 2" grep -q '^{"id":"undated","dates_left_out":2,' "$tmp/u"
"$K" entities --index "$tmp/ix" nope >/dev/null 2>"$tmp/err"
check "an unknown id is an error" test $? -eq 1
KHABAR_NER_MODEL=/nonexistent "$K" entities --index "$tmp/ix" seed \
    >/dev/null 2>"$tmp/err"
check "a missing model is a clear error" grep -q 'nonexistent' "$tmp/err"

# Tagged at ingest: the entity: filter and the index's entities, any script
for q in Tokayev Токаев توكاييف '"قاسم توكاييف"'; do
    "$K" search --index "$tmp/ix" --json "entity:$q" >"$tmp/s" 2>&1
    check "entity:$q finds the article" grep -q '"total":1,' "$tmp/s"
done
"$K" search --index "$tmp/ix" --json 'entity:Obama' >"$tmp/s" 2>&1
check "entity:Obama finds nothing" grep -q '"total":0,' "$tmp/s"
"$K" search --index "$tmp/ix" 'entity:"..."' >/dev/null 2>"$tmp/err"
check "entity: without a letter is an error with its reason" \
    grep -q 'no letter' "$tmp/err"
"$K" entities --index "$tmp/ix" --find Tokayev --json >"$tmp/f" 2>&1
check "entities --find Tokayev lists the person with its article count" \
    grep -q '"key":"PER:KSM-JMRT-TKF","type":"PER","name":"قاسم جومارت توكاييف","articles":1' "$tmp/f"
"$K" entities --index "$tmp/ix" --find Токаев >"$tmp/f" 2>&1
check "entities --find Токаев too" grep -q 'PER:KSM-JMRT-TKF' "$tmp/f"
# counts are of live articles: a replaced one counts once, a deleted none
printf '%s\n' '{"id":"twice","date":"2015-07-21T10:00:00Z","source":"t","title":"كاميرون في لندن","body":"قال رئيس الوزراء البريطاني ديفيد كاميرون إن الحكومة ستدرس القرار."}' >"$tmp/twice.jsonl"
for i in 1 2 3; do "$K" ingest --index "$tmp/ixc" "$tmp/twice.jsonl" >/dev/null 2>&1; done
"$K" entities --index "$tmp/ixc" --find Cameron --json >"$tmp/f" 2>&1
check "an article ingested three times counts once" \
    grep -q '"key":"PER:DFD-KMRN","type":"PER","name":"ديفيد كاميرون","articles":1' "$tmp/f"
"$K" delete --index "$tmp/ixc" twice >/dev/null 2>&1
"$K" entities --index "$tmp/ixc" --find Cameron --json >"$tmp/f" 2>&1
check "a deleted article: the entity is no longer listed" \
    sh -c "! grep -q 'PER:DFD-KMRN' '$tmp/f'"

# Timelines: of the story of an article, of an entity
"$K" timeline --index "$tmp/ix" --json seed >"$tmp/t" 2>&1
check "timeline ID: the publication is an event" \
    grep -q '"date":"2022-09-27","kind":"published","text":"توكاييف يتعهد بحماية الروس الفارين"' "$tmp/t"
check "timeline ID: 21 فبراير is an event with its sentence" \
    grep -q '"date":"2022-02-21","kind":"mentioned","text":"وفي 21 فبراير اعترف الكرملين باستقلال دونيتسك، وصوتت 141 دولة في الثاني من مارس بحسب وكالة فرانس برس."' "$tmp/t"
check "timeline ID: one article on one day" \
    grep -q '"volume":\[{"day":"2022-09-27","articles":1}\]' "$tmp/t"
"$K" timeline --index "$tmp/ix" --json --entity Tokayev >"$tmp/t" 2>&1
check "timeline --entity: only the sentences naming him" \
    sh -c "grep -q 'قال الرئيس الكازاخستاني' '$tmp/t' && ! grep -q '21 فبراير' '$tmp/t'"
"$K" timeline --index "$tmp/ix" --entity Obama >/dev/null 2>"$tmp/err"
check "timeline of an unknown entity is an error" test $? -eq 1
# a name is its best-known entity, as the API has it: Barack, not Michelle
printf '%s\n' '{"id":"ob1","date":"2015-08-01T10:00:00Z","title":"زيارة","body":"قال الرئيس الأمريكي باراك أوباما إن الاتفاق جيد."}' '{"id":"ob2","date":"2015-08-02T10:00:00Z","title":"خطاب","body":"قال الرئيس الأمريكي باراك أوباما في خطاب إن بلاده ستدعم الاتفاق."}' '{"id":"ob3","date":"2015-08-03T10:00:00Z","title":"مدرسة","body":"زارت السيدة الأولى ميشيل أوباما مدرسة في شيكاغو."}' |
    "$K" ingest --index "$tmp/ixo" - >/dev/null 2>&1
"$K" timeline --index "$tmp/ixo" --entity Obama >"$tmp/t" 2>&1
check "timeline --entity NAME: its best-known entity, named by key, 2 articles" \
    sh -c "head -1 '$tmp/t' | grep -q 'PER:BRK-BM' && sed -n 2p '$tmp/t' | grep -q '^2 articles'"
"$K" timeline --index "$tmp/ix" >/dev/null 2>&1
check "timeline without ID or --entity is a usage error" test $? -eq 2

# --no-entities: no tagging, so the filter finds nothing
printf '%s\n' '{"id":"seed","date":"2022-09-27T10:00:00Z","title":"توكاييف","body":"قال الرئيس الكازاخستاني قاسم جومارت توكاييف الثلاثاء إن بلاده ستحمي الروس."}' |
    "$K" ingest --index "$tmp/ix2" --no-entities - >/dev/null 2>&1
"$K" search --index "$tmp/ix2" --json 'entity:Tokayev' >"$tmp/s" 2>&1
check "ingest --no-entities leaves the entity: filter empty" \
    grep -q '"total":0,' "$tmp/s"
# A saved entity: search: matched when an article naming him arrives,
# in any script, and not for an article without him
printf '%s\n' '{"id":"other","date":"2022-09-27T09:00:00Z","source":"spa","title":"الروس في كازاخستان","body":"عبر آلاف الروس الحدود إلى كازاخستان هربا من التعبئة."}' |
    "$K" ingest --index "$tmp/ix3" - >/dev/null 2>&1
"$K" subscribe --index "$tmp/ix3" --confirmed --frequency immediate \
    a@example.com 'entity:Tokayev' >/dev/null 2>&1
check "entity: can be saved" test $? -eq 0
"$K" subscribe --index "$tmp/ix3" --confirmed --frequency immediate \
    b@example.com 'entity:Obama' >/dev/null 2>&1
"$K" subscribe --index "$tmp/ix3" --confirmed c@example.com 'entity:"..."' \
    >/dev/null 2>"$tmp/err"
check "entity: without a letter cannot be saved, with the reason" \
    grep -q 'needs a name with a letter' "$tmp/err"
"$K" digest --index "$tmp/ix3" --print >"$tmp/d1" 2>&1
check "no digest for an article without him" test "$(grep -c '^To:' "$tmp/d1")" -eq 0
printf '%s\n' '{"id":"seed","date":"2022-09-27T10:00:00Z","source":"afp","title":"توكاييف يتعهد بحماية الروس الفارين","body":"قال الرئيس الكازاخستاني قاسم جومارت توكاييف الثلاثاء إن بلاده ستحمي الروس."}' |
    "$K" ingest --index "$tmp/ix3" - >/dev/null 2>&1
"$K" digest --index "$tmp/ix3" --print >"$tmp/d2" 2>&1
check "the article naming توكاييف: a digest for entity:Tokayev only" \
    test "$(grep -c '^To:' "$tmp/d2")" -eq 1 -a \
    "$(grep -c '^To: <a@example.com>' "$tmp/d2")" -eq 1
echo "1..$n"
