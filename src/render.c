/* bordermap: drawing maps with cairo and Pango. Being written. */
#include "bordermap/map.h"
#include "internal.h"
#include "map.h"
