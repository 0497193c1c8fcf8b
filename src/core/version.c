/* bordermap: versions. */
#include "bordermap/version.h"

#include <cairo.h>
#include <gdal.h>
#include <pango/pangocairo.h>
#include <proj.h>
#include <pthread.h>
#include <stdio.h>

const char *bm_version(void)
{
    return BM_VERSION_STRING;
}

static char versions[128];

static void make_versions(void)
{
    PJ_INFO pi = proj_info();
    snprintf(versions, sizeof versions, "GDAL %s, PROJ %s", GDALVersionInfo("RELEASE_NAME"),
             pi.version);
}

const char *bm_library_versions(void)
{
    /* Written once, whichever thread asks first. */
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, make_versions);
    return versions;
}

void bm_library_cleanup(void)
{
    /*
     * cairo_debug_reset_static_data() and FcFini() are left out on purpose: they
     * assert that no font is alive, and Pango loads fonts on a thread of its own,
     * so about one run in 40 aborted at exit. What they would free stays
     * reachable, which leak checkers do not count as lost.
     */
    pango_cairo_font_map_set_default(NULL);
    GDALDestroyDriverManager();
    proj_cleanup();
}
