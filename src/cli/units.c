/* bordermap program: lengths in the chosen units, and places given by name or lat,lon. */
#include "cli.h"

#include <stdio.h>
#include <string.h>

void format_length(char *buf, size_t size, double metres, const struct cli_units *u, int decimals)
{
    bm_format_number(buf, size, metres / u->metres, decimals);
}

int cli_place(struct bm_ctx *ctx, struct bm_gazetteer **gz, const char *text, struct cli_point *out)
{
    /* A position first: "24.0,97.8" is never a place name. */
    const char *c = strchr(text, ',');
    if (c && strspn(text, "0123456789+-., ") == strlen(text)) {
        if (bm_parse_latlon(ctx, text, &out->lat, &out->lon) != BM_OK)
            return cli_fail(ctx);
        snprintf(out->label, sizeof out->label, "%.5f,%.5f", out->lat, out->lon);
        return EXIT_OK;
    }
    if (!*gz && bm_gazetteer_load(ctx, NULL, gz) != BM_OK)
        return cli_fail(ctx);
    const struct bm_place *p;
    if (bm_gazetteer_lookup(ctx, *gz, text, &p) != BM_OK)
        return cli_fail(ctx);
    out->lat = p->lat;
    out->lon = p->lon;
    snprintf(out->label, sizeof out->label, "%s", p->name);
    return EXIT_OK;
}
