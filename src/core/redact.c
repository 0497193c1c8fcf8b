/* bordermap: hiding credentials in text before it is printed. */
#include "bordermap/redact.h"
#include "core/buf.h"
#include "core/internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Text being built; a failed append marks it, and the result is then NULL. */
struct out {
    struct bm__buf b;
    int failed;
};

static void put(struct out *o, const char *p, size_t n)
{
    if (n && bm__buf_append(&o->b, p, n) != 0)
        o->failed = 1;
}

/* The text made, NUL-terminated (the caller frees it), or NULL when out of memory. */
static char *finish(struct out *o)
{
    char nul = '\0';
    if (bm__buf_append(&o->b, &nul, 1) != 0)
        o->failed = 1;
    char *text = o->failed ? NULL : bm__buf_take(&o->b);
    bm__buf_free(&o->b);
    return text;
}

static int is_key_char(char c)
{
    return isalnum((unsigned char)c) || c == '_';
}

/* Does the key s[0..n) name a credential? pwd, or *password, or *passwd. */
static int is_secret_key(const char *s, size_t n)
{
    static const char *const tails[] = {"password", "passwd"};
    if (n == 3 && strncasecmp(s, "pwd", 3) == 0)
        return 1;
    for (size_t i = 0; i < 2; i++) {
        size_t t = strlen(tails[i]);
        if (n >= t && strncasecmp(s + n - t, tails[i], t) == 0)
            return 1;
    }
    return 0;
}

/*
 * The end of an unquoted value starting at v. It runs to a space; in a URI
 * query (after '?' or '&') also to '&' or '#'. A quote ends it only when
 * what follows cannot belong to a password in a connection string (the end,
 * a space or punctuation that closes a quoted name in a message): libpq
 * reads a quote inside an unquoted value as part of it.
 */
static const char *value_end(const char *v, int in_query)
{
    const char *p = v;
    for (; *p && !isspace((unsigned char)*p); p++) {
        if (in_query && (*p == '&' || *p == '#'))
            break;
        if ((*p == '\'' || *p == '"') && p > v &&
            (p[1] == '\0' || isspace((unsigned char)p[1]) || strchr(":;,.)]}", p[1])))
            break;
    }
    return p;
}

/* The end of a quoted value starting at its opening quote v. */
static const char *quoted_end(const char *v)
{
    char q = *v;
    const char *p = v + 1;
    while (*p && *p != q)
        p += (*p == '\\' && p[1]) ? 2 : 1;
    return *p ? p + 1 : p;
}

/*
 * If s starts a key=value pair with a secret key (s at the key's first
 * character), append "key=***" to b and return the end of the value; else NULL.
 */
static const char *secret_pair(const char *start, const char *s, struct out *b)
{
    if (s > start && is_key_char(s[-1]))
        return NULL;
    const char *k = s;
    while (is_key_char(*k))
        k++;
    if (k == s || !is_secret_key(s, (size_t)(k - s)))
        return NULL;
    const char *eq = k;
    while (*eq == ' ' || *eq == '\t')
        eq++;
    if (*eq != '=')
        return NULL;
    const char *v = eq + 1;
    while (*v == ' ' || *v == '\t')
        v++;
    int in_query = s > start && (s[-1] == '?' || s[-1] == '&');
    const char *end = (*v == '\'' || *v == '"') ? quoted_end(v) : value_end(v, in_query);
    put(b, s, (size_t)(v - s));
    put(b, BM_REDACTED, strlen(BM_REDACTED));
    return end;
}

/*
 * If s starts "://" of a URI whose authority holds user:password@, append
 * "://user:***@" to b and return what follows the '@'; else NULL.
 */
static const char *secret_userinfo(const char *s, struct out *b)
{
    if (strncmp(s, "://", 3) != 0)
        return NULL;
    const char *auth = s + 3, *at = NULL, *colon = NULL;
    for (const char *p = auth; *p && !strchr("/?#", *p) && !isspace((unsigned char)*p); p++) {
        if (*p == '@')
            at = p;
        else if (*p == ':' && !colon && !at)
            colon = p;
    }
    if (!at || !colon || colon > at)
        return NULL;
    put(b, s, (size_t)(colon + 1 - s));
    put(b, BM_REDACTED, strlen(BM_REDACTED));
    put(b, "@", 1);
    return at + 1;
}

/* Replace every occurrence of secret (n >= 4 bytes) in text. NULL when out of memory. */
static char *hide_value(char *text, const char *secret)
{
    size_t n = strlen(secret);
    if (n < 4 || !strstr(text, secret))
        return text;
    struct out o = {0};
    const char *p = text, *hit;
    while ((hit = strstr(p, secret)) != NULL) {
        put(&o, p, (size_t)(hit - p));
        put(&o, BM_REDACTED, strlen(BM_REDACTED));
        p = hit + n;
    }
    put(&o, p, strlen(p));
    free(text);
    return finish(&o);
}

char *bm_redact(const char *text)
{
    if (!text)
        return NULL;
    struct out o = {0};
    const char *p = text;
    while (*p) {
        const char *next = secret_pair(text, p, &o);
        if (!next)
            next = secret_userinfo(p, &o);
        if (next) {
            p = next;
            continue;
        }
        /* Copy up to the next place a secret could start: a key or "://". */
        const char *q = p + 1;
        while (*q && !(is_key_char(*q) && !is_key_char(q[-1])) && *q != ':')
            q++;
        put(&o, p, (size_t)(q - p));
        p = q;
    }
    char *out = finish(&o);
    const char *env = getenv("PGPASSWORD");
    return out && env ? hide_value(out, env) : out;
}

const char *bm_redact_to(const char *text, char *buf, size_t size)
{
    if (size == 0)
        return buf;
    char *r = bm_redact(text ? text : "");
    if (!r) {
        snprintf(buf, size, "%s", size > strlen(BM_REDACTED) ? BM_REDACTED : "");
        return buf;
    }
    if (bm__clip(r, buf, size) == r)
        snprintf(buf, size, "%s", r);
    free(r);
    return buf;
}
