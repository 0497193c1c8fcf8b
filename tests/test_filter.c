/*
 * bordermap tests: filters are data, not SQL (issue 13). The grammar bordermap
 * parses and checks itself (src/data/filter.c), its evaluation in C, and the
 * attacks of the security review run against real SQLite and GeoPackage files
 * (the PostgreSQL ones run against a real cluster in tests/pg/).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <gdal.h>
#include <ogr_api.h>
#include <stdio.h>
#include <string.h>

#include "bordermap/bordermap.h"
#include "data/filter.h"
#include "support.h"

static const char *const TOWNS[] = {"POINT (97.851 24.013)", "POINT (96.1297 19.745)",
                                    "POINT (93.5513 19.4279)"};

/* A GeoPackage of three towns (name f0, f1, f2) beside a table 'secrets' that
 * the map never names: what an injected subquery would read. */
static const char *towns_with_secret(const char *name, const char *driver)
{
    const char *p = tmp_path(name);
    assert_int_equal(write_layer(p, driver, 4326, "towns", TOWNS, 3), 0);
    GDALDatasetH ds = GDALOpenEx(p, GDAL_OF_VECTOR | GDAL_OF_UPDATE, NULL, NULL, NULL);
    assert_non_null(ds);
    GDALDatasetReleaseResultSet(
        ds, GDALDatasetExecuteSQL(ds, "CREATE TABLE secrets (secret TEXT)", NULL, NULL));
    GDALDatasetReleaseResultSet(
        ds, GDALDatasetExecuteSQL(ds, "INSERT INTO secrets VALUES ('f1')", NULL, NULL));
    GDALClose(ds);
    return p;
}

static enum bm_status load_where(const char *path, const char *where, struct bm_layer **L)
{
    bm_ctx_clear_warnings(ctx);
    /* The towns by name: a source of several tables is refused unless one is named. */
    struct bm_load_opts o = {.where = where,
                             .layer = strstr(path, "sub.") || strstr(path, "fn.") ? "towns" : NULL};
    return bm_layer_load(ctx, path, &o, L);
}

/* Review finding 2: a subquery in a filter read another table of the database
 * (here as a yes/no oracle: the town whose name is the secret came back). */
static void subquery_is_refused(void **state)
{
    (void)state;
    static const char *const drivers[][2] = {{"sub.gpkg", "GPKG"}, {"sub.sqlite", "SQLite"}};
    for (int i = 0; i < 2; i++) {
        const char *p = towns_with_secret(drivers[i][0], drivers[i][1]);
        struct bm_layer *L = NULL;
        assert_int_equal(load_where(p, "name IN (SELECT secret FROM secrets)", &L), BM_ERR_FILTER);
        assert_null(L);
        assert_string_equal(bm_ctx_error(ctx),
                            "bad filter at column 10: subqueries are not allowed ('SELECT'); use "
                            "field names, literals, comparisons, AND/OR/NOT, IN, LIKE, IS NULL");
    }
}

/* Review finding 2: functions of the database ran, once per row. */
static void functions_are_refused(void **state)
{
    (void)state;
    const char *p = towns_with_secret("fn.gpkg", "GPKG");
    struct bm_layer *L = NULL;
    assert_int_equal(load_where(p, "name = 'f0' OR length(name) > 0", &L), BM_ERR_FILTER);
    assert_null(L);
    assert_string_equal(bm_ctx_error(ctx),
                        "bad filter at column 16: functions are not allowed ('length'); use "
                        "field names, literals, comparisons, AND/OR/NOT, IN, LIKE, IS NULL");
}

/* ---- the grammar, on its own ---- */

/* Parse text and expect it refused with exactly msg. */
static void refused(const char *text, const char *msg)
{
    char got[1024];
    struct bm__filter *f = bm__filter_parse(text, got, sizeof got);
    if (f) {
        bm__filter_free(f);
        fail_msg("filter \"%s\" was accepted", text);
    }
    char want[1024];
    snprintf(want, sizeof want,
             "%s; use field names, literals, comparisons, AND/OR/NOT, IN, LIKE, "
             "IS NULL",
             msg);
    if (strcmp(got, want) != 0)
        fail_msg("filter \"%s\":\n  got:  %s\n  want: %s", text, got, want);
}

