/* bordermap: attribute filters parsed, checked and evaluated by bordermap (see filter.h). */
#include "data/filter.h"
#include "core/buf.h"
#include "core/internal.h"

#include <ctype.h>
#include <glib.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define USE_HINT "use field names, literals, comparisons, AND/OR/NOT, IN, LIKE, IS NULL"

/* ---- the tree ----------------------------------------------------------- */

enum node_kind { N_OR, N_AND, N_NOT, N_CMP, N_IN, N_LIKE, N_NULL };
enum cmp_op { C_EQ, C_NE, C_LT, C_LE, C_GT, C_GE };

struct operand {
    int is_field;
    char *name;    /* field: as written; string literal: its text */
    int field;     /* field: bound index (or BM__FILTER_GEOMETRY_INDEX); -1 unbound */
    int numeric;   /* field: of a numeric type; literal: a number */
    double number; /* literal number */
    size_t column; /* where it was written, for messages */
    char *real;    /* field: the layer's own spelling, once bound */
};

struct node {
    enum node_kind kind;
    struct node *a, *b;   /* OR, AND: both; NOT: a */
    enum cmp_op op;       /* CMP */
    struct operand l, r;  /* CMP: both; IN, LIKE, NULL: l (LIKE: r is the pattern) */
    struct operand *list; /* IN */
    size_t nlist;
    int negate; /* NOT IN, NOT LIKE, IS NOT NULL */
    int icase;  /* ILIKE */
};

struct bm__filter {
    struct node *root;
};

static void free_operand(struct operand *o)
{
    free(o->name);
    free(o->real);
}

static void free_node(struct node *n)
{
    if (!n)
        return;
    free_node(n->a);
    free_node(n->b);
    free_operand(&n->l);
    free_operand(&n->r);
    for (size_t i = 0; i < n->nlist; i++)
        free_operand(&n->list[i]);
    free(n->list);
    free(n);
}

void bm__filter_free(struct bm__filter *f)
{
    if (!f)
        return;
    free_node(f->root);
    free(f);
}

/* ---- tokens ------------------------------------------------------------- */

enum tok_kind {
    T_END,
    T_NAME,   /* bare word (not a keyword) */
    T_QNAME,  /* "quoted name" */
    T_STRING, /* 'text' */
    T_NUMBER,
    T_OP, /* = != <> < <= > >= */
    T_LPAREN,
    T_RPAREN,
    T_COMMA,
    T_AND,
    T_OR,
    T_NOT,
    T_IN,
    T_LIKE,
    T_ILIKE,
    T_IS,
    T_NULL,
    T_OTHER /* anything else: refused where it stands */
};

struct token {
    enum tok_kind kind;
    size_t start, len; /* bytes of the text */
    char *text;        /* T_NAME, T_QNAME, T_STRING: the value (owned) */
    double number;
    enum cmp_op op;
};

struct parser {
    const char *src;
    size_t pos;
    struct token tok; /* the current token */
    int failed;
    char *msg;
    size_t size;
    int depth;
};

static size_t column_of(const struct parser *p, size_t byte)
{
    size_t col = 1;
    for (size_t i = 0; i < byte && p->src[i]; i++)
        if (((unsigned char)p->src[i] & 0xc0) != 0x80)
            col++;
    return col;
}

