/*
 * bordermap: report documents: several maps and the numbers behind them in
 * one PDF.
 */
#ifndef BORDERMAP_REPORT_H
#define BORDERMAP_REPORT_H

#include <stddef.h>

#include "bordermap/context.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Write a multi-page PDF report to path: a title page with the contents;
 * one page per recipe (paths of styles/NAME.yaml files, n >= 1); tables of
 * the border's stretches, the pipelines and railway segments against their
 * published lengths, and the distances between the places the 16 November
 * 2023 report names; a page of sources and licences; page numbers. Text
 * stays text. Written to a temporary file and renamed. The format is the
 * one path's extension names (bordermap/format.h), which must hold pages;
 * a name without a known extension gets PDF. Fails with BM_ERR_ARG for a
 * format of one page ("report.png"), and as bm_map_load(), bm_layer_load()
 * and bm_map_render() do.
 */
enum bm_status bm_report_write(struct bm_ctx *ctx, const char *const *recipes, size_t n,
                               const char *path);

#ifdef __cplusplus
}
#endif
#endif
