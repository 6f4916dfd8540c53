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
int
kh__ner_gap(const char *s, size_t n, char *out)
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
            kh__ner_gap(text + prev_end,
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
kh__ner_word_mark(kh_ner_word *w, const kh_ner_lexicon *lex)
{
    w->cue = 0;
    w->rare = 0;
    w->gaz = 0;
    w->dict = 0;
    if (lex == NULL)
        return;
    const kh_strmap_entry *e = kh__strmap_get(&lex->cues, w->stem, w->stem_len);
    if (e != NULL)
        w->cue = (uint8_t)e->value;
    const char *b;
    size_t bl = kh__ner_bare(w->norm, w->norm_len, &b);
    if (w->kind == KH_TOKEN_ARABIC && lex->known.count > 0)
        w->rare = kh__strmap_get(&lex->known, b, bl) == NULL;
    if (lex->gaz.count > 0 && !w->stop) {
        const kh_strmap_entry *g = kh__strmap_get(&lex->gaz, b, bl);
        if (g != NULL)
            w->gaz = (uint8_t)g->value;
    }
    w->dict = kh__ner_dict_classes(lex, w, b, bl);
}

void
kh__ner_seq_mark(kh_ner_seq *seq, size_t from, const kh_ner_lexicon *lex)
{
    for (size_t i = from; i < seq->n; i++) {
        kh_ner_token *k = &seq->tok[i];
        kh_ner_word w;
        kh__ner_word_of(seq, i, &w);
        kh__ner_word_mark(&w, lex);
        k->cue = w.cue;
        k->rare = w.rare;
        k->gaz = w.gaz;
        k->dict = w.dict;
    }
}

void
kh__ner_lexicon_init(kh_ner_lexicon *lex)
{
    kh__strmap_init(&lex->cues);
    kh__strmap_init(&lex->known);
    kh__strmap_init(&lex->gaz);
    kh__strmap_init(&lex->dict);
    kh__strmap_init(&lex->written);
}

void
kh__ner_lexicon_release(kh_ner_lexicon *lex)
{
    kh__strmap_release(&lex->cues);
    kh__strmap_release(&lex->known);
    kh__strmap_release(&lex->gaz);
    kh__strmap_release(&lex->dict);
    kh__strmap_release(&lex->written);
}

/* Feature hashes.  A feature is a template (what it looks at: the word
 * two places back, the previous label, ...) and a value; the value's
 * bytes are hashed once (the same word serves five templates) and the
 * template is mixed in after, so that a word's thirty-odd features cost
 * a handful of string hashes and a multiply each.  The hash reads bytes
 * one by one into 64-bit words, so it is the same on every byte order
 * (the model file holds its buckets). */
enum {
    F_BIAS = 1,
    F_KIND,
    F_STOP,
    F_LEN,
    F_PRE,             /* + k, k = 1..3: prefix of the form */
    F_SUF = F_PRE + 4, /* + k */
    F_CUTL = F_SUF + 4,
    F_CUTR,
    F_SX2,
    F_CL,
    F_BPRE, /* + k, k = 2..4: prefix of the bare form */
    F_BSUF = F_BPRE + 5,
    F_W = F_BSUF + 5, /* + d + 2 */
    F_S = F_W + 5,
    F_B = F_S + 5,
    F_X2 = F_B + 5,
    F_R = F_X2 + 5,
    F_C = F_R + 5,
    F_G = F_C + 5,
    F_G0R = F_G + 5,
    F_GAP,
    F_GAPN,
    F_EDGE,              /* + end */
    F_PAIR = F_EDGE + 2, /* + right */
    F_T1 = F_PAIR + 2,
    F_T2,
    F_T1S,
    F_T1C,
    F_L,            /* + d + 1 */
    F_M = F_L + 3,  /* + d + 1 */
    F_MT = F_M + 3, /* + d + 1 */
    F_M0L = F_MT + 3,
    F_MT0L0,
    F_MT0R,
    F_D /* + d + 1: a dictionary class of the word at d */
};

/* The k (<= 8) bytes at p as a little-endian number. */
static inline uint64_t
load_le(const unsigned char *p, size_t k)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint64_t x;
    uint32_t lo, hi;
    if (k == 8) {
        memcpy(&x, p, 8);
        return x;
    }
    if (k >= 4) { /* two loads that overlap: the shared bytes agree */
        memcpy(&lo, p, 4);
        memcpy(&hi, p + k - 4, 4);
        return (uint64_t)lo | (uint64_t)hi << (8 * (k - 4));
    }
    return (uint64_t)p[0] | (uint64_t)p[k / 2] << (8 * (k / 2)) |
           (uint64_t)p[k - 1] << (8 * (k - 1));
#else
    uint64_t x = 0;
    for (size_t i = 0; i < k; i++)
        x |= (uint64_t)p[i] << (8 * i);
    return x;
#endif
}

