"""How to fix a rejected row (xieshang.contract.hints): one sentence per reason code in
Chinese and English, with the contract's own values."""

from __future__ import annotations

import pytest

from xieshang.contract.hints import fix_hint
from xieshang.contract.reasons import REASONS

NAMES = {
    "330281000000": "清河县",
    "330281101000": "西城街道",
    "330281101201": "西城社区",
    "330281102000": "东湖镇",
}


@pytest.mark.parametrize("rule", sorted(REASONS))
def test_every_reason_has_a_hint_in_chinese_and_english(rule):
    zh = fix_hint(rule, "area_code", "x", area_code="330281101201", names=NAMES)
    en = fix_hint(rule, "area_code", "x", area_code="330281101201", names=NAMES, lang="en")
    assert zh and en and zh != en
    assert any("\u4e00" <= ch <= "\u9fff" for ch in zh)
    assert not any(mark in en for mark in "，；：。（）")  # English, quoting Chinese words only


def test_a_code_without_a_hint_has_none():
    assert fix_hint("no_such_rule", None, None) == ""


def test_a_vocabulary_lists_its_labels_and_codes():
    assert fix_hint("bad_vocab", "form", "茶话会") == (
        "可填：议事会、听证会、恳谈会、座谈会、协调会、评议会、党日活动、协商式民意调查、"
        "愿景工作坊、参与式预算、联席会议、其他"
    )
    assert fix_hint("bad_vocab", "status", "搁置", lang="en") == (
        "allowed: 未启动 (not_started), 推进中 (in_progress), 已落实 (implemented),"
        " 已撤销 (cancelled)"
    )
    assert fix_hint("bad_vocab", "unit_type", "集镇") == "可填：县、区、市、镇、乡、街道、村、社区"
    assert fix_hint("bad_vocab", None, "x") == "请从模板的下拉列表中选择"


def test_dates_booleans_and_numbers_name_the_accepted_forms_and_bounds():
    assert fix_hint("bad_date", "due_date", "2025-13-01") == (
        "日期填成 2025-03-08、2025/3/8、2025.3.8、2025年3月8日 或 20250308，或用日期格式的单元格"
    )
    assert fix_hint("before_2000", "meeting_date", "1999-12-31", lang="en") == (
        "the date may not be before 2000-01-01: check the year"
    )
    assert fix_hint("bad_bool", "led_by_party", "也许") == (
        "可填：是、否（也可填 Y/N、yes/no、1/0、√/×、TRUE/FALSE）"
    )
    assert fix_hint("bad_int", "party_members", "-3") == (
        "填写 0 到 100000000 之间的整数，不带小数、单位或文字"
    )
    assert fix_hint("count_too_large", "population", "1000000000", lang="en") == (
        "a count is at most 100,000,000: check for extra digits"
    )
    assert fix_hint("bad_number", "satisfaction", "101") == (
        "填写 0 到 100 之间的数，如 92 或 87.5，不带 % 或文字"
    )
    assert fix_hint("too_long", "topic", "…") == "此列最多 1000 个字，请删减"
    assert fix_hint("too_long", "content", "…", lang="en") == (
        "this column takes at most 4,000 characters: shorten it"
    )


def test_a_bad_code_says_how_many_digits_it_has():
    assert fix_hint("bad_code", "area_code", "3302811002") == (
        "现为 10 位；区划代码填 6、9 或 12 位数字，如 330281100201，"
        "单元格设为文本格式，以免丢掉开头的 0 或变成科学计数"
    )
    assert fix_hint("bad_code", "area_code", "abc", lang="en") == (
        "write 6, 9 or 12 digits, such as 330281100201, in a cell formatted as text"
        " (so that leading zeros and long numbers survive)"
    )


def test_the_roster_hints_name_the_parent():
    assert fix_hint(
        "parent_mismatch", "parent_code", "330281102000", area_code="330281101201", names=NAMES
    ) == ("名册中该单位的上级为 330281101000 西城街道，请改填此代码或留空")
    assert fix_hint(
        "parent_mismatch", "parent_code", "330281000000", area_code="330281101201", lang="en"
    ) == ("the roster's parent of this unit is 330281101000: write that code or leave it empty")
    assert fix_hint("parent_unknown", "area_code", "330281300201", area_code="330281300201") == (
        "请核对区划代码，或先报送上级单位 330281300000 的区划名册行"
    )
    assert fix_hint("unknown_area", "area_code", "330281109201", lang="en") == (
        "check the area code; for a new unit, send the roster (区划名册) with it first"
    )


def test_escalation_lists_the_areas_above_that_the_roster_has():
    assert fix_hint(
        "bad_escalation", "escalated_to", "330281102000", area_code="330281101201", names=NAMES
    ) == ("上报至可填：330281101000 西城街道、330281000000 清河县，或留空")
    assert fix_hint("bad_escalation", "escalated_to", "1", area_code="330281101201", lang="en") == (
        "escalated_to may be 330281101000, 330281000000, 330200000000, or empty"
    )


def test_a_held_row_and_a_row_of_another_township():
    assert fix_hint("unknown_meeting", "meeting_id", "HY-9") == (
        "请先报送该会议的会议台账；本行已暂存，会议报送后自动关联，无需重报"
    )
    assert fix_hint(
        "outside_township", "area_code", "330281102000", area_code="330281102201", names=NAMES
    ) == ("只能报送本乡镇及所辖村（社区）的行；此行属于 330281102000 东湖镇，请删除，由该乡镇报送")
    assert fix_hint(
        "outside_township", "area_code", "330281000000", area_code="330281000000", lang="en"
    ) == ("send only rows of your township and its villages: delete this row")
    # a code whose township the roster does not have: mistyped, most likely
    assert fix_hint(
        "outside_township", "area_code", "330281109000", area_code="330281109000", names=NAMES
    ) == (
        "只能报送本乡镇及所辖村（社区）的行；区划名册中没有乡镇 330281109000：请核对区划代码，"
        "填错的改正，确属其他乡镇的行请删除"
    )


def test_a_missing_column_names_the_headers_its_kind_takes():
    assert fix_hint("missing_column", "area_code", None, kind="meetings") == (
        "在表头加上这一列，列名写作 区划代码、单位代码、主办单位代码、area_code 之一（与模板一致）；"
        "运行报告列出的未识别列名，请改成模板的列名"
    )
    assert fix_hint("missing_column", "person_id", None, kind="attendance", lang="en") == (
        "add this column to the header row, named one of 人员标识 / 身份证号 / 证件号码 /"
        " person_id (as in the template); rename any header the run report lists as unknown"
        " to the template's"
    )
