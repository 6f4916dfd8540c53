/*
 * chartab.c -- per-code-point classes and folds.
 *
 * The table is computed, not typed: Unicode properties, compatibility
 * decompositions (NFKC, which takes the Arabic presentation forms and the
 * lam-alef ligatures back to base letters) and case folding come from
 * utf8proc; on top of them sit the few Arabic folds that Unicode does not
 * make but Arabic search needs (arabic_folds below, documented with
 * reasons in docs/analysis.md).  Entries are computed on first use, one
 * block of 256 code points at a time, into a static table, so that there
 * is no allocation and nothing to fail; the blocks below U+0800 are built
 * up front for the tokenizer's fast path.
 *
 * This file must not know about tokens: it answers "what is this code
 * point and what does it fold to", nothing more.
 */
#include "text.h"

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <utf8proc.h>

kh_cpinfo kh__chartab[0x10000];

static atomic_uchar block_ready[0x100];
static pthread_mutex_t build_lock = PTHREAD_MUTEX_INITIALIZER;

/* Folds that Unicode does not make.  Each is an index-time fold: the
 * original text is kept for display. */
static const struct {
    uint32_t from, to;
} arabic_folds[] = {
    /* Hamza and madda forms of alef, and alef wasla, become bare alef. */
    {0x0622, 0x0627}, /* آ */
    {0x0623, 0x0627}, /* أ */
    {0x0625, 0x0627}, /* إ */
    {0x0671, 0x0627}, /* ٱ */
    {0x0672, 0x0627}, /* ٲ wavy hamza above */
    {0x0673, 0x0627}, /* ٳ wavy hamza below */
    {0x0675, 0x0627}, /* ٵ high hamza alef */
    /* Hamza on waw or ya becomes bare hamza, so that the two accepted
     * spellings مسؤول / مسئول and شؤون / شئون meet. */
    {0x0624, 0x0621}, /* ؤ */
    {0x0626, 0x0621}, /* ئ */
    {0x0674, 0x0621}, /* ٴ high hamza */
    /* Alef maqsura and the Persian/Urdu ya forms become ya. */
    {0x0649, 0x064A}, /* ى */
    {0x06CC, 0x064A}, /* ی Farsi yeh */
    {0x06D2, 0x064A}, /* ے yeh barree */
    {0x06D3, 0x064A}, /* ۓ yeh barree with hamza */
    {0x06CD, 0x064A}, /* ۍ */
    {0x06CE, 0x064A}, /* ێ */
    {0x06D0, 0x064A}, /* ې */
    /* Ta marbuta and the heh forms become heh. */
    {0x0629, 0x0647}, /* ة */
    {0x06C0, 0x0647}, /* ۀ heh with yeh above */
    {0x06C1, 0x0647}, /* ہ heh goal */
    {0x06C2, 0x0647}, /* ۂ */
    {0x06C3, 0x0647}, /* ۃ teh marbuta goal */
    {0x06BE, 0x0647}, /* ھ heh doachashmee */
    {0x06D5, 0x0647}, /* ە ae */
    /* Kaf forms. */
    {0x06A9, 0x0643}, /* ک keheh */
    {0x06AA, 0x0643}, /* ڪ swash kaf */
    {0x06AF, 0x0643}, /* گ gaf */
    /* Letters for sounds Arabic lacks, written in foreign names either way
     * (ڤيينا / فيينا). */
    {0x06A4, 0x0641}, /* ڤ veh */
    {0x067E, 0x0628}, /* پ peh */
    {0x0686, 0x062C}, /* چ tcheh */
    {0x0698, 0x0632}, /* ژ jeh */
    {0x06C6, 0x0648}, /* ۆ */
    {0x06C7, 0x0648}, /* ۇ */
    {0x06C8, 0x0648}, /* ۈ */
    {0x06C9, 0x0648}, /* ۉ */
    {0x06CA, 0x0648}, /* ۊ */
    {0x06CB, 0x0648}, /* ۋ */
    {0x06BA, 0x0646}, /* ں noon ghunna */
    {0x066E, 0x0628}, /* ٮ dotless beh */
    {0x066F, 0x0642}, /* ٯ dotless qaf */
};

static uint32_t
arabic_fold(uint32_t cp)
{
    if (cp < 0x0622 || cp > 0x06D5)
        return cp;
    for (size_t i = 0; i < sizeof arabic_folds / sizeof arabic_folds[0]; i++)
        if (arabic_folds[i].from == cp)
            return arabic_folds[i].to;
    return cp;
}