uint32_t
kh__ner_str_hash(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    uint64_t h = 0x9e3779b97f4a7c15ull ^ (uint64_t)n;
    while (n > 0) {
        size_t k = n < 8 ? n : 8;
        h = (h ^ load_le(p, k)) * 0xff51afd7ed558ccdull;
        h ^= h >> 29;
        p += k;
        n -= k;
    }
    h *= 0xc4ceb9fe1a85ec53ull;
    return (uint32_t)(h >> 32) ^ (uint32_t)h;
}

/* The feature of template t with value v (a string's hash or a small
 * number). */
static inline uint32_t
fx(uint32_t t, uint32_t v)
{
    return kh__fmix32(v ^ (t * 0x9e3779b1u));
}

/* The same with two values. */
static inline uint32_t
fx2(uint32_t t, uint32_t v, uint32_t w)
{
    return kh__fmix32(kh__fmix32(v + 0x7f4a7c15u * t) ^ w);
}

static inline uint32_t
fs(uint32_t t, const char *s, size_t n)
{
    return fx(t, kh__ner_str_hash(s, n));
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
    return fx(F_BIAS, 0);
}

void
kh__ner_word_of(const kh_ner_seq *seq, size_t i, kh_ner_word *w)
{
    const kh_ner_token *t = &seq->tok[i];
    w->norm = kh__ner_norm(seq, i);
    w->norm_len = t->norm_len;
    w->stem = kh__ner_stem(seq, i);
    w->stem_len = t->stem_len;
    w->kind = t->kind;
    w->stop = t->stop;
    w->cue = t->cue;
    w->rare = t->rare;
    w->gaz = t->gaz;
    w->dict = t->dict;
}

/* prefix_bytes() and suffix_bytes() of s[0..n) for k = 1..4 at once. */
static void
affix_bytes(const char *s, size_t n, size_t *pre, size_t *suf)
{
    size_t i = 0, j = n;
    pre[0] = suf[0] = 0;
    for (int k = 1; k <= 4; k++) {
        if (i < n) {
            i++;
            while (i < n && ((unsigned char)s[i] & 0xc0) == 0x80)
                i++;
            pre[k] = i < n ? i : 0;
        } else {
            pre[k] = 0;
        }
        if (j > 0) {
            j--;
            while (j > 0 && ((unsigned char)s[j] & 0xc0) == 0x80)
                j--;
            suf[k] = j > 0 ? n - j : 0;
        } else {
            suf[k] = 0;
        }
    }
}

