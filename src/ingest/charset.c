/*
 * charset.c -- bytes in whatever encoding a site used, to UTF-8.
 *
 * The charset is decided in this order:
 *   1. a byte-order mark (it wins over any label, as in browsers: a BOM
 *      is never there by accident, labels often are);
 *   2. the declared label (an HTTP Content-Type value or a bare name);
 *   3. <meta charset>, <meta http-equiv=Content-Type content=...> or an
 *      XML declaration in the first 4 KB;
 *   4. detection.
 * A label is checked against the bytes: "utf-8" on bytes that are not
 * UTF-8, or a legacy single-byte label on bytes that are valid UTF-8 with
 * multi-byte characters in them, is a lie and detection decides.
 *
 * Detection: valid UTF-8 stays UTF-8 (and UTF-8 with a few damaged bytes
 * too).  Otherwise the high bytes are scored as Arabic letters under
 * windows-1256 and under ISO-8859-6: each encoding reads the other's
 * frequent letters as Latin accented letters or undefined bytes, so the
 * right one scores higher; ties go to windows-1256, by far the more
 * common on the web.  High bytes that sit inside Latin words instead are
 * read as windows-1252.
 *
 * Labels follow the WHATWG Encoding Standard, so "latin1" and "ascii"
 * mean windows-1252.  The conversion is glibc's iconv; bytes it cannot
 * convert become U+FFFD and the conversion goes on, so bad bytes never
 * make this fail.
 */
#include "ingest/ingest.h"
#include "text/text.h"

#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <string.h>

#define PRESCAN_BYTES 4096
#define REPLACEMENT   "\xEF\xBF\xBD"

/* The charsets this file names; the first few are the ones it reasons
 * about. */
enum {
    CS_UTF8,
    CS_UTF16LE,
    CS_UTF16BE,
    CS_WIN1256,
    CS_ISO88596,
    CS_WIN1252,
    CS_OTHER /* first of the ones only converted, never detected */
};

typedef struct charset {
    const char *name;  /* WHATWG name, lower case; what *used gets */
    const char *iconv; /* glibc iconv's name */
    int unit;          /* bytes to skip over an unconvertible sequence */
} charset_info;

static const charset_info charsets[] = {
    {"utf-8", "UTF-8", 1},
    {"utf-16le", "UTF-16LE", 2},
    {"utf-16be", "UTF-16BE", 2},
    {"windows-1256", "WINDOWS-1256", 1},
    {"iso-8859-6", "ISO-8859-6", 1},
    {"windows-1252", "WINDOWS-1252", 1},
    {"ibm864", "IBM864", 1},
    {"windows-1250", "WINDOWS-1250", 1},
    {"windows-1251", "WINDOWS-1251", 1},
    {"windows-1253", "WINDOWS-1253", 1},
    {"windows-1254", "WINDOWS-1254", 1},
    {"windows-1255", "WINDOWS-1255", 1},
    {"windows-1257", "WINDOWS-1257", 1},
    {"windows-1258", "WINDOWS-1258", 1},
    {"iso-8859-2", "ISO-8859-2", 1},
    {"iso-8859-3", "ISO-8859-3", 1},
    {"iso-8859-4", "ISO-8859-4", 1},
    {"iso-8859-5", "ISO-8859-5", 1},
    {"iso-8859-7", "ISO-8859-7", 1},
    {"iso-8859-8", "ISO-8859-8", 1},
    {"iso-8859-10", "ISO-8859-10", 1},
    {"iso-8859-13", "ISO-8859-13", 1},
    {"iso-8859-14", "ISO-8859-14", 1},
    {"iso-8859-15", "ISO-8859-15", 1},
    {"iso-8859-16", "ISO-8859-16", 1},
    {"koi8-r", "KOI8-R", 1},
    {"koi8-u", "KOI8-U", 1},
    {"ibm866", "IBM866", 1},
    {"macintosh", "MACINTOSH", 1},
    {"gbk", "GBK", 1},
    {"gb18030", "GB18030", 1},
    {"big5", "BIG5-HKSCS", 1},
    {"euc-jp", "EUC-JP", 1},
    {"shift_jis", "SHIFT_JIS", 1},
    {"iso-2022-jp", "ISO-2022-JP", 1},
    {"euc-kr", "CP949", 1},
};