static int
script_of(uint32_t cp)
{
    if ((cp >= 0x0600 && cp <= 0x06FF) || (cp >= 0x0750 && cp <= 0x077F) ||
        (cp >= 0x0870 && cp <= 0x08FF) || (cp >= 0xFB50 && cp <= 0xFDFF) ||
        (cp >= 0xFE70 && cp <= 0xFEFF))
        return KH_SCRIPT_ARABIC;
    if ((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') ||
        (cp >= 0x00C0 && cp <= 0x024F && cp != 0x00D7 && cp != 0x00F7) ||
        (cp >= 0x1E00 && cp <= 0x1EFF) || (cp >= 0x2C60 && cp <= 0x2C7F) ||
        (cp >= 0xA720 && cp <= 0xA7FF) || (cp >= 0xAB30 && cp <= 0xAB6F) ||
        (cp >= 0xFB00 && cp <= 0xFB06))
        return KH_SCRIPT_LATIN;
    return KH_SCRIPT_OTHER;
}

static bool
is_mark_or_format(utf8proc_category_t c)
{
    return c == UTF8PROC_CATEGORY_MN || c == UTF8PROC_CATEGORY_ME ||
           c == UTF8PROC_CATEGORY_CF;
}

static bool
is_letterlike(utf8proc_category_t c)
{
    return (c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_LO) ||
           c == UTF8PROC_CATEGORY_MC || c == UTF8PROC_CATEGORY_NL ||
           c == UTF8PROC_CATEGORY_NO || c == UTF8PROC_CATEGORY_ND;
}

/* Value of a decimal digit, or -1.  Unicode puts the digits of a script in
 * runs of ten starting at zero, so the value is the distance from the
 * start of the run. */
static int
digit_value(uint32_t cp)
{
    if (cp >= '0' && cp <= '9')
        return (int)(cp - '0');
    if (utf8proc_category((utf8proc_int32_t)cp) != UTF8PROC_CATEGORY_ND)
        return -1;
    uint32_t first = cp;
    while (first > 0 && utf8proc_category((utf8proc_int32_t)(first - 1)) ==
                            UTF8PROC_CATEGORY_ND)
        first--;
    return (int)((cp - first) % 10);
}

static void
set_simple(kh_cpinfo *e, int cls, int script, const char *s, size_t n)
{
    memset(e, 0, sizeof *e);
    e->cls = (uint8_t)cls;
    e->script = (uint8_t)script;
    e->len = (uint8_t)n;
    memcpy(e->out, s, n);
}

/* Folds cp into the code points *dst (capacity cap) and returns their
 * number, or -1 if they do not fit.  Marks and format characters left by
 * the decomposition are dropped; Latin letters lose their accents. */
static int
fold_sequence(uint32_t cp, utf8proc_int32_t *dst, int cap)
{
    utf8proc_int32_t buf[64];
    utf8proc_ssize_t n = utf8proc_decompose_char(
        (utf8proc_int32_t)cp, buf, 64,
        UTF8PROC_COMPAT | UTF8PROC_CASEFOLD | UTF8PROC_DECOMPOSE, NULL);
    if (n < 0 || n > 64)
        return -1;
    n = utf8proc_normalize_utf32(buf, n, UTF8PROC_COMPOSE | UTF8PROC_STABLE);
    if (n < 0)
        return -1;
    int out = 0;
    for (utf8proc_ssize_t i = 0; i < n; i++) {
        uint32_t c = arabic_fold((uint32_t)buf[i]);
        utf8proc_category_t cat = utf8proc_category((utf8proc_int32_t)c);
        if (is_mark_or_format(cat))
            continue;
        if (script_of(c) == KH_SCRIPT_LATIN && c >= 0x80) {
            /* Accent folding: é -> e, ğ -> g. */
            utf8proc_int32_t d[8];
            utf8proc_ssize_t m = utf8proc_decompose_char(
                (utf8proc_int32_t)c, d, 8, UTF8PROC_DECOMPOSE, NULL);
            if (m > 0 && m <= 8) {
                for (utf8proc_ssize_t j = 0; j < m; j++) {
                    if (is_mark_or_format(utf8proc_category(d[j])))
                        continue;
                    if (out == cap)
                        return -1;
                    dst[out++] = d[j];
                }
                continue;
            }
        }
        if (out == cap)
            return -1;
        dst[out++] = (utf8proc_int32_t)c;
    }
    return out;
}

static void
compute(uint32_t cp, kh_cpinfo *e)
{
    memset(e, 0, sizeof *e);
    if (cp < 0x80) {
        char c = (char)cp;
        if (c >= 'A' && c <= 'Z') {
            c = (char)(c - 'A' + 'a');
            set_simple(e, KH_CP_LETTER, KH_SCRIPT_LATIN, &c, 1);
        } else if (c >= 'a' && c <= 'z') {
            set_simple(e, KH_CP_LETTER, KH_SCRIPT_LATIN, &c, 1);
        } else if (c >= '0' && c <= '9') {
            set_simple(e, KH_CP_DIGIT, KH_SCRIPT_NONE, &c, 1);
        } else if (c == '.' || c == ',') {
            set_simple(e, KH_CP_NUMSEP, KH_SCRIPT_NONE, &c, 1);
        } else if (c == '\'') {
            set_simple(e, KH_CP_APOS, KH_SCRIPT_NONE, "", 0);
        } else {
            e->cls = KH_CP_SEP;
        }
        return;
    }
    switch (cp) {
    case 0x0640: /* tatweel: a stretch, not a letter */
    case 0x06E5: /* small waw and small yeh: Quranic marks */
    case 0x06E6:
        e->cls = KH_CP_IGNORE;
        return;
    case 0x0654: /* combining hamza above and below */
    case 0x0655:
        e->cls = KH_CP_HAMZA;
        return;
    case 0x066B: /* Arabic decimal separator */
        set_simple(e, KH_CP_NUMSEP, KH_SCRIPT_NONE, ".", 1);
        return;
    case 0x066C: /* Arabic thousands separator */
        set_simple(e, KH_CP_NUMSEP, KH_SCRIPT_NONE, ",", 1);
        return;
    case 0x2019: /* right single quotation mark, the usual apostrophe */
    case 0x02BC: /* modifier letter apostrophe */
        set_simple(e, KH_CP_APOS, KH_SCRIPT_NONE, "", 0);
        return;
    case 0x06DD: /* end of ayah, and the number signs: visible symbols */
    case 0x0600:
    case 0x0601:
    case 0x0602:
    case 0x0603:
    case 0x0604:
    case 0x0605:
        e->cls = KH_CP_SEP;
        return;
    default:
        break;
    }
    uint32_t folded = arabic_fold(cp);
    if (folded != cp) {
        uint8_t tmp[4];
        utf8proc_ssize_t k =
            utf8proc_encode_char((utf8proc_int32_t)folded, tmp);
        set_simple(e, KH_CP_LETTER, KH_SCRIPT_ARABIC, (const char *)tmp,
                   (size_t)k);
        return;
    }
    const utf8proc_property_t *prop =
        utf8proc_get_property((utf8proc_int32_t)cp);
    utf8proc_category_t cat = (utf8proc_category_t)prop->category;
    if (is_mark_or_format(cat) || prop->ignorable) {
        e->cls = KH_CP_IGNORE;
        return;
    }
    if (!is_letterlike(cat)) {
        e->cls = KH_CP_SEP;
        return;
    }
    int dv = digit_value(cp);
    if (dv >= 0) {
        char c = (char)('0' + dv);
        set_simple(e, KH_CP_DIGIT, KH_SCRIPT_NONE, &c, 1);
        return;
    }
    utf8proc_int32_t seq[64];
    int n = fold_sequence(cp, seq, 64);
    if (n < 0) {
        e->cls = KH_CP_SEP;
        return;
    }
    if (n == 0) {
        e->cls = KH_CP_IGNORE;
        return;
    }
    /* Classify the pieces: all letters make a letter, one digit a digit,
     * anything else an expansion to be re-read by the tokenizer. */
    bool all_letters = true;
    for (int i = 0; i < n; i++) {
        utf8proc_category_t c = utf8proc_category(seq[i]);
        if (!is_letterlike(c) || digit_value((uint32_t)seq[i]) >= 0)
            all_letters = false;
    }
    char out[256];
    size_t len = 0;
    for (int i = 0; i < n; i++) {
        uint8_t tmp[4];
        utf8proc_ssize_t k = utf8proc_encode_char(seq[i], tmp);
        if (k <= 0 || len + (size_t)k > sizeof out) {
            e->cls = KH_CP_SEP;
            return;
        }
        memcpy(out + len, tmp, (size_t)k);
        len += (size_t)k;
    }
    if (n == 1 && digit_value((uint32_t)seq[0]) >= 0) {
        char c = (char)('0' + digit_value((uint32_t)seq[0]));
        set_simple(e, KH_CP_DIGIT, KH_SCRIPT_NONE, &c, 1);
        return;
    }
    e->cls = all_letters ? KH_CP_LETTER : KH_CP_EXPAND;
    e->script =
        (uint8_t)(all_letters ? script_of((uint32_t)seq[0]) : KH_SCRIPT_NONE);
    e->len = (uint8_t)(len > 255 ? 255 : len);
    memcpy(e->out, out, len < KH_CP_OUT_MAX ? len : KH_CP_OUT_MAX);
}

size_t
kh__cp_long(uint32_t cp, char *out, size_t cap)
{
    utf8proc_int32_t seq[64];
    int n = fold_sequence(cp, seq, 64);
    size_t len = 0;
    for (int i = 0; i < n; i++) {
        uint8_t tmp[4];
        utf8proc_ssize_t k = utf8proc_encode_char(seq[i], tmp);
        if (k <= 0 || len + (size_t)k > cap)
            return 0;
        memcpy(out + len, tmp, (size_t)k);
        len += (size_t)k;
    }
    return len;
}

static void
build_block(unsigned block)
{
    pthread_mutex_lock(&build_lock);
    if (!atomic_load_explicit(&block_ready[block], memory_order_relaxed)) {
        for (uint32_t i = 0; i < 256; i++) {
            uint32_t cp = (block << 8) | i;
            kh_cpinfo *e = &kh__chartab[cp];
            if (cp >= 0xD800 && cp <= 0xDFFF)
                memset(e, 0, sizeof *e); /* surrogates never decode */
            else
                compute(cp, e);
            e->ready = 1;
        }
        atomic_store_explicit(&block_ready[block], 1, memory_order_release);
    }
    pthread_mutex_unlock(&build_lock);
}

static pthread_once_t low_once = PTHREAD_ONCE_INIT;

kh_arabinfo kh__arabtab[256];

static void
build_low(void)
{
    for (unsigned b = 0; b < 8; b++)
        build_block(b);
    for (uint32_t cp = 0x600; cp < 0x700; cp++) {
        const kh_cpinfo *e = &kh__chartab[cp];
        kh_arabinfo *a = &kh__arabtab[cp - 0x600];
        memset(a, 0, sizeof *a);
        if (e->cls == KH_CP_LETTER && e->script == KH_SCRIPT_ARABIC &&
            e->len == 2) {
            a->what = KH_ARAB_LETTER;
            memcpy(a->out, e->out, 2);
        } else if (e->cls == KH_CP_IGNORE) {
            a->what = KH_ARAB_IGNORE;
        }
    }
}

void
kh__chartab_init(void)
{
    pthread_once(&low_once, build_low);
}

const kh_cpinfo *
kh__cpinfo(uint32_t cp, kh_cpinfo *scratch)
{
    if (cp < 0x10000) {
        unsigned block = cp >> 8;
        if (!atomic_load_explicit(&block_ready[block], memory_order_acquire))
            build_block(block);
        return &kh__chartab[cp];
    }
    if (cp > 0x10FFFF) {
        memset(scratch, 0, sizeof *scratch);
        return scratch;
    }
    compute(cp, scratch);
    return scratch;
}

static size_t
put_bytes(char *out, size_t used, size_t cap, const char *p, size_t n)
{
    if (used + n + 1 > cap)
        return used;
    memcpy(out + used, p, n);
    return used + n;
}

/* The letters (and digits) of word[0..len) with marks and joiners gone and
 * presentation forms decomposed; with keep_arabic_folds the letters that
 * Khabar folds itself (ة ى أ إ آ ؤ ئ) stay as written. */
static size_t
letters(const char *word, size_t len, bool keep_arabic_folds, char *out,
        size_t cap)
{
    const unsigned char *s = (const unsigned char *)word;
    size_t used = 0;
    kh_cpinfo scratch;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t n = kh__utf8_decode(s + i, len - i, &cp);
        if (n == 0) {
            i++;
            continue;
        }
        const kh_cpinfo *e = kh__cpinfo(cp, &scratch);
        if (keep_arabic_folds && e->cls == KH_CP_LETTER &&
            arabic_fold(cp) != cp && cp <= 0x0649)
            used = put_bytes(out, used, cap, word + i, n);
        else if ((e->cls == KH_CP_LETTER || e->cls == KH_CP_DIGIT) &&
                 e->len <= KH_CP_OUT_MAX)
            used = put_bytes(out, used, cap, e->out, e->len);
        i += n;
    }
    out[used] = '\0';
    return used;
}

size_t
kh__unfolded_letters(const char *surface, size_t len, char *out, size_t cap)
{
    return letters(surface, len, true, out, cap);
}

size_t
kh__fold_letters(const char *word, size_t len, char *out, size_t cap)
{
    return letters(word, len, false, out, cap);
}
