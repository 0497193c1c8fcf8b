/*
 * bordermap: maps and measurements of the China-Myanmar border region.
 * The umbrella header: include this one.
 */
#ifndef BORDERMAP_H
#define BORDERMAP_H

#include "bordermap/version.h"
#include "bordermap/context.h"
#include "bordermap/redact.h"
#include "bordermap/layer.h"
#include "bordermap/raster.h"
#include "bordermap/gazetteer.h"
#include "bordermap/measure.h"
#include "bordermap/format.h"
#include "bordermap/map.h"
#include "bordermap/report.h"
#include "bordermap/escape.h"
#include "bordermap/scene.h"

#endif