#define N_CHARSETS (sizeof charsets / sizeof charsets[0])

/* Labels that are not a charset's own name (WHATWG's list, trimmed to
 * what news sites use, plus a few common misspellings). */
static const struct alias {
    const char *label;
    const char *name;
} aliases[] = {
    {"utf8", "utf-8"},
    {"unicode-1-1-utf-8", "utf-8"},
    {"unicode11utf8", "utf-8"},
    {"unicode20utf8", "utf-8"},
    {"x-unicode20utf8", "utf-8"},
    {"utf-16", "utf-16le"},
    {"ucs-2", "utf-16le"},
    {"unicode", "utf-16le"},
    {"unicodefeff", "utf-16le"},
    {"csunicode", "utf-16le"},
    {"iso-10646-ucs-2", "utf-16le"},
    {"unicodefffe", "utf-16be"},
    {"cp1256", "windows-1256"},
    {"x-cp1256", "windows-1256"},
    {"win-1256", "windows-1256"},
    {"windows1256", "windows-1256"},
    {"arabic", "iso-8859-6"},
    {"asmo-708", "iso-8859-6"},
    {"csiso88596e", "iso-8859-6"},
    {"csiso88596i", "iso-8859-6"},
    {"csisolatinarabic", "iso-8859-6"},
    {"ecma-114", "iso-8859-6"},
    {"iso-8859-6-e", "iso-8859-6"},
    {"iso-8859-6-i", "iso-8859-6"},
    {"iso-ir-127", "iso-8859-6"},
    {"iso8859-6", "iso-8859-6"},
    {"iso88596", "iso-8859-6"},
    {"iso_8859-6", "iso-8859-6"},
    {"iso_8859-6:1987", "iso-8859-6"},
    {"cp864", "ibm864"},
    {"ansi_x3.4-1968", "windows-1252"},
    {"ascii", "windows-1252"},
    {"us-ascii", "windows-1252"},
    {"cp1252", "windows-1252"},
    {"x-cp1252", "windows-1252"},
    {"cp819", "windows-1252"},
    {"ibm819", "windows-1252"},
    {"csisolatin1", "windows-1252"},
    {"iso-8859-1", "windows-1252"},
    {"iso8859-1", "windows-1252"},
    {"iso88591", "windows-1252"},
    {"iso_8859-1", "windows-1252"},
    {"iso_8859-1:1987", "windows-1252"},
    {"iso-ir-100", "windows-1252"},
    {"l1", "windows-1252"},
    {"latin1", "windows-1252"},
    {"cp1250", "windows-1250"},
    {"cp1251", "windows-1251"},
    {"cp1253", "windows-1253"},
    {"cp1254", "windows-1254"},
    {"iso-8859-9", "windows-1254"},
    {"latin5", "windows-1254"},
    {"cp1255", "windows-1255"},
    {"cp1257", "windows-1257"},
    {"cp1258", "windows-1258"},
    {"latin2", "iso-8859-2"},
    {"iso8859-2", "iso-8859-2"},
    {"iso8859-5", "iso-8859-5"},
    {"greek", "iso-8859-7"},
    {"hebrew", "iso-8859-8"},
    {"iso-8859-8-i", "iso-8859-8"},
    {"latin9", "iso-8859-15"},
    {"iso8859-15", "iso-8859-15"},
    {"cp866", "ibm866"},
    {"mac", "macintosh"},
    {"x-mac-roman", "macintosh"},
    {"gb2312", "gbk"},
    {"chinese", "gbk"},
    {"x-gbk", "gbk"},
    {"big5-hkscs", "big5"},
    {"x-euc-jp", "euc-jp"},
    {"sjis", "shift_jis"},
    {"ms_kanji", "shift_jis"},
    {"windows-31j", "shift_jis"},
    {"x-sjis", "shift_jis"},
    {"ks_c_5601-1987", "euc-kr"},
    {"windows-949", "euc-kr"},
};

