/* bordermap tests: credentials are hidden in text before it is printed (bm_redact). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "bordermap/bordermap.h"

static void check(const char *in, const char *want)
{
    char *got = bm_redact(in);
    assert_non_null(got);
    if (strcmp(got, want) != 0)
        fail_msg("bm_redact(\"%s\")\n  gave \"%s\"\n  want \"%s\"", in, got, want);
    free(got);
}

static void connection_strings(void **state)
{
    (void)state;
    unsetenv("PGPASSWORD");
    check("PG:dbname=gis password=s3cret host=db", "PG:dbname=gis password=*** host=db");
    check("PG:dbname=gis password=s3cret", "PG:dbname=gis password=***");
    check("PG:dbname=gis PASSWORD = s3cret user=u", "PG:dbname=gis PASSWORD = *** user=u");
    /* libpq's quoting: the whole quoted value, escapes and spaces inside. */
    check("PG:password='a b\\' c' dbname=gis", "PG:password=*** dbname=gis");
    check("PG:password=\"x y\" dbname=gis", "PG:password=*** dbname=gis");
    /* Other keys that hold a password, and other drivers' syntax. */
    check("PG:sslpassword=k3y dbname=x", "PG:sslpassword=*** dbname=x");
    check("PGPASSWORD=hunter22 bordermap layers", "PGPASSWORD=*** bordermap layers");
    check("MSSQL:server=.;database=gis;UID=u;PWD=p4ss",
          "MSSQL:server=.;database=gis;UID=u;PWD=***");
    check("MySQL:gis,user=u,passwd=p4ss", "MySQL:gis,user=u,passwd=***");
    /* Not a credential: a key that only contains the word, or no '='. */
    check("PG:dbname=password_reset user=u", "PG:dbname=password_reset user=u");
    check("PG:dbname=passwordx", "PG:dbname=passwordx");
    check("a password is needed", "a password is needed");
    check("", "");
}

static void inside_messages(void **state)
{
    (void)state;
    unsetenv("PGPASSWORD");
    /* A quote that closes the quoted source ends the value; one inside it does not. */
    check("cannot open 'PG:dbname=x password=s3cret': refused",
          "cannot open 'PG:dbname=x password=***': refused");
    check("source 'PG:dbname=x password=s3cret'.", "source 'PG:dbname=x password=***'.");
    check("PG:password=ab'cd dbname=x", "PG:password=*** dbname=x");
    check("{\"source\": \"PG:dbname=x password=s3cret\"}",
          "{\"source\": \"PG:dbname=x password=***\"}");
}

static void uris(void **state)
{
    (void)state;
    unsetenv("PGPASSWORD");
    check("PG:postgresql://u:s3cret@db.example:5432/gis",
          "PG:postgresql://u:***@db.example:5432/gis");
    check("postgresql://u@db/gis", "postgresql://u@db/gis");
    check("postgresql://db:5432/gis", "postgresql://db:5432/gis");
    check("PG:postgresql://db/gis?user=u&password=s3cret&sslmode=require",
          "PG:postgresql://db/gis?user=u&password=***&sslmode=require");
    check("https://example.org/x:y", "https://example.org/x:y");
}

static void pgpassword_value(void **state)
{
    (void)state;
    setenv("PGPASSWORD", "Tr0ub4dor", 1);
    check("could not connect: Tr0ub4dor rejected", "could not connect: *** rejected");
    check("x=Tr0ub4dorTr0ub4dor", "x=******");
    /* Too short to hide inside other words. */
    setenv("PGPASSWORD", "abc", 1);
    check("abc abcd password=abc", "abc abcd password=***");
    unsetenv("PGPASSWORD");
    assert_null(bm_redact(NULL));
}

static void into_a_buffer(void **state)
{
    (void)state;
    unsetenv("PGPASSWORD");
    char buf[24];
    assert_string_equal(bm_redact_to("PG:password=s3cret", buf, sizeof buf), "PG:password=***");
    /* Cut after redaction: no piece of the password is left. */
    assert_string_equal(bm_redact_to("PG:dbname=longname password=s3cretvalue", buf, sizeof buf),
                        "PG:dbname=longname p...");
}

/* The library's messages go through it: an error quoting a connection string. */
static void messages_are_redacted(void **state)
{
    (void)state;
    unsetenv("PGPASSWORD");
    struct bm_ctx *ctx = bm_ctx_new();
    struct bm_layer *L;
    /* Nothing listens on port 1: the connection is refused. */
    enum bm_status st = bm_layer_load(
        ctx, "PG:host=127.0.0.1 port=1 dbname=x user=u password=Zz9-secret connect_timeout=2", NULL,
        &L);
    assert_int_not_equal(st, BM_OK);
    assert_null(strstr(bm_ctx_error(ctx), "Zz9-secret"));
    assert_non_null(strstr(bm_ctx_error(ctx), "password=***"));
    bm_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(connection_strings),
        cmocka_unit_test(inside_messages),
        cmocka_unit_test(uris),
        cmocka_unit_test(pgpassword_value),
        cmocka_unit_test(into_a_buffer),
        cmocka_unit_test(messages_are_redacted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
