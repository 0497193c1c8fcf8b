/*
 * bordermap: text from data made safe to show and to name files with.
 *
 * A place name, a field or a recipe may hold terminal control sequences
 * (ESC ]0;... BEL sets a window title, OSC 52 writes the clipboard, ESC [2J
 * clears the screen). bordermap shows such characters escaped wherever it
 * prints data: in every message, in tables, and in CSV on a terminal.
 */
#ifndef BORDERMAP_ESCAPE_H
#define BORDERMAP_ESCAPE_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Does s hold a control character (C0 U+0000-U+001F, DEL U+007F, C1
 * U+0080-U+009F) or a byte that is not UTF-8? NULL: false.
 */
bool bm_has_control(const char *s);

/**
 * s with every control character shown escaped: C0 and DEL as \xHH (ESC is
 * "\x1b"), C1 as \u00HH (CSI is "\u009b"), and each byte that is not UTF-8
 * as \xHH; everything else, backslashes included, as it is. Returns a new
 * string (the caller frees it with free()), NULL for NULL or when out of
 * memory.
 */
char *bm_escape(const char *s);

/**
 * A file name made from data (e.g. a feature's name), without its extension:
 * control characters, '/' and '\\' become '-', a leading '.' or '-' gets a
 * '_' before it (no hidden file, nothing a command takes for an option), and
 * it is cut to at most max bytes (>= 8) at a character boundary. Returns a new
 * string (free()), or NULL when nothing usable is left (empty, or only spaces)
 * or out of memory: the caller then names the file itself.
 */
char *bm_file_name_from(const char *s, size_t max);

#ifdef __cplusplus
}
#endif
#endif