static unsigned char
lower(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

static int
is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static int
by_name(const char *name)
{
    for (size_t i = 0; i < N_CHARSETS; i++)
        if (strcmp(charsets[i].name, name) == 0)
            return (int)i;
    return -1;
}

/* The charset a label s[0..n) names, or -1.  Surrounding space and
 * quotes are ignored, case too. */
static int
lookup_label(const char *s, size_t n)
{
    while (n > 0 && (is_space((unsigned char)*s) || *s == '"' || *s == '\''))
        s++, n--;
    while (n > 0 && (is_space((unsigned char)s[n - 1]) || s[n - 1] == '"' ||
                     s[n - 1] == '\''))
        n--;
    char label[32];
    if (n == 0 || n >= sizeof label)
        return -1;
    for (size_t i = 0; i < n; i++)
        label[i] = (char)lower((unsigned char)s[i]);
    label[n] = '\0';
    int cs = by_name(label);
    if (cs >= 0)
        return cs;
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
        if (strcmp(aliases[i].label, label) == 0)
            return by_name(aliases[i].name);
    return -1;
}

/* Finds "charset=" in s[0..n) (case-insensitive) and returns the label
 * after it, or -1.  Used on HTTP Content-Type values and on the content
 * attribute of <meta http-equiv>. */
static int
charset_param(const char *s, size_t n)
{
    static const char key[] = "charset";
    for (size_t i = 0; i + sizeof key - 1 < n; i++) {
        size_t k = 0;
        while (k < sizeof key - 1 &&
               lower((unsigned char)s[i + k]) == (unsigned char)key[k])
            k++;
        if (k < sizeof key - 1)
            continue;
        size_t j = i + k;
        while (j < n && is_space((unsigned char)s[j]))
            j++;
        if (j >= n || s[j] != '=')
            continue;
        j++;
        while (j < n && is_space((unsigned char)s[j]))
            j++;
        size_t start = j;
        if (j < n && (s[j] == '"' || s[j] == '\'')) {
            char q = s[j++];
            start = j;
            while (j < n && s[j] != q)
                j++;
        } else {
            while (j < n && s[j] != ';' && !is_space((unsigned char)s[j]))
                j++;
        }
        return lookup_label(s + start, j - start);
    }
    return -1;
}

/* The charset of a declared label: a bare name, or a whole Content-Type
 * value with a charset parameter. */
static int
declared_charset(const char *label)
{
    size_t n = strlen(label);
    int cs = charset_param(label, n);
    return cs >= 0 ? cs : lookup_label(label, n);
}

/* A byte-order mark: sets *skip to its length and returns the charset,
 * or returns -1. */
static int
bom_sniff(const unsigned char *p, size_t len, size_t *skip)
{
    if (len >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF) {
        *skip = 3;
        return CS_UTF8;
    }
    if (len >= 2 && p[0] == 0xFF && p[1] == 0xFE) {
        *skip = 2;
        return CS_UTF16LE;
    }
    if (len >= 2 && p[0] == 0xFE && p[1] == 0xFF) {
        *skip = 2;
        return CS_UTF16BE;
    }
    return -1;
}

/**************************************************************************
** Labels inside the document
*/

/* Reads one attribute at p[*i..n): name into *name and *name_len, value
 * into *val and *val_len (empty when there is none).  Returns 0 at the end of
 * the tag. */
static int
next_attr(const unsigned char *p, size_t *i, size_t n, size_t *name,
          size_t *name_len, size_t *val, size_t *val_len)
{
    size_t j = *i;
    while (j < n && (is_space(p[j]) || p[j] == '/'))
        j++;
    if (j >= n || p[j] == '>')
        return 0;
    *name = j;
    while (j < n && !is_space(p[j]) && p[j] != '=' && p[j] != '>' &&
           p[j] != '/')
        j++;
    *name_len = j - *name;
    while (j < n && is_space(p[j]))
        j++;
    *val = j;
    *val_len = 0;
    if (j < n && p[j] == '=') {
        j++;
        while (j < n && is_space(p[j]))
            j++;
        if (j < n && (p[j] == '"' || p[j] == '\'')) {
            unsigned char q = p[j++];
            *val = j;
            while (j < n && p[j] != q)
                j++;
            *val_len = j - *val;
            if (j < n)
                j++;
        } else {
            *val = j;
            while (j < n && !is_space(p[j]) && p[j] != '>')
                j++;
            *val_len = j - *val;
        }
    }
    if (*name_len == 0 && j == *i)
        j++; /* a stray byte: always move on */
    *i = j;
    return 1;
}

/* The charset of one <meta> whose attributes start at p[i], or -1. */
static int
meta_charset(const unsigned char *p, size_t i, size_t n)
{
    size_t name, name_len, val, val_len;
    int cs = -1, content_cs = -1, http_equiv = 0;
    while (next_attr(p, &i, n, &name, &name_len, &val, &val_len)) {
        const char *v = (const char *)p + val;
        if (name_len == 7 && kh__starts_ci(p, name, n, "charset"))
            cs = lookup_label(v, val_len);
        else if (name_len == 10 && kh__starts_ci(p, name, n, "http-equiv"))
            http_equiv =
                val_len == 12 && kh__starts_ci(p, val, n, "content-type");
        else if (name_len == 7 && kh__starts_ci(p, name, n, "content"))
            content_cs = charset_param(v, val_len);
    }
    if (cs >= 0)
        return cs;
    return http_equiv ? content_cs : -1;
}

/* The encoding of an XML declaration at p[0..n), or -1. */
static int
xml_decl_charset(const unsigned char *p, size_t n)
{
    size_t end = 0;
    while (end + 1 < n && !(p[end] == '?' && p[end + 1] == '>'))
        end++;
    for (size_t i = 5; i + 8 < end; i++) {
        if (!kh__starts_ci(p, i, end, "encoding"))
            continue;
        size_t j = i + 8;
        while (j < end && is_space(p[j]))
            j++;
        if (j >= end || p[j] != '=')
            continue;
        j++;
        while (j < end && is_space(p[j]))
            j++;
        if (j >= end || (p[j] != '"' && p[j] != '\''))
            return -1;
        unsigned char q = p[j++];
        size_t start = j;
        while (j < end && p[j] != q)
            j++;
        return lookup_label((const char *)p + start, j - start);
    }
    return -1;
}

/* A charset declared by the markup in the first PRESCAN_BYTES, or -1.
 * A simplified WHATWG prescan: comments are skipped, every <meta> is
 * looked at, the first one that names a charset wins. */
static int
prescan(const unsigned char *p, size_t len)
{
    size_t n = len < PRESCAN_BYTES ? len : PRESCAN_BYTES;
    size_t i = 0;
    while (i < n && is_space(p[i]))
        i++;
    if (kh__starts_ci(p, i, n, "<?xml")) {
        int cs = xml_decl_charset(p + i, n - i);
        if (cs >= 0)
            return cs;
    }
    for (; i < n; i++) {
        if (p[i] != '<')
            continue;
        if (kh__starts_ci(p, i, n, "<!--")) {
            size_t j = i + 4;
            while (j + 2 < n &&
                   !(p[j] == '-' && p[j + 1] == '-' && p[j + 2] == '>'))
                j++;
            i = j + 2;
            continue;
        }
        if (kh__starts_ci(p, i, n, "<meta") && i + 5 < n &&
            (is_space(p[i + 5]) || p[i + 5] == '/')) {
            int cs = meta_charset(p, i + 5, n);
            if (cs >= 0)
                return cs;
        }
    }
    return -1;
}

/**************************************************************************
** Detection
*/

/* Length of the longest prefix of p[0..n) that could start a valid
 * UTF-8 sequence (at least 1): what one U+FFFD replaces, as WHATWG's
 * decoder does it. */
static size_t
utf8_bad_len(const unsigned char *p, size_t n)
{
    unsigned char c = p[0];
    size_t need;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF)
        need = 2;
    else if (c >= 0xE0 && c <= 0xEF)
        need = 3;
    else if (c >= 0xF0 && c <= 0xF4)
        need = 4;
    else
        return 1;
    if (c == 0xE0)
        lo = 0xA0;
    else if (c == 0xED)
        hi = 0x9F;
    else if (c == 0xF0)
        lo = 0x90;
    else if (c == 0xF4)
        hi = 0x8F;
    size_t k = 1;
    while (k < need && k < n && p[k] >= lo && p[k] <= hi) {
        lo = 0x80;
        hi = 0xBF;
        k++;
    }
    return k;
}

