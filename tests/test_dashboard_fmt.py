"""Numbers, dates, texts and the change arrows of the KPI cards."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from xieshang.dashboard import components, fmt
from xieshang.dashboard.charts import theme
from xieshang.dashboard.i18n import TEXT, count_text, figure_name, t


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.8125, "81.3%"),
        (0.81249, "81.2%"),
        (1.0, "100.0%"),
        (0.0, "0.0%"),
        (1.234, "123.4%"),
        (None, "—"),
    ],
)
def test_percent(value, text):
    assert fmt.percent(value) == text


def test_counts_dates_months():
    assert fmt.count(1234567) == "1,234,567"
    assert fmt.count(0) == "0"
    assert fmt.count(None) == "—"
    assert fmt.number(48.0) == "48.0"
    assert fmt.number(1234.56) == "1,234.6"
    assert fmt.day(date(2025, 3, 8)) == "2025-03-08"
    assert fmt.day(None) == "—"
    assert fmt.month("2025-03") == "2025年3月"
    assert fmt.month(date(2025, 12, 1)) == "2025年12月"
    assert fmt.month("2025-03", "en") == "Mar 2025"
    assert fmt.shown_number(0.8125, 100) == Decimal("81.3")  # halves up as written


def test_figure_values_by_kind():
    assert fmt.figure_value("implementation_rate", 0.8125) == "81.3%"
    assert fmt.figure_value("meetings", 7828) == "7,828"
    assert fmt.figure_value("median_days_to_implement", 48.0) == "48.0"
    assert fmt.figure_value("satisfaction", None) == "—"


@pytest.mark.parametrize(
    ("key", "value", "previous", "expected"),
    [
        ("implementation_rate", 0.813, 0.771, ("▲", "4.2", "good")),
        ("implementation_rate", 0.771, 0.813, ("▼", "4.2", "bad")),
        ("overdue_open", 12, 7, ("▲", "5", "bad")),  # more overdue is bad
        ("overdue_open", 7, 12, ("▼", "5", "good")),
        ("median_days_to_implement", 40.0, 45.5, ("▼", "5.5", "good")),  # faster is better
        ("meetings", 5, 5, ("", "0", "flat")),
        ("implementation_rate", 0.50001, 0.5, ("", "0.0", "flat")),
        ("implementation_rate", 0.5, None, (None, "", "flat")),
        # the difference as shown: 0.5% against 0.7%, 86.3 against 86.0
        ("escalation_rate", 0.0046, 0.0074, ("▼", "0.2", "good")),  # fewer is better
        ("satisfaction", 86.266, 86.023, ("▲", "0.3", "good")),
        ("satisfaction", 86.04, 85.96, ("", "0.0", "flat")),  # 86.0 and 86.0
    ],
)
def test_change(key, value, previous, expected):
    assert components.change(key, value, previous) == expected


def test_texts_exist_in_both_languages():
    for key, (zh, en) in TEXT.items():
        assert zh and en, key
    assert t("freshness", "zh", day="2025-06-30") == "数据更新至 2025-06-30"
    assert t("freshness", "en", day="2025-06-30") == "Data updated to 2025-06-30"
    assert t("no-such-key") == "no-such-key"
    assert figure_name("implementation_rate") == "决议落实率"
    assert figure_name("implementation_rate", "en") == "Implementation rate"


def test_count_text():
    counts = {"implemented": 226, "resolutions_due": 1278}
    assert count_text("implementation_rate", counts) == "226 / 1,278 项到期决议"
    assert count_text("implementation_rate", counts, "en") == "226 / 1,278 resolutions due"
    assert count_text("overdue_open", {}, as_of="2025-06-30") == "截至 2025-06-30"
    assert count_text("implementation_rate", {}) == ""  # counts missing: no line


def test_graph_config_keeps_only_the_png_download():
    config = theme.graph_config("zh")
    assert config["modeBarButtons"] == [["toImage"]]
    assert "sendChartToCloud" in config["modeBarButtonsToRemove"]
    assert config["displaylogo"] is False and config["locale"] == "zh-CN"
    assert theme.graph_config("en")["locale"] == "en"


def test_sequential_scale_is_one_hue_light_to_dark():
    assert theme.sequential_color(0) == theme.SEQUENTIAL[0]
    assert theme.sequential_color(1) == theme.SEQUENTIAL[-1]
    assert theme.sequential_color(2) == theme.SEQUENTIAL[-1]
    assert theme.sequential_color(None) == theme.NO_DATA_FILL


def test_csv_is_excel_friendly_and_formula_safe():
    table = components.table_data(
        [("area_name", "单位", "text"), ("value", "决议落实率", "percent")],
        [{"area_name": "=HYPERLINK()", "value": 0.8125}, {"area_name": "新华社区", "value": None}],
        "ranking",
    )
    assert (
        components.csv_text(table)
        == "\ufeff单位,决议落实率\r\n'=HYPERLINK(),0.8125\r\n新华社区,\r\n"
    )
    # the exports' rule: text read as a number stays as it is (a unit named -5, a
    # rejected satisfaction of -5), and a tab or carriage return first is guarded too
    table = components.table_data(
        [("area_name", "单位", "text"), ("value", "值", "text")],
        [{"area_name": "-5", "value": "\t=1+2"}, {"area_name": "\r@SUM(A1)", "value": "-"}],
        "ranking",
    )
    assert components.csv_text(table) == ("\ufeff单位,值\r\n-5,'\t=1+2\r\n\"'\r@SUM(A1)\",'-\r\n")
