/*
 * fuzz_ner.c -- libFuzzer target for the entity tagger: the model file's
 * parser (the input as a model) and the tagger (the input as text, tagged
 * with a small model parsed once from the shipped one's first lines), and
 * the word dictionary's reader (the input as an ar.dic).  Spans must lie
 * inside the text, in order, with a type.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extract/ner.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static kh_ner_model *model;

static void
load(void)
{
    /* The shipped model when run from the repository, else whatever the
     * parser makes of a tiny one. */
    kh_error err;
    kh_status rc = kh__ner_model_load("data/ner/model.txt", &model, &err);
    /* an input that asks for the dictionary does not read the 3 MB file
     * again each time; the dictionary reader gets the input itself */
    setenv("KHABAR_NER_DICT", "", 1);
    if (rc == KH_OK)
        return;
    static const char tiny[] = "khabar-ner 1\n";
    if (kh__ner_model_parse(tiny, sizeof tiny - 1, &model, &err) != KH_OK)
        model = NULL;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (model == NULL)
        load();
    char *t = malloc(size ? size : 1);
    if (t == NULL)
        abort();
    memcpy(t, data, size);
    kh_ner_model *m = NULL;
    kh_error err;
    if (kh__ner_model_parse(t, size, &m, &err) == KH_OK)
        kh__ner_model_free(m);
    kh_strmap dict;
    kh__strmap_init(&dict);
    if (kh__ner_dict_parse(t, size, &dict, &err) == KH_OK && dict.count == 0)
        abort(); /* success means entries */
    kh__strmap_release(&dict);
    if (model != NULL) {
        kh_ner_span *s = NULL;
        size_t n = 0;
        if (kh__ner_tag(model, t, size, &s, &n) == KH_OK) {
            size_t prev = 0;
            for (size_t i = 0; i < n; i++) {
                if (s[i].start >= s[i].end || s[i].end > size ||
                    s[i].start < prev)
                    abort();
                prev = s[i].end;
            }
            kh__ner_spans_free(s, n);
        }
    }
    free(t);
    return 0;
}
