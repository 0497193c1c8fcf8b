/* bordermap: versions. */
#include "bordermap/version.h"

#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include <gdal.h>
#include <pango/pangocairo.h>
#include <proj.h>
#include <stdio.h>

const char *bm_version(void)
{
    return BM_VERSION_STRING;
}

const char *bm_library_versions(void)
{
    static char text[128];
    if (!text[0]) {
        PJ_INFO pi = proj_info();
        snprintf(text, sizeof text, "GDAL %s, PROJ %s", GDALVersionInfo("RELEASE_NAME"),
                 pi.version);
    }
    return text;
}

void bm_library_cleanup(void)
{
    /* The order matters: Pango holds cairo fonts, which hold fontconfig patterns. */
    pango_cairo_font_map_set_default(NULL);
    cairo_debug_reset_static_data();
    FcFini();
    GDALDestroyDriverManager();
    proj_cleanup();
}
