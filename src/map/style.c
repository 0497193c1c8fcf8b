/*
 * bordermap: what a style means where a recipe is silent, and how styles
 * stack. The one place for style defaults: the recipe reader starts from
 * them, drawing and the legend resolve through them, and `help recipe`
 * shows them.
 */
#include "core/internal.h"
#include "map/map.h"

#include <string.h>
#include <strings.h>

static const struct bm_color GREY = {0.2, 0.2, 0.2, 1}, WHITE = {1, 1, 1, 1};

struct bm_style bm__style_defaults(enum bm_geom_type type)
{
    struct bm_style s = {0};
    s.opacity = 1;
    s.width = 0.5;
    s.stroke = GREY;
    if (type == BM_GEOM_POLYGON)
        s.stroke.a = 0; /* areas are filled, not outlined, unless asked */
    s.marker = type == BM_GEOM_POINT ? BM_MARKER_CIRCLE : BM_MARKER_NONE;
    s.marker_size = 4;
    s.marker_fill = GREY;
    return s;
}

void bm__style_blank(struct bm_style *s)
{
    *s = bm__style_defaults(BM_GEOM_NONE);
    /* A casing given by its colour alone is 3 pt wide; by its width alone, white. */
    s->casing = WHITE;
    s->casing_width = 3;
}

void bm__style_merge(struct bm_style *d, const struct bm_style *s)
{
    if (s->set & BM_SET_FILL)
        d->fill = s->fill;
    if (s->set & BM_SET_STROKE)
        d->stroke = s->stroke;
    if (s->set & BM_SET_WIDTH)
        d->width = s->width;
    if (s->set & BM_SET_DASH) {
        memcpy(d->dash, s->dash, sizeof d->dash);
        d->ndash = s->ndash;
    }
    if (s->set & BM_SET_CASING) {
        d->casing = s->casing;
        d->casing_width = s->casing_width;
    }
    if (s->set & BM_SET_OPACITY)
        d->opacity = s->opacity;
    if (s->set & BM_SET_MARKER)
        d->marker = s->marker;
    if (s->set & BM_SET_MARKER_SIZE)
        d->marker_size = s->marker_size;
    if (s->set & BM_SET_MARKER_FILL)
        d->marker_fill = s->marker_fill;
    d->set |= s->set;
}

static int rule_matches(const struct bm_rule *rule, const struct bm_layer *L, size_t feat)
{
    int k = bm_layer_field_index(L, rule->field);
    const char *v = k >= 0 ? bm_layer_attr(L, feat, (size_t)k) : NULL;
    for (size_t i = 0; v && i < rule->nvalues; i++)
        if (strcasecmp(v, rule->values[i]) == 0)
            return 1;
    return 0;
}

void bm__feature_style(const struct bm_map_layer *ml, const struct bm_layer *L, size_t feat,
                       struct bm_style *out, const char **legend)
{
    *out = bm__style_defaults(bm_layer_feature(L, feat)->type);
    bm__style_merge(out, &ml->style);
    *legend = ml->legend;
    for (size_t i = 0; i < ml->nrules; i++)
        if (rule_matches(&ml->rules[i], L, feat)) {
            bm__style_merge(out, &ml->rules[i].style);
            if (ml->rules[i].legend)
                *legend = ml->rules[i].legend;
        }
}

struct bm_style bm__annotation_defaults(enum bm_annotation_kind kind)
{
    struct bm_style s = {0};
    s.opacity = 1;
    s.width = 0.5;
    switch (kind) {
    case BM_ANN_CALLOUT:
        /* A pale box with a dark outline and leader. */
        s.fill = (struct bm_color){1, 1, 0.96, 0.95};
        s.stroke = (struct bm_color){0.15, 0.15, 0.15, 1};
        s.width = 0.7;
        break;
    case BM_ANN_DISTANCE:
        /* A dark dashed line on a white halo. */
        s.stroke = (struct bm_color){0.1, 0.1, 0.1, 1};
        s.width = 1.2;
        s.dash[0] = 4;
        s.dash[1] = 2.5;
        s.ndash = 2;
        break;
    case BM_ANN_BUFFER:
        /* A faint red band, not outlined. */
        s.fill = (struct bm_color){0.7, 0.1, 0.17, 1};
        s.opacity = 0.18;
        break;
    }
    return s;
}

struct bm_style bm__annotation_style(const struct bm_annotation *a)
{
    struct bm_style s = bm__annotation_defaults(a->kind);
    bm__style_merge(&s, &a->style);
    return s;
}

int bm__label_defaults(struct bm_label *l)
{
    memset(l, 0, sizeof *l);
    l->font = bm__strdup("Noto Sans");
    l->size = 8;
    l->color = (struct bm_color){0x22 / 255.0, 0x22 / 255.0, 0x22 / 255.0, 1};
    l->halo = WHITE;
    l->halo_width = 1.5;
    l->priority = 5;
    l->placement = BM_PLACE_AUTO; /* by each feature's geometry */
    return l->font ? 0 : -1;
}
