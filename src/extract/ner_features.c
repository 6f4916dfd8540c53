/*
 * ner_features.c -- text to tokens to hashed features for the entity
 * tagger.  The library, the trainer and the evaluation all go through
 * here, so a feature cannot differ between training and tagging.
 *
 * Raw news text keeps its clitics attached (والرئيس، بالمدينة) while the
 * gold corpus splits them; the gold reader joins them back, and the
 * features lean on the analyzer's stem (which drops them) beside the
 * normalized form (which keeps them, and with them the hint that a
 * preposition or a conjunction precedes).
 */
#include "extract/ner.h"

#include <string.h>

/* Cue words, in ordinary spelling; kh__ner_cues_build() folds and stems
 * them.  A title before a name, the kind of body or place it names, and
 * the verbs of reporting that follow a speaker. */
static const char *const cue_title[] = {
    "الرئيس",  "رئيس",    "الوزير",   "وزير",       "الملك",   "الأمير",
    "الشيخ",   "السيد",   "السيدة",   "الدكتور",    "النائب",  "اللواء",
    "العميد",  "الجنرال", "المستشار", "السفير",     "المتحدث", "الناطق",
    "المدرب",  "اللاعب",  "الفنان",   "الفنانة",    "الكاتب",  "الشاعر",
    "المطرب",  "الإمام",  "البابا",   "الرئيسة",    "زعيم",    "قائد",
    "مدير",    "الأمين",  "سمو",      "معالي",      "فخامة",   "السلطان",
    "المبعوث", "النجم",   "المهاجم",  "الحارس",     "نائب",    "المرشح",
    "القاضي",  "المحامي", "الأستاذ",  "البروفيسور", "ولي",
};

static const char *const cue_org[] = {
    "وكالة", "شركة",   "جامعة", "وزارة", "منظمة",   "حزب",     "حركة",
    "مجلس",  "هيئة",   "جمعية", "اتحاد", "نادي",    "منتخب",   "بنك",
    "مصرف",  "صحيفة",  "قناة",  "مؤسسة", "مجموعة",  "لجنة",    "جبهة",
    "محكمة", "برلمان", "مجلة",  "إذاعة", "تلفزيون", "جيش",     "فريق",
    "معهد",  "مركز",   "البنك", "الأمم", "الاتحاد", "الجامعة",
};

static const char *const cue_loc[] = {
    "منطقة", "مدينة", "محافظة", "نهر",   "بحر",     "جزيرة", "ولاية",
    "إقليم", "قرية",  "بلدة",   "عاصمة", "العاصمة", "جبل",   "بحيرة",
    "مطار",  "ميناء", "شارع",   "حي",    "مخيم",    "دولة",  "جمهورية",
    "مملكة", "إمارة", "شمال",   "جنوب",  "شرق",     "غرب",   "وسط",
};

static const char *const cue_said[] = {
    "قال", "أعلن", "أكد", "صرح", "أوضح",  "أضاف",   "ذكر", "أفاد",  "أشار",
    "نفى", "طالب", "دعا", "وصل", "التقى", "استقبل", "بحث", "اجتمع",
};

static kh_status
add_cues(kh_analyzer *a, kh_strmap *cues, const char *const *w, size_t n,
         unsigned cls)
{
    for (size_t i = 0; i < n; i++) {
        kh_token t;
        kh_analyzer_reset(a, w[i], strlen(w[i]));
        if (!kh_analyzer_next(a, &t))
            continue;
        kh_strmap_entry *e = kh__strmap_upsert(cues, t.stem, t.stem_len);
        if (e == NULL)
            return KH_ENOMEM;
        if (e->value == 0) /* the first list wins: titles before bodies */
            e->value = cls;
    }
    return KH_OK;
}

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