/* Counts the multi-byte UTF-8 characters and the invalid sequences in
 * p[0..len). */
static void
utf8_scan(const unsigned char *p, size_t len, size_t *multi, size_t *bad)
{
    size_t i = 0;
    *multi = 0;
    *bad = 0;
    while (i < len) {
        if (p[i] < 0x80) {
            i++;
            /* Mostly ASCII markup: eight bytes at a time. */
            while (i + 8 <= len) {
                uint64_t w;
                memcpy(&w, p + i, 8);
                if (w & 0x8080808080808080u)
                    break;
                i += 8;
            }
            continue;
        }
        uint32_t cp;
        size_t k = kh__utf8_decode(p + i, len - i, &cp);
        if (k > 0) {
            (*multi)++;
            i += k;
        } else {
            (*bad)++;
            i += utf8_bad_len(p + i, len - i);
        }
    }
}

enum { B_OTHER, B_LETTER, B_MARK, B_LATIN, B_INVALID };

/* What a high byte is in windows-1256. */
static int
class_1256(unsigned char b)
{
    if ((b >= 0xC1 && b <= 0xD6) || (b >= 0xD8 && b <= 0xDF) || b == 0xE1 ||
        (b >= 0xE3 && b <= 0xE6) || b == 0xEC || b == 0xED)
        return B_LETTER;
    switch (b) {
    case 0x81: /* Persian and Urdu letters */
    case 0x8A:
    case 0x8D:
    case 0x8E:
    case 0x8F:
    case 0x90:
    case 0x98:
    case 0x9A:
    case 0x9F:
    case 0xAA:
    case 0xC0:
        return B_LETTER;
    case 0xF0:
    case 0xF1:
    case 0xF2:
    case 0xF3:
    case 0xF5:
    case 0xF6:
    case 0xF8:
    case 0xFA:
        return B_MARK;
    case 0x8C:
    case 0x9C:
    case 0xE0:
    case 0xE2:
    case 0xE7:
    case 0xE8:
    case 0xE9:
    case 0xEA:
    case 0xEB:
    case 0xEE:
    case 0xEF:
    case 0xF4:
    case 0xF9:
    case 0xFB:
    case 0xFC:
        return B_LATIN;
    default:
        return B_OTHER;
    }
}

