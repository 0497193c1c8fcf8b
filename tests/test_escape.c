/* bordermap tests: control characters shown escaped, file names made from data (issue 13). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "bordermap/bordermap.h"
#include "bordermap/escape.h"

static void escaped(const char *in, const char *want)
{
    char *got = bm_escape(in);
    assert_non_null(got);
    if (strcmp(got, want) != 0)
        fail_msg("bm_escape: got '%s', want '%s'", got, want);
    assert_int_equal(bm_has_control(in), strcmp(in, want) != 0 && !strchr(in, '\\'));
    free(got);
}

static void control_characters(void **state)
{
    (void)state;
    /* The review's sequences: window title, clear screen, clipboard (OSC 52). */
    escaped("\x1b]0;pwned\x07Ruili", "\\x1b]0;pwned\\x07Ruili");
    escaped("Muse\x1b[2J", "Muse\\x1b[2J");
    escaped("\x1b]52;c;cm0gLXJmIH4=\x07", "\\x1b]52;c;cm0gLXJmIH4=\\x07");
    escaped("tab\there\nnew\rline", "tab\\x09here\\x0anew\\x0dline");
    escaped("del\x7f", "del\\x7f");
    /* C1 controls as UTF-8 (CSI is U+009B) and as a lone byte, which is not UTF-8. */
    escaped("a\xc2\x9b"
            "31mred",
            "a\\u009b31mred");
    escaped("a\x9b"
            "31m",
            "a\\x9b31m");
    /* Cut, overlong and surrogate sequences are bytes, not characters. */
    escaped("\xe7\x91", "\\xe7\\x91");
    escaped("\xc0\x80", "\\xc0\\x80");
    escaped("\xed\xa0\x80", "\\xed\\xa0\\x80");
    /* Text in any script stays as it is, and so does a backslash. */
    escaped("Ruili 瑞丽 ရွှေလီ", "Ruili 瑞丽 ရွှေလီ");
    escaped("C:\\maps", "C:\\maps");
    escaped("", "");
    assert_null(bm_escape(NULL));
    assert_false(bm_has_control(NULL));
}

static void named(const char *in, size_t max, const char *want)
{
    char *got = bm_file_name_from(in, max);
    if (!want) {
        if (got)
            fail_msg("bm_file_name_from('%s') gave '%s', want none", in ? in : "(null)", got);
        return;
    }
    assert_non_null(got);
    if (strcmp(got, want) != 0)
        fail_msg("bm_file_name_from('%s'): got '%s', want '%s'", in, got, want);
    free(got);
}

static void file_names(void **state)
{
    (void)state;
    named("Ruili", 200, "Ruili");
    named("Ruili–Muse crossing", 200, "Ruili–Muse crossing");
    named("../../etc/cron.d/x", 200, "_..-..-etc-cron.d-x");
    named("-rf", 200, "_-rf");
    named(".hidden", 200, "_.hidden");
    named("a\\b/c", 200, "a-b-c");
    named("x\x1b]0;t\x07y", 200, "x-]0;t-y");
    named("  padded  ", 200, "padded");
    named("", 200, NULL);
    named("   ", 200, NULL);
    named(NULL, 200, NULL);
    /* Cut at a character boundary: 瑞 is three bytes. */
    named("瑞丽瑞丽", 8, "瑞丽");
    named("abcdefghij", 8, "abcdefgh");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(control_characters),
        cmocka_unit_test(file_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
