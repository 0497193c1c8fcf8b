/* bordermap: reading map recipes (YAML, libfyaml). Being written. */
#include "bordermap/map.h"
#include "internal.h"
#include "map.h"