/* What a high byte is in ISO-8859-6. */
static int
class_88596(unsigned char b)
{
    if ((b >= 0xC1 && b <= 0xDA) || (b >= 0xE0 && b <= 0xEA))
        return B_LETTER;
    if (b >= 0xEB && b <= 0xF2)
        return B_MARK;
    switch (b) {
    case 0xA0:
    case 0xA4:
    case 0xAC:
    case 0xAD:
    case 0xBB:
    case 0xBF:
        return B_OTHER;
    default:
        return B_INVALID; /* C1 controls and unassigned bytes */
    }
}

static int
class_score(int c)
{
    static const int score[] = {0, 2, 0, -2, -4};
    return score[c];
}

static int
ascii_letter(unsigned char c)
{
    return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
}

/* The legacy charset of bytes that are not UTF-8. */
static int
detect_legacy(const unsigned char *p, size_t len)
{
    long s1256 = 0, s88596 = 0;
    size_t latin = 0, arabic = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char b = p[i];
        if (b < 0x80)
            continue;
        s1256 += class_score(class_1256(b));
        s88596 += class_score(class_88596(b));
        /* The article "al-" opens a word in every line of Arabic: alef
         * then lam is C7 E1 in windows-1256, C7 E4 in ISO-8859-6 (where
         * windows-1256 reads "an"). */
        if (b == 0xC7 && (i == 0 || p[i - 1] < 0x80) && i + 1 < len) {
            s1256 += p[i + 1] == 0xE1 ? 3 : 0;
            s88596 += p[i + 1] == 0xE4 ? 3 : 0;
        }
        /* Accented letters live between ASCII letters; Arabic letters
         * between each other. */
        if ((i > 0 && ascii_letter(p[i - 1])) ||
            (i + 1 < len && ascii_letter(p[i + 1])))
            latin++;
        else if ((i > 0 && p[i - 1] >= 0x80) ||
                 (i + 1 < len && p[i + 1] >= 0x80))
            arabic++;
    }
    if (latin > arabic)
        return CS_WIN1252;
    return s88596 > s1256 ? CS_ISO88596 : CS_WIN1256;
}