static void fail(struct parser *p, size_t byte, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void fail(struct parser *p, size_t byte, const char *fmt, ...)
{
    if (p->failed)
        return;
    p->failed = 1;
    char what[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    snprintf(p->msg, p->size, "bad filter at column %zu: %s; " USE_HINT, column_of(p, byte), what);
}

/* A token's text for a message: at most 40 bytes, cut at a character boundary. */
static const char *shown(const struct parser *p, const struct token *t, char *buf, size_t size)
{
    if (t->kind == T_END)
        return "the end";
    char raw[256];
    size_t n = t->len < sizeof raw - 1 ? t->len : sizeof raw - 1;
    memcpy(raw, p->src + t->start, n);
    raw[n] = '\0';
    char clip[48];
    snprintf(buf, size, "'%s'", bm__clip(raw, clip, sizeof clip));
    return buf;
}

static int is_word_start(unsigned char c)
{
    return isalpha(c) || c == '_' || c >= 0x80;
}

static int is_word_char(unsigned char c)
{
    return isalnum(c) || c == '_' || c >= 0x80;
}

static const struct {
    const char *word;
    enum tok_kind kind;
} KEYWORDS[] = {{"AND", T_AND},   {"OR", T_OR},       {"NOT", T_NOT}, {"IN", T_IN},
                {"LIKE", T_LIKE}, {"ILIKE", T_ILIKE}, {"IS", T_IS},   {"NULL", T_NULL}};

/* A quoted run from p->pos (at the opening quote q); q doubled stands for itself. */
static int quoted(struct parser *p, char q, struct token *t)
{
    struct bm__buf b = {0};
    size_t i = p->pos + 1;
    for (;;) {
        char c = p->src[i];
        if (c == '\0') {
            bm__buf_free(&b);
            fail(p, p->pos,
                 q == '\'' ? "unterminated text (a closing ' is missing)"
                           : "unterminated name (a closing \" is missing)");
            return -1;
        }
        if (c == q && p->src[i + 1] == q) {
            i += 2;
        } else if (c == q) {
            i++;
            break;
        } else {
            i++;
        }
        if (bm__buf_append(&b, &c, 1) != 0) {
            bm__buf_free(&b);
            fail(p, p->pos, "out of memory");
            return -1;
        }
    }
    char nul = '\0';
    if (bm__buf_append(&b, &nul, 1) != 0) {
        bm__buf_free(&b);
        fail(p, p->pos, "out of memory");
        return -1;
    }
    t->text = bm__buf_take(&b);
    t->len = i - p->pos;
    return 0;
}

static void next(struct parser *p)
{
    free(p->tok.text);
    memset(&p->tok, 0, sizeof p->tok);
    while (p->src[p->pos] && isspace((unsigned char)p->src[p->pos]))
        p->pos++;
    struct token *t = &p->tok;
    const char *s = p->src + p->pos;
    t->start = p->pos;
    t->len = 1;
    unsigned char c = (unsigned char)s[0];
    if (c == '\0') {
        t->kind = T_END;
        t->len = 0;
    } else if (c == '(' || c == ')' || c == ',') {
        t->kind = c == '(' ? T_LPAREN : c == ')' ? T_RPAREN : T_COMMA;
    } else if (c == '\'' || c == '"') {
        t->kind = c == '\'' ? T_STRING : T_QNAME;
        if (quoted(p, (char)c, t) != 0)
            t->kind = T_END;
    } else if (c == '=' || c == '<' || c == '>' || (c == '!' && s[1] == '=')) {
        t->kind = T_OP;
        if (c == '=') {
            t->op = C_EQ;
        } else if (c == '!') {
            t->op = C_NE;
            t->len = 2;
        } else if (c == '<' && s[1] == '>') {
            t->op = C_NE;
            t->len = 2;
        } else if (s[1] == '=') {
            t->op = c == '<' ? C_LE : C_GE;
            t->len = 2;
        } else {
            t->op = c == '<' ? C_LT : C_GT;
        }
    } else if (isdigit(c) ||
               ((c == '-' || c == '+' || c == '.') &&
                (isdigit((unsigned char)s[1]) || (s[1] == '.' && isdigit((unsigned char)s[2]))))) {
        char *end;
        t->number = g_ascii_strtod(s, &end);
        t->kind = T_NUMBER;
        t->len = (size_t)(end - s);
        if (end == s || is_word_char((unsigned char)*end) || !isfinite(t->number)) {
            size_t n = 0;
            while (s[n] && (is_word_char((unsigned char)s[n]) || s[n] == '.'))
                n++;
            t->len = n ? n : 1;
            t->kind = T_OTHER;
        }
    } else if (is_word_start(c)) {
        size_t n = 0;
        while (is_word_char((unsigned char)s[n]))
            n++;
        t->len = n;
        t->kind = T_NAME;
        for (size_t k = 0; k < sizeof KEYWORDS / sizeof KEYWORDS[0]; k++)
            if (strlen(KEYWORDS[k].word) == n && strncasecmp(s, KEYWORDS[k].word, n) == 0)
                t->kind = KEYWORDS[k].kind;
        if (t->kind == T_NAME && !(t->text = g_strndup(s, n))) /* g_strndup aborts on OOM */
            t->kind = T_END;
    } else {
        /* One whole character, for the message. */
        t->kind = T_OTHER;
        if (c >= 0x80) {
            size_t n = 1;
            while (n < 4 && ((unsigned char)s[n] & 0xc0) == 0x80)
                n++;
            t->len = n;
        } else if ((c == '-' && s[1] == '-') || (c == '/' && s[1] == '*') ||
                   (c == '|' && s[1] == '|') || (c == ':' && s[1] == ':')) {
            t->len = 2;
        }
    }
    p->pos += t->len;
}

/* ---- grammar ------------------------------------------------------------ */

static struct node *parse_or(struct parser *p);

static struct node *new_node(struct parser *p, enum node_kind kind)
{
    struct node *n = calloc(1, sizeof *n);
    if (!n)
        fail(p, p->tok.start, "out of memory");
    else
        n->kind = kind;
    return n;
}

/* Words that start SQL the grammar does not have: a clearer message than "no field". */
static int refuse_word(struct parser *p, const char *w)
{
    static const char *const subquery[] = {"SELECT", "EXISTS", "WITH", "VALUES"};
    static const char *const function[] = {"CASE", "CAST"};
    for (size_t i = 0; i < sizeof subquery / sizeof subquery[0]; i++)
        if (g_ascii_strcasecmp(w, subquery[i]) == 0) {
            fail(p, p->tok.start, "subqueries are not allowed ('%s')", subquery[i]);
            return 1;
        }
    for (size_t i = 0; i < sizeof function / sizeof function[0]; i++)
        if (g_ascii_strcasecmp(w, function[i]) == 0) {
            fail(p, p->tok.start, "functions are not allowed ('%s')", function[i]);
            return 1;
        }
    if (g_ascii_strcasecmp(w, "BETWEEN") == 0) {
        fail(p, p->tok.start, "BETWEEN is not supported; write x >= a AND x <= b");
        return 1;
    }
    return 0;
}

static int operand(struct parser *p, struct operand *o)
{
    char buf[64];
    struct token *t = &p->tok;
    o->column = column_of(p, t->start);
    o->field = -1;
    switch (t->kind) {
    case T_NAME:
        if (refuse_word(p, t->text))
            return -1;
        /* A name followed by '(' is a call, whatever the name. */
        if (p->src[p->pos + strspn(p->src + p->pos, " \t\r\n")] == '(') {
            char clip[48];
            fail(p, t->start, "functions are not allowed ('%s')", bm__clip(t->text, clip, 48));
            return -1;
        }
        /* fall through */
    case T_QNAME:
        o->is_field = 1;
        o->name = t->text;
        t->text = NULL;
        break;
    case T_STRING:
        o->name = t->text;
        t->text = NULL;
        break;
    case T_NUMBER:
        o->numeric = 1;
        o->number = t->number;
        break;
    case T_LPAREN:
        fail(p, t->start, "expected a field name or a value, not a parenthesis here");
        return -1;
    default:
        fail(p, t->start, "expected a field name or a value, not %s", shown(p, t, buf, 64));
        return -1;
    }
    next(p);
    return p->failed ? -1 : 0;
}

static int literal(struct parser *p, struct operand *o, const char *where)
{
    char buf[64];
    if (p->tok.kind != T_STRING && p->tok.kind != T_NUMBER) {
        if (p->tok.kind == T_NAME && refuse_word(p, p->tok.text))
            return -1;
        fail(p, p->tok.start, "expected a quoted text or a number %s, not %s", where,
             shown(p, &p->tok, buf, 64));
        return -1;
    }
    return operand(p, o);
}

static struct node *parse_in(struct parser *p, struct node *n)
{
    char buf[64];
    n->kind = N_IN;
    next(p);
    if (p->tok.kind != T_LPAREN) {
        fail(p, p->tok.start, "expected '(' after IN, not %s", shown(p, &p->tok, buf, 64));
        return n;
    }
    next(p);
    for (;;) {
        struct operand *grown = realloc(n->list, (n->nlist + 1) * sizeof *grown);
        if (!grown) {
            fail(p, p->tok.start, "out of memory");
            return n;
        }
        n->list = grown;
        memset(&n->list[n->nlist], 0, sizeof *grown);
        if (literal(p, &n->list[n->nlist++], "in the IN list") != 0)
            return n;
        if (p->tok.kind == T_RPAREN)
            break;
        if (p->tok.kind != T_COMMA) {
            fail(p, p->tok.start, "expected ',' or ')' in the IN list, not %s",
                 shown(p, &p->tok, buf, 64));
            return n;
        }
        next(p);
    }
    next(p);
    return n;
}

/* After the first operand: the comparison, IN, LIKE or IS. */
static struct node *parse_rest(struct parser *p, struct node *n)
{
    char buf[64];
    int negate = 0;
    if (p->tok.kind == T_NOT) {
        negate = 1;
        next(p);
        if (p->tok.kind != T_IN && p->tok.kind != T_LIKE && p->tok.kind != T_ILIKE) {
            fail(p, p->tok.start, "expected IN or LIKE after NOT, not %s",
                 shown(p, &p->tok, buf, 64));
            return n;
        }
    }
    n->negate = negate;
    switch (p->tok.kind) {
    case T_OP:
        n->kind = N_CMP;
        n->op = p->tok.op;
        next(p);
        operand(p, &n->r);
        return n;
    case T_IN:
        return parse_in(p, n);
    case T_LIKE:
    case T_ILIKE:
        n->kind = N_LIKE;
        n->icase = p->tok.kind == T_ILIKE;
        next(p);
        if (p->tok.kind != T_STRING) {
            fail(p, p->tok.start, "expected a quoted pattern after LIKE, not %s",
                 shown(p, &p->tok, buf, 64));
            return n;
        }
        operand(p, &n->r);
        return n;
    case T_IS:
        n->kind = N_NULL;
        next(p);
        if (p->tok.kind == T_NOT) {
            n->negate = 1;
            next(p);
        }
        if (p->tok.kind != T_NULL) {
            fail(p, p->tok.start, "expected NULL or NOT NULL after IS, not %s",
                 shown(p, &p->tok, buf, 64));
            return n;
        }
        next(p);
        return n;
    default: {
        char what[64];
        snprintf(what, sizeof what, "%s", n->l.is_field ? n->l.name : "the value");
        char clip[48];
        fail(p, p->tok.start,
             "expected a comparison (= != <> < <= > >=), IN, LIKE or IS NULL after '%s', not %s",
             bm__clip(what, clip, sizeof clip), shown(p, &p->tok, buf, 64));
        return n;
    }
    }
}

static struct node *parse_not(struct parser *p)
{
    if (++p->depth > BM__FILTER_MAX_DEPTH) {
        fail(p, p->tok.start, "nested deeper than %d levels", BM__FILTER_MAX_DEPTH);
        return NULL;
    }
    struct node *n = NULL;
    if (p->tok.kind == T_NOT) {
        next(p);
        n = new_node(p, N_NOT);
        if (n)
            n->a = parse_not(p);
    } else if (p->tok.kind == T_LPAREN) {
        size_t open = p->tok.start;
        next(p);
        n = parse_or(p);
        if (!p->failed && p->tok.kind != T_RPAREN) {
            char buf[64];
            fail(p, p->tok.start, "expected ')' to close the '(' at column %zu, not %s",
                 column_of(p, open), shown(p, &p->tok, buf, 64));
        }
        next(p);
    } else if ((n = new_node(p, N_CMP)) && operand(p, &n->l) == 0) {
        parse_rest(p, n);
    }
    p->depth--;
    return n;
}

static struct node *parse_and(struct parser *p)
{
    struct node *left = parse_not(p);
    while (!p->failed && p->tok.kind == T_AND) {
        next(p);
        struct node *n = new_node(p, N_AND);
        if (!n)
            break;
        n->a = left;
        n->b = parse_not(p);
        left = n;
    }
    return left;
}

static struct node *parse_or(struct parser *p)
{
    struct node *left = parse_and(p);
    while (!p->failed && p->tok.kind == T_OR) {
        next(p);
        struct node *n = new_node(p, N_OR);
        if (!n)
            break;
        n->a = left;
        n->b = parse_and(p);
        left = n;
    }
    return left;
}

struct bm__filter *bm__filter_parse(const char *text, char *msg, size_t size)
{
    struct parser p = {.src = text ? text : "", .msg = msg, .size = size};
    msg[0] = '\0';
    next(&p);
    if (p.tok.kind == T_END && !p.failed) {
        fail(&p, 0, "it is empty");
        free(p.tok.text);
        return NULL;
    }
    struct node *root = parse_or(&p);
    if (!p.failed && p.tok.kind != T_END) {
        char buf[64];
        if (p.tok.kind == T_OTHER && (p.src[p.tok.start] == ';'))
            fail(&p, p.tok.start, "more than one statement (';') is not allowed");
        else
            fail(&p, p.tok.start, "expected AND, OR or the end, not %s",
                 shown(&p, &p.tok, buf, 64));
    }
    free(p.tok.text);
    struct bm__filter *f = p.failed ? NULL : calloc(1, sizeof *f);
    if (!f) {
        free_node(root);
        if (!p.failed)
            snprintf(msg, size, "out of memory");
        return NULL;
    }
    f->root = root;
    return f;
}

/* ---- binding ------------------------------------------------------------ */

struct binding {
    const char *const *names;
    const enum bm_field_type *types;
    size_t n;
    const char *layer, *path;
    char *msg;
    size_t size;
};

static int bind_operand(struct operand *o, const struct binding *b)
{
    if (!o->is_field)
        return 0;
    for (size_t i = 0; i < b->n; i++)
        if (g_ascii_strcasecmp(o->name, b->names[i]) == 0) {
            o->field = (int)i;
            o->numeric = b->types[i] == BM_FIELD_INTEGER || b->types[i] == BM_FIELD_REAL;
            o->real = bm__strdup(b->names[i]);
            return o->real ? 0 : -1;
        }
    if (g_ascii_strcasecmp(o->name, BM__FILTER_GEOMETRY_FIELD) == 0) {
        o->field = BM__FILTER_GEOMETRY_INDEX;
        return 0;
    }
    struct bm__buf list = {0};
    for (size_t i = 0; i < b->n; i++)
        bm__buf_printf(&list, "%s%s", i ? ", " : "", b->names[i]);
    char clip[48];
    snprintf(b->msg, b->size,
             "bad filter at column %zu: no field '%s' in layer '%s' of '%s'; its fields are: %s",
             o->column, bm__clip(o->name, clip, sizeof clip), b->layer, b->path,
             list.data ? list.data : "(none)");
    bm__buf_free(&list);
    return -1;
}

static int bind_node(struct node *n, const struct binding *b)
{
    if (!n)
        return 0;
    if (bind_node(n->a, b) != 0 || bind_node(n->b, b) != 0)
        return -1;
    if (n->kind == N_OR || n->kind == N_AND || n->kind == N_NOT)
        return 0;
    return bind_operand(&n->l, b) != 0 || (n->kind == N_CMP && bind_operand(&n->r, b) != 0) ? -1
                                                                                            : 0;
}

int bm__filter_bind(struct bm__filter *f, const char *const *names, const enum bm_field_type *types,
                    size_t n, const char *layer, const char *path, char *msg, size_t size)
{
    struct binding b = {names, types, n, layer, path, msg, size};
    msg[0] = '\0';
    return bind_node(f->root, &b);
}

/* ---- evaluation --------------------------------------------------------- */

enum { F_FALSE = 0, F_TRUE = 1, F_UNKNOWN = 2 };

struct value {
    const char *text; /* NULL: null */
    int is_number;    /* a number literal */
    double number;
};

static struct value value_of(const struct operand *o, bm__filter_value_fn get, void *arg)
{
    struct value v = {NULL, 0, 0};
    if (o->is_field) {
        v.text = get(arg, o->field);
    } else if (o->numeric) {
        v.is_number = 1;
        v.number = o->number;
        v.text = "";
    } else {
        v.text = o->name;
    }
    return v;
}

/* Text as a number: the whole of it, spaces around allowed. */
static int as_number(const char *s, double *out)
{
    while (isspace((unsigned char)*s))
        s++;
    if (!*s)
        return 0;
    char *end;
    double d = g_ascii_strtod(s, &end);
    while (isspace((unsigned char)*end))
        end++;
    if (end == s || *end || !isfinite(d))
        return 0;
    *out = d;
    return 1;
}

static int compare(const struct operand *lo, const struct operand *ro, enum cmp_op op,
                   bm__filter_value_fn get, void *arg)
{
    struct value l = value_of(lo, get, arg), r = value_of(ro, get, arg);
    if (!l.text || !r.text)
        return F_UNKNOWN;
    int c;
    /* Numerically when a number is involved, or two numeric fields meet. */
    if (l.is_number || r.is_number ||
        (lo->is_field && ro->is_field && lo->numeric && ro->numeric)) {
        double a = l.number, b = r.number;
        if ((!l.is_number && !as_number(l.text, &a)) || (!r.is_number && !as_number(r.text, &b)))
            return F_UNKNOWN;
        c = a < b ? -1 : a > b ? 1 : 0;
    } else {
        c = strcmp(l.text, r.text);
    }
    switch (op) {
    case C_EQ:
        return c == 0;
    case C_NE:
        return c != 0;
    case C_LT:
        return c < 0;
    case C_LE:
        return c <= 0;
    case C_GT:
        return c > 0;
    default:
        return c >= 0;
    }
}

/* One character of s (UTF-8), folded when icase; its length in *n. */
static gunichar char_at(const char *s, int icase, size_t *n)
{
    gunichar c = g_utf8_get_char_validated(s, -1);
    if (c == (gunichar)-1 || c == (gunichar)-2) {
        *n = 1; /* a stray byte stands for itself */
        return (gunichar)(unsigned char)*s | 0x80000000u;
    }
    *n = (size_t)(g_utf8_next_char(s) - s);
    return icase ? g_unichar_tolower(c) : c;
}

/*
 * LIKE: % any run, _ one character. Greedy with one backtrack point: linear
 * in practice and at worst len(s) * len(pattern), whatever the pattern.
 */
static int like(const char *s, const char *pat, int icase)
{
    const char *star = NULL, *mark = NULL;
    while (*s) {
        size_t ns, np;
        if (*pat == '%') {
            star = ++pat;
            mark = s;
            continue;
        }
        if (*pat) {
            gunichar cs = char_at(s, icase, &ns);
            if (*pat == '_') {
                s += ns;
                pat++;
                continue;
            }
            if (char_at(pat, icase, &np) == cs) {
                s += ns;
                pat += np;
                continue;
            }
        }
        if (!star)
            return 0;
        char_at(mark, icase, &ns);
        mark += ns;
        s = mark;
        pat = star;
    }
    while (*pat == '%')
        pat++;
    return *pat == '\0';
}

static int eval(const struct node *n, bm__filter_value_fn get, void *arg)
{
    switch (n->kind) {
    case N_OR: {
        int a = eval(n->a, get, arg);
        if (a == F_TRUE)
            return F_TRUE;
        int b = eval(n->b, get, arg);
        return b == F_TRUE ? F_TRUE : (a == F_UNKNOWN || b == F_UNKNOWN) ? F_UNKNOWN : F_FALSE;
    }
    case N_AND: {
        int a = eval(n->a, get, arg);
        if (a == F_FALSE)
            return F_FALSE;
        int b = eval(n->b, get, arg);
        return b == F_FALSE ? F_FALSE : (a == F_UNKNOWN || b == F_UNKNOWN) ? F_UNKNOWN : F_TRUE;
    }
    case N_NOT: {
        int a = eval(n->a, get, arg);
        return a == F_UNKNOWN ? F_UNKNOWN : !a;
    }
    case N_CMP:
        return compare(&n->l, &n->r, n->op, get, arg);
    case N_NULL: {
        int null = value_of(&n->l, get, arg).text == NULL;
        return n->negate ? !null : null;
    }
    case N_LIKE: {
        const char *t = value_of(&n->l, get, arg).text;
        if (!t)
            return F_UNKNOWN;
        int m = like(t, n->r.name, n->icase);
        return n->negate ? !m : m;
    }
    case N_IN: {
        int unknown = !value_of(&n->l, get, arg).text, hit = 0;
        for (size_t i = 0; !unknown && !hit && i < n->nlist; i++) {
            int r = compare(&n->l, &n->list[i], C_EQ, get, arg);
            hit = r == F_TRUE;
            unknown |= r == F_UNKNOWN;
        }
        if (hit)
            return n->negate ? F_FALSE : F_TRUE;
        return unknown ? F_UNKNOWN : n->negate ? F_TRUE : F_FALSE;
    }
    }
    return F_UNKNOWN;
}

int bm__filter_eval(const struct bm__filter *f, bm__filter_value_fn value, void *arg)
{
    return eval(f->root, value, arg) == F_TRUE;
}

/* ---- the part handed to the driver --------------------------------------- */

char *bm__filter_quote_name(const char *name)
{
    struct bm__buf b = {0};
    int bad = bm__buf_puts(&b, "\"");
    for (const char *s = name; !bad && *s; s++)
        bad = bm__buf_append(&b, s, 1) || (*s == '"' && bm__buf_append(&b, s, 1));
    bad = bad || bm__buf_puts(&b, "\"");
    if (bad) {
        bm__buf_free(&b);
        return NULL;
    }
    return bm__buf_take(&b);
}

/* Text every dialect reads the same between single quotes. */
static int plain_text(const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '\'' || c == '\\' || c < 0x20 || c == 0x7f)
            return 0;
    }
    return 1;
}

