/* bordermap tests: finding places in the shipped gazetteer in three scripts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "bordermap/bordermap.h"
#include "support.h"

static struct bm_gazetteer *gz;

static int setup(void **state)
{
    if (test_setup(state) != 0)
        return -1;
    if (bm_gazetteer_load(ctx, NULL, &gz) != BM_OK) {
        fprintf(stderr, "%s\n", bm_ctx_error(ctx));
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    bm_gazetteer_free(gz);
    return test_teardown(state);
}

static const struct bm_place *lookup(const char *name)
{
    const struct bm_place *p = NULL;
    if (bm_gazetteer_lookup(ctx, gz, name, &p) != BM_OK)
        fail_msg("lookup '%s': %s", name, bm_ctx_error(ctx));
    return p;
}

static void finds_in_three_scripts(void **state)
{
    (void)state;
    const struct bm_place *a = lookup("Ruili");
    assert_string_equal(a->name_zh, "瑞丽");
    assert_ptr_equal(lookup("瑞丽"), a);
    assert_ptr_equal(lookup("ရွှေလီ"), a);
    /* places.tsv: 24.013, 97.851 */
    assert_true(a->lat == 24.013 && a->lon == 97.851);
    assert_string_equal(a->country, "CHN");
    assert_int_equal(a->in_article, 1);

    const struct bm_place *n = lookup("နေပြည်တော်");
    assert_string_equal(n->name, "Naypyidaw");
    assert_string_equal(n->name_zh, "内比都");
    assert_true(n->lat == 19.745 && n->lon == 96.12972);
    assert_int_equal(n->rank, 1);
}

static void case_space_and_width_insensitive(void **state)
{
    (void)state;
    const struct bm_place *r = lookup("Ruili");
    assert_ptr_equal(lookup("ruili"), r);
    assert_ptr_equal(lookup("  RUILI "), r);
    assert_ptr_equal(lookup("Ｒｕｉｌｉ"), r); /* full-width Latin, NFKC */
    assert_ptr_equal(lookup("pyinoolwin"), lookup("Pyin Oo Lwin"));
    /* Accents on Latin letters are optional (GeoNames writes Kēng Tung)... */
    assert_string_equal(lookup("keng tung")->name, "Kēng Tung");
    /* ...but Burmese marks are letters: a prefix without its vowel signs is another name. */
    assert_string_equal(lookup("နေပြည်")->name, "Naypyidaw");
}

static void lashio_is_written_with_u620d(void **state)
{
    (void)state;
    const struct bm_place *l = lookup("Lashio");
    assert_string_equal(l->name_zh, "腊戍"); /* U+620D, not U+620C */
    assert_ptr_equal(lookup("腊戍"), l);
    struct bm_place_match m[4];
    size_t n;
    assert_int_equal(bm_gazetteer_find(ctx, gz, "腊戌", m, 4, &n), BM_ERR_PLACE_UNKNOWN);
}

static void exact_matches_come_before_prefix_matches(void **state)
{
    (void)state;
    struct bm_place_match m[64];
    size_t n;
    assert_int_equal(bm_gazetteer_find(ctx, gz, "Man", m, 64, &n), BM_OK);
    assert_true(n >= 2);
    int saw_mandalay = 0;
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(m[i].match, BM_MATCH_PREFIX);
        saw_mandalay |= strcmp(m[i].place->name, "Mandalay") == 0;
    }
    assert_true(saw_mandalay);

    assert_int_equal(bm_gazetteer_find(ctx, gz, "Muse", m, 64, &n), BM_OK);
    assert_int_equal(m[0].match, BM_MATCH_EXACT);
    assert_string_equal(m[0].place->name, "Muse");
    for (size_t i = 1; i < n; i++)
        assert_int_equal(m[i].match, BM_MATCH_PREFIX);
}

static void an_ambiguous_prefix_is_refused(void **state)
{
    (void)state;
    const struct bm_place *p;
    assert_int_equal(bm_gazetteer_lookup(ctx, gz, "Man", &p), BM_ERR_PLACE_UNKNOWN);
    assert_null(p);
    const char *msg = bm_ctx_error(ctx);
    assert_non_null(strstr(msg, "'Man' could be several places ("));
    assert_non_null(strstr(msg, "); give the full name"));
}

static void unknown_names_get_the_closest(void **state)
{
    (void)state;
    struct bm_place_match m[4];
    size_t n;
    assert_int_equal(bm_gazetteer_find(ctx, gz, "Rulli", m, 4, &n), BM_ERR_PLACE_UNKNOWN);
    assert_int_equal(n, 0);
    const char *msg = bm_ctx_error(ctx);
    const char *want = "no place named 'Rulli' in the gazetteer; closest: Ruili, ";
    if (strncmp(msg, want, strlen(want)) != 0)
        fail_msg("message: %s", msg);
    assert_non_null(strstr(msg, "; 'bordermap places' lists all"));

    assert_int_equal(bm_gazetteer_find(ctx, gz, "   ", m, 4, &n), BM_ERR_ARG);
    assert_string_equal(bm_ctx_error(ctx), "empty place name; give a name such as Ruili or 瑞丽");
    assert_int_equal(bm_gazetteer_find(ctx, gz, "\xff\xfe", m, 4, &n), BM_ERR_ARG);
    assert_string_equal(bm_ctx_error(ctx), "the place name is not valid UTF-8 text");
}

static void priority_order(void **state)
{
    (void)state;
    size_t n = bm_gazetteer_count(gz);
    assert_true(n > 40);
    for (size_t i = 1; i < n; i++)
        assert_true(bm_gazetteer_place(gz, i - 1)->rank <= bm_gazetteer_place(gz, i)->rank);
    /* Every place of the reference that the article names is at the top rank. */
    static const char *const article[] = {"Ruili", "Naypyidaw", "Kyaukphyu"};
    for (size_t i = 0; i < 3; i++) {
        const struct bm_place *p = lookup(article[i]);
        assert_int_equal(p->in_article, 1);
        assert_int_equal(p->rank, 1);
    }
}

static void a_gazetteer_needs_its_fields(void **state)
{
    (void)state;
    static const char *const pts[] = {"POINT (97.851 24.013)"};
    const char *p = tmp_path("bare.shp");
    assert_int_equal(write_layer(p, "ESRI Shapefile", 4326, "bare", pts, 1), 0);
    struct bm_gazetteer *g;
    assert_int_equal(bm_gazetteer_load(ctx, p, &g), BM_ERR_FIELD);
    char want[1024];
    snprintf(want, sizeof want, "no field 'name_zh' in layer 'bare' of '%s'; its fields are: name",
             p);
    assert_string_equal(bm_ctx_error(ctx), want);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(finds_in_three_scripts),
        cmocka_unit_test(case_space_and_width_insensitive),
        cmocka_unit_test(lashio_is_written_with_u620d),
        cmocka_unit_test(exact_matches_come_before_prefix_matches),
        cmocka_unit_test(an_ambiguous_prefix_is_refused),
        cmocka_unit_test(unknown_names_get_the_closest),
        cmocka_unit_test(priority_order),
        cmocka_unit_test(a_gazetteer_needs_its_fields),
    };
    int failed = cmocka_run_group_tests(tests, setup, teardown);
    bm_library_cleanup();
    return failed;
}