size_t
kh__ner_word_features_at(const kh_ner_word *o, unsigned dmask, uint32_t *out,
                         int8_t *at)
{
    const char *w = o->norm, *s = o->stem, *bw;
    size_t wl = o->norm_len, sl = o->stem_len, n = 0;
    /* each string hashed once, whatever the offsets asked */
    uint32_t hw = kh__ner_str_hash(w, wl), hs = kh__ner_str_hash(s, sl);
    size_t bl = kh__ner_bare(w, wl, &bw);
    uint32_t hb = kh__ner_str_hash(bw, bl);
#define PUT(d, f)                                                              \
    do {                                                                       \
        at[n] = (int8_t)(d);                                                   \
        out[n++] = (f);                                                        \
    } while (0)
    /* where the first and last few characters begin and end: pre[k] the
     * bytes of the first k, suf[k] of the last k (0: not a proper part) */
    size_t pre[5], suf[5], bpre[5], bsuf[5];
    affix_bytes(w, wl, pre, suf);
    size_t xb = suf[2];
    uint32_t hx = xb > 0 ? kh__ner_str_hash(w + wl - xb, xb) : 0;
    if (dmask & (1u << 2)) {
        for (int k = 1; k <= 3; k++) {
            if (pre[k] > 0)
                PUT(0, fs(F_PRE + (uint32_t)k, w, pre[k]));
            if (k == 2 && xb > 0)
                PUT(0, fx(F_SUF + 2, hx));
            else if (suf[k] > 0)
                PUT(0, fs(F_SUF + (uint32_t)k, w + wl - suf[k], suf[k]));
        }
        /* what the stemmer cut off: the clitics and endings */
        if (sl < wl) {
            const char *at0 = strstr(w, s);
            size_t cut = at0 != NULL ? (size_t)(at0 - w) : 0;
            PUT(0, fs(F_CUTL, w, cut));
            if (at0 != NULL)
                PUT(0, fs(F_CUTR, at0 + sl, wl - cut - sl));
        }
        if (sl >= 2) {
            size_t sb = suffix_bytes(s, sl, 2);
            if (sb > 0)
                PUT(0, fs(F_SX2, s + sl - sb, sb));
        }
        PUT(0, fx(F_B + 2, hb));
        if (bl < wl)
            PUT(0, fs(F_CL, w, wl - bl));
        /* beginnings and endings of the bare word: the clitics no longer
         * hide them (dev F1 0.649 with them, 0.637 without) */
        affix_bytes(bw, bl, bpre, bsuf);
        for (int k = 2; k <= 4; k++) {
            if (bpre[k] > 0)
                PUT(0, fs(F_BPRE + (uint32_t)k, bw, bpre[k]));
            if (bsuf[k] > 0)
                PUT(0, fs(F_BSUF + (uint32_t)k, bw + bl - bsuf[k], bsuf[k]));
        }
    }
    for (int d = -2; d <= 2; d++) {
        if (!(dmask & (1u << (d + 2))))
            continue;
        /* the classes at -2 and +2 too, or the stem's classes: dev no
         * better (cross-validated F1 0.700 for each, 0.708 as it is) */
        if (d >= -1 && d <= 1)
            for (uint64_t v = o->dict; v != 0; v >>= KH_NER_DICT_BITS)
                PUT(d, fx(F_D + (uint32_t)(d + 1),
                          (uint32_t)(v & KH_NER_DICT_MASK)));
        PUT(d, fx(F_W + (uint32_t)(d + 2), hw));
        PUT(d, fx(F_S + (uint32_t)(d + 2), hs));
        if (d == -1 || d == 1) {
            PUT(d, fx(F_B + (uint32_t)(d + 2), hb));
            if (xb > 0)
                PUT(d, fx(F_X2 + (uint32_t)(d + 2), hx));
        }
    }
#undef PUT
    return n;
}

size_t
kh__ner_word_features(const kh_ner_word *o, int d, uint32_t *out)
{
    int8_t at[KH_NER_MAX_WORD];
    return kh__ner_word_features_at(o, 1u << (d + 2), out, at);
}

unsigned
kh__ner_len_class(const kh_ner_word *w)
{
    size_t nc = n_chars(w->norm, w->norm_len);
    return nc > 9 ? 9 : (unsigned)nc;
}

size_t
kh__ner_shape_features(int d, unsigned kind, unsigned stop, unsigned len,
                       unsigned rare, unsigned cue, unsigned gaz, uint32_t *out)
{
    size_t n = 0;
    uint32_t at = (uint32_t)(d + 2);
    if (d == 0) {
        out[n++] = fx(F_BIAS, 0);
        out[n++] = fx(F_KIND, kind);
        if (stop)
            out[n++] = fx(F_STOP, 0);
        out[n++] = fx(F_LEN, len);
        if (gaz)
            out[n++] = fx(F_G0R, gaz * 2 + rare);
    }
    if (rare)
        out[n++] = fx(F_R + at, 0);
    if (cue)
        out[n++] = fx(F_C + at, cue);
    if (gaz && d >= -1 && d <= 1)
        out[n++] = fx(F_G + at, gaz);
    return n;
}

uint32_t
kh__ner_gap_hash(const char *gap, int next)
{
    return fs(next ? F_GAPN : F_GAP, gap, strlen(gap));
}

uint32_t
kh__ner_edge_hash(int end)
{
    return fx(F_EDGE + (uint32_t)end, 0);
}