static void outside_the_grammar(void **state)
{
    (void)state;
    refused("pg_sleep(2) IS NOT NULL",
            "bad filter at column 1: functions are not allowed ('pg_sleep')");
    refused("DropGeometryTable('canary') IS NOT NULL",
            "bad filter at column 1: functions are not allowed ('DropGeometryTable')");
    refused("1 = CAST((SELECT secret FROM secrets LIMIT 1) AS int)",
            "bad filter at column 5: functions are not allowed ('CAST')");
    refused("name = (SELECT secret FROM secrets)",
            "bad filter at column 8: expected a field name or a value, not a parenthesis here");
    refused("EXISTS (SELECT 1)", "bad filter at column 1: subqueries are not allowed ('EXISTS')");
    refused("a = 1; DROP TABLE canary",
            "bad filter at column 6: more than one statement (';') is not allowed");
    refused("a = 1 -- comment", "bad filter at column 7: expected AND, OR or the end, not '--'");
    refused("a = 'x' || 'y'", "bad filter at column 9: expected AND, OR or the end, not '||'");
    refused("a::text = 'x'",
            "bad filter at column 2: expected a comparison (= != <> < <= > >=), IN, LIKE or IS "
            "NULL after 'a', not '::'");
    refused("name ==", "bad filter at column 7: expected a field name or a value, not '='");
    refused("", "bad filter at column 1: it is empty");
    refused("   ", "bad filter at column 1: it is empty");
    refused("name = 'Ruili", "bad filter at column 8: unterminated text (a closing ' is missing)");
    refused("\"name = 1", "bad filter at column 1: unterminated name (a closing \" is missing)");
    refused("(a = 1",
            "bad filter at column 7: expected ')' to close the '(' at column 1, not the end");
    refused("a IN 1", "bad filter at column 6: expected '(' after IN, not '1'");
    refused("a IN (b)",
            "bad filter at column 7: expected a quoted text or a number in the IN list, "
            "not 'b'");
    refused("a IN (SELECT x FROM t)",
            "bad filter at column 7: subqueries are not allowed ('SELECT')");
    refused("a LIKE b", "bad filter at column 8: expected a quoted pattern after LIKE, not 'b'");
    refused("a IS 3", "bad filter at column 6: expected NULL or NOT NULL after IS, not '3'");
    refused("a NOT = 3", "bad filter at column 7: expected IN or LIKE after NOT, not '='");
    refused(
        "a BETWEEN 1 AND 2",
        "bad filter at column 3: expected a comparison (= != <> < <= > >=), IN, LIKE or IS NULL "
        "after 'a', not 'BETWEEN'");
    refused("BETWEEN", "bad filter at column 1: BETWEEN is not supported; write x >= a AND x <= b");
    refused("a = 1 b", "bad filter at column 7: expected AND, OR or the end, not 'b'");
    refused("a = *", "bad filter at column 5: expected a field name or a value, not '*'");
    /* Columns count characters, not bytes: 瑞丽 is two. */
    refused("'瑞丽' = f(x)", "bad filter at column 8: functions are not allowed ('f')");
    /* Deep nesting is refused, not a stack overflow. */
    char deep[400];
    memset(deep, '(', 100);
    snprintf(deep + 100, sizeof deep - 100, "a = 1");
    refused(deep, "bad filter at column 65: nested deeper than 64 levels");
    char nots[400] = "";
    for (int i = 0; i < 70; i++)
        snprintf(nots + strlen(nots), sizeof nots - strlen(nots), "NOT ");
    snprintf(nots + strlen(nots), sizeof nots - strlen(nots), "a = 1");
    refused(nots, "bad filter at column 257: nested deeper than 64 levels");
}

/* One feature's values: name, kind, rank (numeric), note (null unless set). */
struct row {
    const char *v[4];
};

static const char *row_value(void *arg, int field)
{
    const struct row *r = arg;
    if (field == -2)
        return "POINT";
    return field >= 0 && field < 4 ? r->v[field] : NULL;
}

static int matches(const char *text, const struct row *r)
{
    static const char *const names[] = {"name", "kind", "rank", "note"};
    static const enum bm_field_type types[] = {BM_FIELD_STRING, BM_FIELD_STRING, BM_FIELD_INTEGER,
                                               BM_FIELD_STRING};
    char msg[512];
    struct bm__filter *f = bm__filter_parse(text, msg, sizeof msg);
    if (!f)
        fail_msg("\"%s\" refused: %s", text, msg);
    if (bm__filter_bind(f, names, types, 4, "towns", "towns.shp", msg, sizeof msg) != 0)
        fail_msg("\"%s\" not bound: %s", text, msg);
    int m = bm__filter_eval(f, row_value, (void *)r);
    bm__filter_free(f);
    return m;
}