/* The charset of bytes with no usable label. */
static int
detect(const unsigned char *p, size_t len)
{
    size_t multi, bad;
    utf8_scan(p, len, &multi, &bad);
    /* UTF-8 with a few damaged bytes (a cut-off page, a stray byte) is
     * still UTF-8; legacy text is almost never valid UTF-8 by chance. */
    if (bad == 0 || multi > 4 * bad)
        return CS_UTF8;
    return detect_legacy(p, len);
}

/**************************************************************************
** Conversion
*/

/* Appends p[0..len) as valid UTF-8, U+FFFD for each invalid sequence. */
static void
utf8_repair(const unsigned char *p, size_t len, kh_buf *b, kh_status *rc)
{
    size_t i = 0;
    kh__buf_reserve(b, len, rc);
    while (i < len && *rc == KH_OK) {
        size_t j = i;
        uint32_t cp;
        size_t k;
        for (;;) {
            /* Pages are mostly ASCII markup: eight bytes at a time. */
            while (j + 8 <= len) {
                uint64_t w;
                memcpy(&w, p + j, 8);
                if (w & 0x8080808080808080u)
                    break;
                j += 8;
            }
            if (j >= len)
                break;
            if (p[j] < 0x80)
                j++;
            else if ((k = kh__utf8_decode(p + j, len - j, &cp)) > 0)
                j += k;
            else
                break;
        }
        kh__buf_append(b, p + i, j - i, rc);
        if (j < len) {
            kh__buf_puts(b, REPLACEMENT, rc);
            j += utf8_bad_len(p + j, len - j);
        }
        i = j;
    }
}

/* Converts with iconv.  Returns KH_EUNSUPPORTED (nothing appended) when
 * iconv has no converter for the charset. */