kh_status
kh__ner_cues_build(kh_analyzer *a, kh_strmap *cues)
{
    kh_status rc =
        add_cues(a, cues, cue_title, N_OF(cue_title), KH_NER_CUE_TITLE);
    if (rc == KH_OK)
        rc = add_cues(a, cues, cue_org, N_OF(cue_org), KH_NER_CUE_ORG);
    if (rc == KH_OK)
        rc = add_cues(a, cues, cue_loc, N_OF(cue_loc), KH_NER_CUE_LOC);
    if (rc == KH_OK)
        rc = add_cues(a, cues, cue_said, N_OF(cue_said), KH_NER_CUE_SAID);
    return rc;
}

void
kh__ner_seq_init(kh_ner_seq *seq)
{
    memset(seq, 0, sizeof *seq);
    kh__buf_init(&seq->strings);
}

void
kh__ner_seq_release(kh_ner_seq *seq)
{
    kh_free(seq->tok);
    kh__buf_release(&seq->strings);
    memset(seq, 0, sizeof *seq);
}

/* Keeps the non-space bytes of s[0..n) (at most KH_NER_GAP_BYTES, cut at
 * a character boundary) and says whether they end a sentence. */
static int
squeeze_gap(const char *s, size_t n, char *out)
{
    size_t k = 0;
    int ends = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\n' || c == '.' || c == '!' || c == '?')
            ends = 1;
        if (c == 0xd8 && i + 1 < n && (unsigned char)s[i + 1] == 0x9f)
            ends = 1; /* ؟ */
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
            continue;
        /* U+200E/U+200F and the no-break space carry nothing */
        if (c == 0xe2 && i + 2 < n && (unsigned char)s[i + 1] == 0x80 &&
            ((unsigned char)s[i + 2] == 0x8e ||
             (unsigned char)s[i + 2] == 0x8f)) {
            i += 2;
            continue;
        }
        if (c == 0xc2 && i + 1 < n && (unsigned char)s[i + 1] == 0xa0) {
            i++;
            continue;
        }
        if (k < KH_NER_GAP_BYTES)
            out[k++] = (char)c;
    }
    while (k > 0 && ((unsigned char)out[k - 1] & 0xc0) == 0x80)
        k--; /* drop a cut character's tail ... */
    if (k > 0 && (unsigned char)out[k - 1] >= 0xc0)
        k--; /* ... and its lead byte */
    out[k] = '\0';
    return ends;
}

kh_status
kh__ner_seq_add(kh_ner_seq *seq, kh_analyzer *a, const kh_ner_lexicon *lex,
                const char *text, size_t len)
{
    size_t from = seq->n;
    kh_status rc = KH_OK;
    kh_token t;
    size_t prev_end = 0;
    uint32_t sent = seq->n > 0 ? seq->tok[seq->n - 1].sent + 1 : 0;
    int first = 1;
    kh_analyzer_reset(a, text, len);
    while (kh_analyzer_next(a, &t)) {
        if (seq->n == seq->cap) {
            size_t cap = seq->cap ? seq->cap * 2 : 256;
            kh_ner_token *nt = kh_realloc(seq->tok, cap * sizeof *nt);
            if (nt == NULL)
                return KH_ENOMEM;
            seq->tok = nt;
            seq->cap = cap;
        }
        if (seq->strings.len + t.norm_len + t.stem_len + 2 > UINT32_MAX)
            return KH_EINVAL;
        kh_ner_token *k = &seq->tok[seq->n];
        memset(k, 0, sizeof *k);
        k->start = t.start;
        k->end = t.end;
        /* Tokens can share bytes (a word the analyzer splits), so the gap
         * may be empty. */
        int ends =
            squeeze_gap(text + prev_end,
                        t.start > prev_end ? t.start - prev_end : 0, k->gap);
        if (ends && !first)
            sent++;
        first = 0;
        k->sent = sent;
        k->kind = (uint8_t)t.kind;
        k->stop = (t.flags & KH_TOKEN_STOP) != 0;
        k->norm_off = (uint32_t)seq->strings.len;
        k->norm_len = (uint32_t)t.norm_len;
        kh__buf_append(&seq->strings, t.norm, t.norm_len + 1, &rc);
        k->stem_off = (uint32_t)seq->strings.len;
        k->stem_len = (uint32_t)t.stem_len;
        kh__buf_append(&seq->strings, t.stem, t.stem_len + 1, &rc);
        if (rc != KH_OK)
            return rc;
        prev_end = t.end;
        seq->n++;
    }
    kh__ner_seq_mark(seq, from, lex);
    return rc;
}