static void evaluation(void **state)
{
    (void)state;
    struct row ruili = {{"Ruili", "city", "1", NULL}};
    struct row muse = {{"Muse", "crossing", "12", "border"}};
    assert_true(matches("kind = 'city'", &ruili));
    assert_false(matches("kind = 'city'", &muse));
    assert_true(matches("KIND = 'city' and Rank <= 2", &ruili)); /* names and keywords: any case */
    assert_true(matches("\"kind\" <> 'city'", &muse));
    assert_true(matches("kind != 'city'", &muse));
    /* Numbers compare as numbers ('12' > '2' as text would be false). */
    assert_true(matches("rank > 2", &muse));
    assert_true(matches("rank >= 1e1 AND rank < 12.5", &muse));
    assert_false(matches("rank > -1 AND rank < 0", &ruili));
    /* Text compares byte by byte, case included. */
    assert_false(matches("name = 'ruili'", &ruili));
    assert_true(matches("name < 'Ruilj'", &ruili));
    assert_true(matches("name IN ('Muse', 'Ruili')", &ruili));
    assert_true(matches("name NOT IN ('Muse', 'Lashio')", &ruili));
    assert_true(matches("rank IN (1, 2)", &ruili));
    /* Quotes doubled inside a text. */
    struct row quote = {{"O'Neil", "x", "0", NULL}};
    assert_true(matches("name = 'O''Neil'", &quote));
    /* LIKE is case-sensitive, ILIKE is not; _ is one character, even a Chinese one. */
    assert_true(matches("name LIKE 'Ru%'", &ruili));
    assert_false(matches("name LIKE 'ru%'", &ruili));
    assert_true(matches("name ILIKE 'ru%'", &ruili));
    assert_true(matches("name LIKE '_uil_'", &ruili));
    assert_true(matches("name NOT LIKE 'M%'", &ruili));
    struct row zh = {{"瑞丽", "city", "1", NULL}};
    assert_true(matches("name LIKE '_丽'", &zh));
    assert_true(matches("name LIKE '%%丽%'", &zh));
    assert_false(matches("name LIKE '_'", &zh));
    /* Null: comparisons are unknown, and so is NOT of them; IS NULL sees it. */
    assert_true(matches("note IS NULL", &ruili));
    assert_false(matches("note IS NOT NULL", &ruili));
    assert_false(matches("note = 'border'", &ruili));
    assert_false(matches("NOT (note = 'border')", &ruili));
    assert_false(matches("note NOT IN ('x')", &ruili));
    assert_true(matches("note = 'border' OR rank = 1", &ruili));
    assert_true(matches("NOT (note = 'x' AND rank = 2)", &ruili)); /* unknown AND false = false */
    /* A number against text that is not a number: unknown. */
    assert_false(matches("name = 3", &ruili));
    assert_false(matches("NOT name = 3", &ruili));
    /* Precedence: NOT over AND over OR. */
    assert_true(matches("kind = 'x' AND rank = 5 OR name = 'Ruili'", &ruili));
    assert_false(matches("kind = 'x' AND (rank = 5 OR name = 'Ruili')", &ruili));
    assert_true(matches("NOT kind = 'x' AND name = 'Ruili'", &ruili));
    /* The geometry type, as OGR SQL names it. */
    assert_true(matches("OGR_GEOMETRY = 'POINT'", &ruili));
    /* A field of no layer is named with the layer's fields. */
    char msg[512];
    struct bm__filter *f = bm__filter_parse("kind = 'city' AND populaton > 5", msg, sizeof msg);
    assert_non_null(f);
    static const char *const names[] = {"name", "kind"};
    static const enum bm_field_type types[] = {BM_FIELD_STRING, BM_FIELD_STRING};
    assert_int_equal(bm__filter_bind(f, names, types, 2, "towns", "towns.shp", msg, sizeof msg),
                     -1);
    assert_string_equal(msg, "bad filter at column 19: no field 'populaton' in layer 'towns' of "
                             "'towns.shp'; its fields are: name, kind");
    bm__filter_free(f);
}

/* A pattern that sends a naive matcher into exponential backtracking. */
static void like_is_not_exponential(void **state)
{
    (void)state;
    char value[4100], pattern[200] = "";
    memset(value, 'a', 4096);
    value[4096] = '\0';
    struct row r = {{value, "x", "0", NULL}};
    char text[300];
    for (int i = 0; i < 30; i++)
        snprintf(pattern + strlen(pattern), sizeof pattern - strlen(pattern), "%%a");
    snprintf(pattern + strlen(pattern), sizeof pattern - strlen(pattern), "%%b");
    snprintf(text, sizeof text, "name LIKE '%s'", pattern);
    assert_false(matches(text, &r)); /* returns at once; a backtracking matcher takes ages */
}