static kh_status
iconv_convert(int cs, const char *in, size_t len, kh_buf *b)
{
    iconv_t cd = iconv_open("UTF-8", charsets[cs].iconv);
    if (cd == (iconv_t)-1)
        return errno == ENOMEM ? KH_ENOMEM : KH_EUNSUPPORTED;
    kh_status rc = KH_OK;
    char *ip = (char *)in;
    size_t il = len;
    kh__buf_reserve(b, len + len / 2 + 16, &rc);
    for (int flushing = 0; rc == KH_OK;) {
        char *op = b->data + b->len;
        size_t ol = b->cap - b->len - 1;
        size_t r = flushing ? iconv(cd, NULL, NULL, &op, &ol)
                            : iconv(cd, &ip, &il, &op, &ol);
        int e = errno;
        b->len = (size_t)(op - b->data);
        b->data[b->len] = '\0';
        if (r != (size_t)-1) {
            if (flushing)
                break;
            flushing = 1; /* stateful encodings may owe a last shift */
            continue;
        }
        if (e == E2BIG) {
            kh__buf_reserve(b, b->cap / 2 + 16, &rc);
        } else if (e == EILSEQ) {
            kh__buf_puts(b, REPLACEMENT, &rc);
            size_t skip = (size_t)charsets[cs].unit;
            skip = skip < il ? skip : il;
            ip += skip;
            il -= skip;
        } else { /* EINVAL: a sequence cut off at the end */
            kh__buf_puts(b, REPLACEMENT, &rc);
            il = 0;
        }
    }
    iconv_close(cd);
    return rc;
}

/* Are there NUL bytes in the first bytes, as UTF-16 text must have? */
static int
has_nul(const unsigned char *p, size_t len)
{
    return memchr(p, 0, len < PRESCAN_BYTES ? len : PRESCAN_BYTES) != NULL;
}

kh_status
kh_to_utf8(const char *in, size_t len, const char *charset, char **out,
           size_t *out_len, const char **used, kh_error *err)
{
    if (in == NULL)
        in = ""; /* len is then 0; no arithmetic on a null pointer */
    const unsigned char *p = (const unsigned char *)in;
    int utf8_clean = 0; /* p[0..len) was scanned: valid UTF-8 */
    size_t skip = 0;
    int cs = bom_sniff(p, len, &skip);
    p += skip;
    len -= skip;
    if (cs < 0) {
        if (charset != NULL)
            cs = declared_charset(charset);
        if (cs < 0)
            cs = prescan(p, len);
        if ((cs == CS_UTF16LE || cs == CS_UTF16BE) && !has_nul(p, len))
            cs = -1; /* ASCII-compatible bytes cannot be UTF-16 */
        size_t multi, bad;
        if (cs >= 0 && cs != CS_UTF16LE && cs != CS_UTF16BE) {
            utf8_scan(p, len, &multi, &bad);
            utf8_clean = bad == 0;
            if (cs == CS_UTF8 && bad > 0)
                cs = -1;
            else if (cs != CS_UTF8 && bad == 0 && multi > 0)
                cs = CS_UTF8; /* a legacy label on UTF-8 bytes */
        }
        if (cs < 0)
            cs = detect(p, len);
    }

    kh_buf b;
    kh__buf_init(&b);
    kh_status rc = KH_OK;
    if (cs == CS_UTF8 && utf8_clean) {
        /* Checked above: a plain copy. */
        kh__buf_append(&b, p, len, &rc);
    } else if (cs != CS_UTF8) {
        rc = iconv_convert(cs, (const char *)p, len, &b);
        if (rc == KH_EUNSUPPORTED) {
            /* No converter in this C library: keep what is readable. */
            kh__buf_reset(&b);
            cs = CS_UTF8;
            rc = KH_OK;
        }
    }
    if (cs == CS_UTF8 && !utf8_clean && rc == KH_OK)
        utf8_repair(p, len, &b, &rc);
    size_t n = 0;
    char *s = kh__buf_detach(&b, &n, &rc);
    if (rc != KH_OK) {
        kh__buf_release(&b);
        if (err != NULL) {
            snprintf(err->message, sizeof err->message,
                     "converting %zu bytes from %s: %s", len, charsets[cs].name,
                     kh_strerror(rc));
            err->has_offset = 0;
        }
        return rc;
    }
    *out = s;
    if (out_len != NULL)
        *out_len = n;
    if (used != NULL)
        *used = charsets[cs].name;
    return KH_OK;
}
