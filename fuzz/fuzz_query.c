/*
 * fuzz_query.c -- libFuzzer target for the query parser.
 *
 * The first byte picks the analyzer (stemmer, stop-word dropping); the
 * rest is the query, taken as arbitrary bytes from an exactly sized copy
 * so that a read past its end is caught.  The seeds in fuzz/corpus/query/
 * start with a digit for that byte: '0' light stemmer, '1' Snowball, '2'
 * none, '6' light with stop words dropped.  Beyond what the sanitizers
 * catch, the parser's promises are checked: on success a BOOL root that
 * renders and whose nodes are well formed; on KH_EINVAL an offset inside
 * the query and a message; nothing else but KH_ENOMEM.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kh_int.h"
#include "query/query.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_node(const kh_qnode *n, int depth)
{
    if (depth > 100)
        abort();
    switch (n->op) {
    case KH_QOP_WORD:
    case KH_QOP_PHRASE:
        if (n->n_terms == 0 || (n->op == KH_QOP_WORD && n->n_terms != 1))
            abort();
        for (size_t i = 0; i < n->n_terms; i++)
            if (n->terms[i].norm == NULL || n->terms[i].stem == NULL ||
                n->terms[i].norm[0] == '\0' ||
                (i == 0) != (n->terms[i].gap == 0))
                abort();
        break;
    case KH_QOP_BOOL:
        for (size_t i = 0; i < n->n_children; i++)
            check_node(n->children[i], depth + 1);
        break;
    case KH_QOP_SOURCE:
    case KH_QOP_STORY:
    case KH_QOP_ENTITY:
        if (n->value == NULL || n->value[0] == '\0')
            abort();
        break;
    case KH_QOP_DATE:
        if (n->since > n->until)
            abort();
        break;
    default:
        abort();
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    kh_analyzer_options o = {(kh_stemmer_kind)(data[0] % 3), data[0] & 4};
    kh_analyzer *a;
    if (kh_analyzer_new(&o, &a) != KH_OK)
        return 0;
    size_t len = size - 1;
    char *q = malloc(len > 0 ? len : 1);
    if (q == NULL)
        abort();
    memcpy(q, data + 1, len);
    kh_qnode *root;
    kh_error err;
    kh_status rc = kh__query_parse(q, len, a, &root, &err);
    if (rc == KH_OK) {
        if (root == NULL || root->op != KH_QOP_BOOL)
            abort();
        check_node(root, 0);
        kh_buf b;
        kh_status rrc = KH_OK;
        kh__buf_init(&b);
        kh__query_render(root, &b, &rrc);
        if (rrc != KH_OK || b.len < 2 || b.data[0] == '\0')
            abort();
        kh__buf_release(&b);
        kh__query_free(root);
    } else if (rc == KH_EINVAL) {
        if (root != NULL || !err.has_offset || err.offset >= len ||
            err.message[0] == '\0' ||
            memchr(err.message, '\0', sizeof err.message) == NULL)
            abort();
    } else if (rc != KH_ENOMEM) {
        abort();
    }
    free(q);
    kh_analyzer_free(a);
    return 0;
}
