/* bordermap fuzzing: the input as a file, for the parts of bordermap that read files. */
#ifndef BM_FUZZ_FILE_H
#define BM_FUZZ_FILE_H

#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

/*
 * Write data to this process's own file with extension ext (the same path
 * each run, so nothing piles up). Returns the path, or NULL.
 */
static inline const char *fuzz_file(const uint8_t *data, size_t size, const char *ext)
{
    static char path[64];
    if (!path[0])
        snprintf(path, sizeof path, "/tmp/bm-fuzz-%ld.%s", (long)getpid(), ext);
    FILE *f = fopen(path, "wb");
    if (!f)
        return NULL;
    fwrite(data, 1, size, f);
    return fclose(f) == 0 ? path : NULL;
}

#endif
