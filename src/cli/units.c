/* bordermap program: units, number formatting, and places given by name or lat,lon. */
#include "cli.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

int cli_parse_units(const char *s, struct cli_units *out)
{
    static const struct cli_units units[] = {
        {"km", "kilometres", 1000.0}, {"mi", "miles", 1609.344}, {"nmi", "nautical miles", 1852.0}};
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (strcmp(s, units[i].name) == 0) {
            *out = units[i];
            return 0;
        }
    return -1;
}

void format_length(char *buf, size_t size, double metres, const struct cli_units *u, int decimals)
{
    double v = metres / u->metres;
    double scale = pow(10, decimals);
    double r = round(fabs(v) * scale);
    unsigned long long whole = (unsigned long long)(r / scale);
    unsigned long long frac = (unsigned long long)(r - (double)whole * scale);
    char grouped[48];
    group_digits(grouped, sizeof grouped, whole);
    if (decimals > 0)
        snprintf(buf, size, "%s%s.%0*llu", v < 0 ? "-" : "", grouped, decimals, frac);
    else
        snprintf(buf, size, "%s%s", v < 0 ? "-" : "", grouped);
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
