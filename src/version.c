/* bordermap: versions. */
#include "bordermap/version.h"

#include <gdal.h>
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