/* The part handed to the driver: quoted by bordermap, and only what every dialect reads alike. */
static void pushdown(void **state)
{
    (void)state;
    static const char *const names[] = {"Name", "rank", "we\"ird"};
    static const enum bm_field_type types[] = {BM_FIELD_STRING, BM_FIELD_REAL, BM_FIELD_STRING};
    static const char *const cases[][2] = {
        {"name = 'Ruili' AND rank >= 2", "\"Name\" = 'Ruili' AND \"rank\" >= 2"},
        {"name IN ('a', 'b') AND \"WE\"\"IRD\" = 'x'",
         "\"Name\" IN ('a', 'b') AND \"we\"\"ird\" = 'x'"},
        {"name = 'a' OR rank = 1", NULL},                      /* OR: not a conjunct */
        {"name = 'O''Neil' AND rank < 1.5", "\"rank\" < 1.5"}, /* a quote stays in C */
        {"name = 'a\\b'", NULL},                               /* a backslash stays in C */
        {"name < 'b'", NULL},     /* text order depends on the collation */
        {"name LIKE 'a%'", NULL}, /* LIKE's case depends on the driver */
        {"NOT name = 'a'", NULL},
        {"rank = '2'", NULL}, /* text against a number: stays in C */
        {"name = 2", NULL},
        {"OGR_GEOMETRY = 'POINT'", NULL},
        {"name <> 'a'", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char msg[512];
        struct bm__filter *f = bm__filter_parse(cases[i][0], msg, sizeof msg);
        assert_non_null(f);
        assert_int_equal(bm__filter_bind(f, names, types, 3, "t", "t", msg, sizeof msg), 0);
        char *sql = bm__filter_pushdown(f);
        if (cases[i][1] == NULL && sql)
            fail_msg("\"%s\" pushed down as \"%s\"", cases[i][0], sql);
        if (cases[i][1] && (!sql || strcmp(sql, cases[i][1]) != 0))
            fail_msg("\"%s\" pushed down as \"%s\", not \"%s\"", cases[i][0], sql ? sql : "(none)",
                     cases[i][1]);
        free(sql);
        bm__filter_free(f);
    }
}

/* The same filter keeps the same features from a shapefile (OGR SQL), a GeoPackage and
 * SQLite (native SQL), whatever of it is pushed down: LIKE is case-sensitive everywhere. */
static void same_result_on_every_driver(void **state)
{
    (void)state;
    static const char *const files[][2] = {
        {"same.shp", "ESRI Shapefile"}, {"same.gpkg", "GPKG"}, {"same.sqlite", "SQLite"}};
    static const char *const filters[][2] = {
        {"name LIKE 'F%'", "0"},  {"name ILIKE 'F%'", "3"},
        {"name = 'f1'", "1"},     {"name IN ('f0', 'f2') AND name <> 'f0'", "1"},
        {"NOT name = 'f1'", "2"}, {"name > 'f0'", "2"}};
    for (size_t i = 0; i < 3; i++) {
        const char *p = tmp_path(files[i][0]);
        assert_int_equal(write_layer(p, files[i][1], 4326, "same", TOWNS, 3), 0);
        for (size_t k = 0; k < sizeof filters / sizeof filters[0]; k++) {
            struct bm_layer *L = NULL;
            assert_int_equal(load_where(p, filters[k][0], &L), BM_OK);
            char n[8];
            snprintf(n, sizeof n, "%zu", bm_layer_feature_count(L));
            if (strcmp(n, filters[k][1]) != 0)
                fail_msg("%s: \"%s\" kept %s features, not %s", files[i][1], filters[k][0], n,
                         filters[k][1]);
            bm_layer_free(L);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(subquery_is_refused),         cmocka_unit_test(functions_are_refused),
        cmocka_unit_test(outside_the_grammar),         cmocka_unit_test(evaluation),
        cmocka_unit_test(like_is_not_exponential),     cmocka_unit_test(pushdown),
        cmocka_unit_test(same_result_on_every_driver),
    };
    int failed = cmocka_run_group_tests(tests, test_setup, test_teardown);
    bm_library_cleanup();
    return failed;
}