static int pushable_literal(const struct operand *field, const struct operand *lit)
{
    if (lit->is_field)
        return 0;
    if (field->numeric)
        return lit->numeric && isfinite(lit->number);
    return !lit->numeric && plain_text(lit->name) && g_utf8_validate(lit->name, -1, NULL);
}

/* A field that a driver knows by that name: not the geometry pseudo-field. */
static int real_field(const struct operand *o)
{
    return o->is_field && o->field >= 0 && o->real;
}

static int add_literal(struct bm__buf *b, const struct operand *lit)
{
    if (lit->numeric) {
        char num[G_ASCII_DTOSTR_BUF_SIZE];
        return bm__buf_puts(b, g_ascii_formatd(num, sizeof num, "%.17g", lit->number));
    }
    return bm__buf_printf(b, "'%s'", lit->name);
}

static void push_conjunct(const struct node *n, struct bm__buf *b)
{
    if (n->kind == N_AND) {
        push_conjunct(n->a, b);
        push_conjunct(n->b, b);
        return;
    }
    const struct operand *field = &n->l;
    if (!real_field(field) || n->negate)
        return;
    int ok = 0;
    if (n->kind == N_CMP)
        /* Text ordering differs between dialects (collations): only = for text. */
        ok = n->op != C_NE && (field->numeric || n->op == C_EQ) && pushable_literal(field, &n->r);
    else if (n->kind == N_IN) {
        ok = n->nlist > 0;
        for (size_t i = 0; ok && i < n->nlist; i++)
            ok = pushable_literal(field, &n->list[i]);
    }
    if (!ok)
        return;
    char *name = bm__filter_quote_name(field->real);
    if (!name)
        return;
    size_t mark = b->len;
    int bad = bm__buf_printf(b, "%s%s ", b->len ? " AND " : "", name);
    if (n->kind == N_CMP) {
        static const char *const ops[] = {"=", "<>", "<", "<=", ">", ">="};
        bad = bad || bm__buf_printf(b, "%s ", ops[n->op]) || add_literal(b, &n->r);
    } else {
        bad = bad || bm__buf_puts(b, "IN (");
        for (size_t i = 0; !bad && i < n->nlist; i++)
            bad = (i && bm__buf_puts(b, ", ")) || add_literal(b, &n->list[i]);
        bad = bad || bm__buf_puts(b, ")");
    }
    free(name);
    if (bad) {
        b->len = mark;
        if (b->data)
            b->data[mark] = '\0';
    }
}

char *bm__filter_pushdown(const struct bm__filter *f)
{
    struct bm__buf b = {0};
    push_conjunct(f->root, &b);
    if (!b.len) {
        bm__buf_free(&b);
        return NULL;
    }
    return bm__buf_take(&b);
}

enum bm_status bm_filter_check(struct bm_ctx *ctx, const char *where)
{
    bm__begin(ctx);
    char msg[1024];
    struct bm__filter *f = bm__filter_parse(where, msg, sizeof msg);
    if (!f)
        return bm__fail(ctx, strcmp(msg, "out of memory") ? BM_ERR_FILTER : BM_ERR_NOMEM, "%s",
                        msg);
    bm__filter_free(f);
    return BM_OK;
}