void
kh__ner_seq_mark(kh_ner_seq *seq, size_t from, const kh_ner_lexicon *lex)
{
    for (size_t i = from; i < seq->n; i++) {
        kh_ner_token *k = &seq->tok[i];
        k->cue = 0;
        k->rare = 0;
        k->gaz = 0;
        if (lex == NULL)
            continue;
        const kh_strmap_entry *e =
            kh__strmap_get(&lex->cues, kh__ner_stem(seq, i), k->stem_len);
        if (e != NULL)
            k->cue = (uint8_t)e->value;
        if (k->kind == KH_TOKEN_ARABIC && lex->known.count > 0) {
            const char *b;
            size_t bl = kh__ner_bare(kh__ner_norm(seq, i), k->norm_len, &b);
            k->rare = kh__strmap_get(&lex->known, b, bl) == NULL;
        }
        if (lex->gaz.count > 0 && !k->stop) {
            const char *b;
            size_t bl = kh__ner_bare(kh__ner_norm(seq, i), k->norm_len, &b);
            const kh_strmap_entry *g = kh__strmap_get(&lex->gaz, b, bl);
            if (g != NULL)
                k->gaz = (uint8_t)g->value;
        }
    }
}

void
kh__ner_lexicon_init(kh_ner_lexicon *lex)
{
    kh__strmap_init(&lex->cues);
    kh__strmap_init(&lex->known);
    kh__strmap_init(&lex->gaz);
}

void
kh__ner_lexicon_release(kh_ner_lexicon *lex)
{
    kh__strmap_release(&lex->cues);
    kh__strmap_release(&lex->known);
    kh__strmap_release(&lex->gaz);
}

/* FNV-1a, fed piece by piece: a feature is a name, a separator byte and
 * one or two values. */
#define FNV_INIT 2166136261u

