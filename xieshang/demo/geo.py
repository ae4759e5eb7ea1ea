"""Write the demo county's township polygons (assets/geo/townships.geojson).

    python -m xieshang.demo.geo --db sqlite:///…/warehouse.sqlite   # townships of a loaded roster
    python -m xieshang.demo.geo                                     # the default demo county

The polygons are the dashboard's Voronoi layout (`xieshang.dashboard.geometry.demo_shapes`)
written once, so that the file can be swapped for real boundaries (assets/geo/README.md).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path

from xieshang.contract import settings
from xieshang.dashboard.geometry import DEFAULT_FILE, Ring, demo_shapes
from xieshang.dashboard.paths import assets_dir
from xieshang.demo.world import build_world


def to_geojson(shapes: dict[str, list[Ring]], names: dict[str, str] | None = None) -> dict:
    features = []
    for code in sorted(shapes):
        rings = shapes[code]
        coords = [[[[round(x, 5), round(y, 5)] for x, y in [*ring, ring[0]]]] for ring in rings]
        geometry = (
            {"type": "Polygon", "coordinates": coords[0]}
            if len(coords) == 1
            else {"type": "MultiPolygon", "coordinates": coords}
        )
        props = {"area_code": code, "generated": True}
        if names and code in names:
            props["area_name"] = names[code]
        features.append({"type": "Feature", "properties": props, "geometry": geometry})
    return {"type": "FeatureCollection", "features": features}


def default_demo_townships() -> dict[str, str]:
    """{code: name} of the default demo county's townships (`xieshang generate`'s
    defaults); the names depend only on the seed."""
    today = settings.today()
    world = build_world(13, 15, 1, (today.year, today.month), 1, today, False)
    return {office.area.code: office.area.name for office in world.offices[1:]}


def _roster_townships(url: str) -> dict[str, str]:
    from xieshang import metrics
    from xieshang.warehouse.engine import make_engine

    engine = make_engine(url)
    root = metrics.root_area(engine)
    townships = dict(metrics.children(engine, root)) if root else {}
    engine.dispose()
    return townships


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="write demo township polygons (GeoJSON)")
    parser.add_argument("--db", help="take the townships from this warehouse's roster")
    parser.add_argument(
        "--out", type=Path, help="output file (default assets/geo/townships.geojson)"
    )
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    townships = _roster_townships(args.db) if args.db else default_demo_townships()
    if not townships:
        parser.error("no townships found")
    out = args.out or assets_dir() / DEFAULT_FILE
    out.parent.mkdir(parents=True, exist_ok=True)
    data = to_geojson(demo_shapes(townships, seed=args.seed), townships)
    out.write_text(
        json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8"
    )
    print(f"wrote {len(data['features'])} township polygons to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