uint32_t
kh__ner_pair_hash(uint32_t left, uint32_t right, int which)
{
    return fx2(F_PAIR + (uint32_t)which, left, right);
}

size_t
kh__ner_features(const kh_ner_seq *seq, size_t i, uint32_t *out)
{
    const kh_ner_token *t = &seq->tok[i];
    size_t n = 0;
    for (int d = -2; d <= 2; d++) {
        if (near(seq, i, d) == NULL)
            continue;
        kh_ner_word o;
        kh__ner_word_of(seq, (size_t)((long)i + d), &o);
        n += kh__ner_word_features(&o, d, out + n);
        n += kh__ner_shape_features(d, o.kind, o.stop, kh__ner_len_class(&o),
                                    o.rare, o.cue, o.gaz, out + n);
    }
    out[n++] = kh__ner_gap_hash(t->gap, 0);
    const kh_ner_token *nx = near(seq, i, 1), *pv = near(seq, i, -1);
    out[n++] = nx != NULL ? kh__ner_gap_hash(nx->gap, 1) : kh__ner_edge_hash(1);
    if (pv == NULL)
        out[n++] = kh__ner_edge_hash(0);
    const char *base = seq->strings.data;
    uint32_t hs = kh__ner_str_hash(base + t->stem_off, t->stem_len);
    if (pv != NULL)
        out[n++] = kh__ner_pair_hash(
            kh__ner_str_hash(base + pv->stem_off, pv->stem_len), hs, 0);
    if (nx != NULL)
        out[n++] = kh__ner_pair_hash(
            hs, kh__ner_str_hash(base + nx->stem_off, nx->stem_len), 1);
    return n;
}

uint32_t
kh__ner_prev_hash(int prev1, int prev2, int two)
{
    return two ? fx(F_T2, (uint32_t)(prev1 * 8 + prev2))
               : fx(F_T1, (uint32_t)prev1);
}

uint32_t
kh__ner_prev_stem_hash(int prev1, uint32_t stem_hash)
{
    return fx2(F_T1S, (uint32_t)prev1, stem_hash);
}

uint32_t
kh__ner_prev_cue_hash(int prev1, int cue)
{
    return fx(F_T1C, (uint32_t)(prev1 * 8 + cue));
}

size_t
kh__ner_label_features(const kh_ner_seq *seq, size_t i, int prev1, int prev2,
                       uint32_t *out)
{
    size_t n = 0;
    out[n++] = kh__ner_prev_hash(prev1, prev2, 0);
    out[n++] = kh__ner_prev_hash(prev1, prev2, 1);
    out[n++] = kh__ner_prev_stem_hash(
        prev1, kh__ner_str_hash(kh__ner_stem(seq, i), seq->tok[i].stem_len));
    if (seq->tok[i].cue)
        out[n++] = kh__ner_prev_cue_hash(prev1, seq->tok[i].cue);
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
kh__ner_memory_near_features(int d, int l1, unsigned mem, uint32_t *out)
{
    size_t n = 0;
    uint32_t at = (uint32_t)(d + 1);
    out[n++] = fx(F_L + at, (uint32_t)l1);
    if (mem == 0)
        return n;
    out[n++] = fx(F_M + at, mem);
    out[n++] = fx(F_MT + at, mem_types(mem));
    return n;
}

size_t
kh__ner_memory_self_features(int l1, unsigned mem, int rare, uint32_t *out)
{
    size_t n = 0;
    if (mem == 0)
        return 0;
    for (int l = 0; l < KH_NER_N_LABELS; l++)
        if (mem & (1u << l))
            out[n++] = fx(F_M0L, (uint32_t)l);
    out[n++] = fx(F_MT0L0, mem_types(mem) * 8 + (unsigned)l1);
    if (rare)
        out[n++] = fx(F_MT0R, mem_types(mem));
    return n;
}

size_t
kh__ner_memory_features(const kh_ner_seq *seq, size_t i, uint32_t *out)
{
    const kh_ner_token *t = &seq->tok[i];
    size_t n = 0;
    for (int d = -1; d <= 1; d++) {
        const kh_ner_token *o = near(seq, i, d);
        if (o != NULL)
            n += kh__ner_memory_near_features(d, o->l1, o->mem, out + n);
    }
    return n + kh__ner_memory_self_features(t->l1, t->mem, t->rare, out + n);
}