static inline uint32_t
fnv(uint32_t h, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

static inline uint32_t
feat(const char *name, const char *v, size_t n)
{
    uint32_t h = fnv(FNV_INIT, name, strlen(name));
    h = fnv(h, "\x1f", 1);
    return fnv(h, v, n);
}

static inline uint32_t
feat2(const char *name, const char *v, size_t n, const char *w, size_t m)
{
    uint32_t h = feat(name, v, n);
    h = fnv(h, "\x1f", 1);
    return fnv(h, w, m);
}

/* Bytes of the first k characters of s[0..n), or 0 if it has fewer. */
static size_t
prefix_bytes(const char *s, size_t n, int k)
{
    size_t i = 0;
    for (int c = 0; c < k; c++) {
        if (i >= n)
            return 0;
        i++;
        while (i < n && ((unsigned char)s[i] & 0xc0) == 0x80)
            i++;
    }
    return i < n ? i : 0; /* a proper prefix only */
}

/* Bytes of the last k characters of s[0..n), or 0 if it has fewer. */
static size_t
suffix_bytes(const char *s, size_t n, int k)
{
    size_t i = n;
    for (int c = 0; c < k; c++) {
        if (i == 0)
            return 0;
        i--;
        while (i > 0 && ((unsigned char)s[i] & 0xc0) == 0x80)
            i--;
    }
    return i > 0 ? n - i : 0;
}

static size_t
n_chars(const char *s, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += ((unsigned char)s[i] & 0xc0) != 0x80;
    return c;
}

/* The word without its proclitics: و or ف, then ب ل or ك, then ال (لل
 * counts as ل + ال), as long as two letters stay.  Gentler than the
 * stemmer, which also takes endings off names (المانيا gives مان). */
size_t
kh__ner_bare(const char *w, size_t n, const char **out)
{
    const char *s = w;
    size_t k = n;
#define HAS(lit)                                                               \
    (k >= sizeof(lit) - 1 + 4 && memcmp(s, lit, sizeof(lit) - 1) == 0)
    if (HAS("و") || HAS("ف")) {
        s += 2;
        k -= 2;
    }
    if (HAS("لل")) {
        s += 4;
        k -= 4;
    } else {
        if (HAS("ب") || HAS("ل") || HAS("ك")) {
            s += 2;
            k -= 2;
        }
        if (HAS("ال")) {
            s += 4;
            k -= 4;
        }
    }
#undef HAS
    *out = s;
    return k;
}

/* The token at i + d if it is in the same sentence as i, else NULL. */
static const kh_ner_token *
near(const kh_ner_seq *seq, size_t i, int d)
{
    if (d < 0 && (size_t)-d > i)
        return NULL;
    size_t j = (size_t)((long)i + d);
    if (j >= seq->n || seq->tok[j].sent != seq->tok[i].sent)
        return NULL;
    return &seq->tok[j];
}

uint32_t
kh__ner_bias_hash(void)
{
    return feat("bias", "", 0);
}

size_t
kh__ner_features(const kh_ner_seq *seq, size_t i, uint32_t *out)
{
    static const char *const wn[] = {"w-2", "w-1", "w0", "w+1", "w+2"};
    static const char *const sn[] = {"s-2", "s-1", "s0", "s+1", "s+2"};
    static const char *const cn[] = {"c-2", "c-1", "c0", "c+1", "c+2"};
    const char *base = seq->strings.data;
    const kh_ner_token *t = &seq->tok[i];
    const char *w = base + t->norm_off, *s = base + t->stem_off;
    size_t wl = t->norm_len, sl = t->stem_len, n = 0;
    char kb[2] = {(char)('0' + t->kind), 0};

    out[n++] = feat("bias", "", 0);
    out[n++] = feat("kind", kb, 1);
    if (t->stop)
        out[n++] = feat("stop", "", 0);
    char lb[2] = {(char)('0' + (n_chars(w, wl) > 9 ? 9 : n_chars(w, wl))), 0};
    out[n++] = feat("len", lb, 1);
    for (int k = 1; k <= 3; k++) {
        static const char *const pn[] = {"", "p1", "p2", "p3"};
        static const char *const xn[] = {"", "x1", "x2", "x3"};
        size_t pb = prefix_bytes(w, wl, k), xb = suffix_bytes(w, wl, k);
        if (pb > 0)
            out[n++] = feat(pn[k], w, pb);
        if (xb > 0)
            out[n++] = feat(xn[k], w + wl - xb, xb);
    }
    /* what the stemmer cut off: the clitics and endings */
    if (sl < wl) {
        const char *at = strstr(w, s);
        size_t pre = at != NULL ? (size_t)(at - w) : 0;
        out[n++] = feat("cut<", w, pre);
        if (at != NULL)
            out[n++] = feat("cut>", at + sl, wl - pre - sl);
    }
    if (sl >= 2) {
        size_t xb = suffix_bytes(s, sl, 2);
        if (xb > 0)
            out[n++] = feat("sx2", s + sl - xb, xb);
    }
    const char *bw;
    size_t bl = kh__ner_bare(w, wl, &bw);
    out[n++] = feat("b0", bw, bl);
    if (bl < wl)
        out[n++] = feat("cl", w, wl - bl);
    /* beginnings and endings of the bare word: the clitics no longer
     * hide them (dev F1 0.649 with them, 0.637 without) */
    for (int k = 2; k <= 4; k++) {
        static const char *const pn[] = {"", "", "bp2", "bp3", "bp4"};
        static const char *const xn[] = {"", "", "bx2", "bx3", "bx4"};
        size_t pb = prefix_bytes(bw, bl, k), xb = suffix_bytes(bw, bl, k);
        if (pb > 0)
            out[n++] = feat(pn[k], bw, pb);
        if (xb > 0)
            out[n++] = feat(xn[k], bw + bl - xb, xb);
    }
    out[n++] = feat("gap", t->gap, strlen(t->gap));
    const kh_ner_token *nx = near(seq, i, 1);
    out[n++] = nx != NULL ? feat("gap+", nx->gap, strlen(nx->gap))
                          : feat("eos", "", 0);
    if (near(seq, i, -1) == NULL)
        out[n++] = feat("bos", "", 0);
    for (int d = -2; d <= 2; d++) {
        const kh_ner_token *o = near(seq, i, d);
        if (o == NULL)
            continue;
        const char *ow = base + o->norm_off, *os = base + o->stem_off;
        out[n++] = feat(wn[d + 2], ow, o->norm_len);
        out[n++] = feat(sn[d + 2], os, o->stem_len);
        if (d == -1 || d == 1) {
            bl = kh__ner_bare(ow, o->norm_len, &bw);
            out[n++] = feat(d < 0 ? "b-1" : "b+1", bw, bl);
        }
        if (o->rare) {
            static const char *const rn[] = {"r-2", "r-1", "r0", "r+1", "r+2"};
            out[n++] = feat(rn[d + 2], "", 0);
        }
        if (o->cue) {
            char cb[2] = {(char)('0' + o->cue), 0};
            out[n++] = feat(cn[d + 2], cb, 1);
        }
        if (o->gaz && d >= -1 && d <= 1) {
            static const char *const gn[] = {"", "g-1", "g0", "g+1", ""};
            char gb[2] = {(char)('0' + o->gaz), 0};
            out[n++] = feat(gn[d + 2], gb, 1);
        }
    }
    if (t->gaz) {
        char gb[3] = {(char)('0' + t->gaz), (char)('0' + t->rare), 0};
        out[n++] = feat("g0r", gb, 2);
    }
    const kh_ner_token *pv = near(seq, i, -1);
    if (pv != NULL)
        out[n++] = feat2("s-1s0", base + pv->stem_off, pv->stem_len, s, sl);
    if (nx != NULL) {
        out[n++] = feat2("s0s+1", s, sl, base + nx->stem_off, nx->stem_len);
        size_t xb = suffix_bytes(base + nx->norm_off, nx->norm_len, 2);
        if (xb > 0)
            out[n++] =
                feat("x2+1", base + nx->norm_off + nx->norm_len - xb, xb);
    }
    if (pv != NULL) {
        size_t xb = suffix_bytes(base + pv->norm_off, pv->norm_len, 2);
        if (xb > 0)
            out[n++] =
                feat("x2-1", base + pv->norm_off + pv->norm_len - xb, xb);
    }
    return n;
}

size_t
kh__ner_label_features(const kh_ner_seq *seq, size_t i, int prev1, int prev2,
                       uint32_t *out)
{
    char a[2] = {(char)('0' + prev1), 0}, b[3] = {a[0], (char)('0' + prev2), 0};
    const char *s = kh__ner_stem(seq, i);
    size_t sl = seq->tok[i].stem_len, n = 0;
    out[n++] = feat("t-1", a, 1);
    out[n++] = feat("t-2t-1", b, 2);
    out[n++] = feat2("t-1s0", a, 1, s, sl);
    if (seq->tok[i].cue) {
        char cb[2] = {(char)('0' + seq->tok[i].cue), 0};
        out[n++] = feat2("t-1c0", a, 1, cb, 1);
    }
    return n;
}

/* Counts per label packed 8 bits each into a strmap value (saturating). */
static inline unsigned
count_of(uint64_t v, int l)
{
    return (unsigned)((v >> (8 * l)) & 0xff);
}

static int
has_memory(const kh_ner_token *t)
{
    return !t->stop &&
           (t->kind == KH_TOKEN_ARABIC || t->kind == KH_TOKEN_LATIN);
}

kh_status
kh__ner_memory(kh_ner_seq *seq, size_t doc_a, size_t doc_b, size_t a, size_t b,
               const int *labels)
{
    kh_strmap cnt;
    kh__strmap_init(&cnt);
    for (size_t j = doc_a; j < doc_b; j++) {
        if (!has_memory(&seq->tok[j]))
            continue;
        const char *bw;
        size_t bl =
            kh__ner_bare(kh__ner_norm(seq, j), seq->tok[j].norm_len, &bw);
        kh_strmap_entry *e = kh__strmap_upsert(&cnt, bw, bl);
        if (e == NULL) {
            kh__strmap_release(&cnt);
            return KH_ENOMEM;
        }
        if (count_of(e->value, labels[j]) < 255)
            e->value += (uint64_t)1 << (8 * labels[j]);
    }
    for (size_t i = a; i < b; i++) {
        kh_ner_token *t = &seq->tok[i];
        t->l1 = (uint8_t)labels[i];
        t->mem = 0;
        if (!has_memory(t))
            continue;
        const char *bw;
        size_t bl = kh__ner_bare(kh__ner_norm(seq, i), t->norm_len, &bw);
        const kh_strmap_entry *e = kh__strmap_get(&cnt, bw, bl);
        if (e == NULL)
            continue;
        uint64_t v = e->value;
        if (i >= doc_a && i < doc_b && count_of(v, labels[i]) < 255)
            v -= (uint64_t)1 << (8 * labels[i]); /* not itself */
        for (int l = 0; l < KH_NER_N_LABELS; l++)
            if (count_of(v, l) > 0)
                t->mem |= (uint8_t)(1u << l);
    }
    kh__strmap_release(&cnt);
    return KH_OK;
}

/* The memory mask folded to types: bit T for type T (0 = O). */
static unsigned
mem_types(unsigned mem)
{
    unsigned m = 0;
    for (int l = 0; l < KH_NER_N_LABELS; l++)
        if (mem & (1u << l))
            m |= 1u << KH_NER_TYPE_OF(l);
    return m;
}

size_t
kh__ner_memory_features(const kh_ner_seq *seq, size_t i, uint32_t *out)
{
    static const char *const mn[] = {"m-1", "m0", "m+1"};
    static const char *const tn[] = {"mt-1", "mt0", "mt+1"};
    static const char *const pn[] = {"l-1", "l0", "l+1"};
    const kh_ner_token *t = &seq->tok[i];
    size_t n = 0;
    for (int d = -1; d <= 1; d++) {
        const kh_ner_token *o = near(seq, i, d);
        if (o == NULL)
            continue;
        char lb[2] = {(char)('0' + o->l1), 0};
        out[n++] = feat(pn[d + 1], lb, 1);
        if (o->mem == 0)
            continue;
        char mb[3] = {(char)('0' + (o->mem & 0x0f)),
                      (char)('0' + (o->mem >> 4)), 0};
        out[n++] = feat(mn[d + 1], mb, 2);
        char tb[2] = {(char)('0' + mem_types(o->mem)), 0};
        out[n++] = feat(tn[d + 1], tb, 1);
    }
    if (t->mem != 0) {
        for (int l = 0; l < KH_NER_N_LABELS; l++)
            if (t->mem & (1u << l)) {
                char lb[2] = {(char)('0' + l), 0};
                out[n++] = feat("m0l", lb, 1);
            }
        char tb[2] = {(char)('0' + mem_types(t->mem)), 0};
        char lb[2] = {(char)('0' + t->l1), 0};
        out[n++] = feat2("mt0l0", tb, 1, lb, 1);
        if (t->rare)
            out[n++] = feat("mt0r", tb, 1);
    }
    return n;
}
