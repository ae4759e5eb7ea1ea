"""docs/metrics.md agrees with the figures' records (in the manner of datasette's
tests/test_docs.py): its figure table lists every figure of xieshang.metrics, in order,
with the record's labels, definitions, direction and format, and nothing else.

When a record changes, paste the row the failure prints into the table.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from tests.helpers.builder_county import COUNTY, Q1, build_county
from xieshang import metrics
from xieshang.cli.main import _parser as cli_parser
from xieshang.metrics.definitions import FIGURES, RECORDS, Figure

DOC = Path(__file__).resolve().parent.parent / "docs" / "metrics.md"
HEADER = "| 指标 figure | key | English | 算法 (中文) | Definition (English) | 方向 direction | 格式 format |"
DIRECTION = {True: "越高越好 higher is better", False: "越低越好 lower is better"}


def table_row(figure: Figure) -> str:
    """The row of docs/metrics.md's figure table for a record."""
    cells = [
        figure.label_zh,
        f"`{figure.key}`",
        figure.label_en,
        figure.definition_zh,
        figure.definition_en,
        DIRECTION[figure.higher_is_better],
        figure.kind,
    ]
    return "| " + " | ".join(cells) + " |"


def _documented() -> dict[str, str]:
    """key -> row line of the figure table (the table under HEADER)."""
    lines = DOC.read_text(encoding="utf-8").splitlines()
    assert HEADER in lines, f"docs/metrics.md has no figure table headed {HEADER}"
    rows: dict[str, str] = {}
    for line in lines[lines.index(HEADER) + 2 :]:
        if not line.startswith("|"):
            break
        key = line.strip("|").split("|")[1].strip().strip("`")
        assert key not in rows, f"{key} is listed twice"
        rows[key] = line.strip()
    return rows


DOCUMENTED = _documented()


@pytest.mark.parametrize("key", FIGURES)
def test_figure_is_documented_as_recorded(key):
    assert key in DOCUMENTED, (
        f"docs/metrics.md does not list {key}; add:\n{table_row(RECORDS[key])}"
    )
    assert DOCUMENTED[key] == table_row(RECORDS[key]), (
        f"docs/metrics.md's row for {key} disagrees with its record; it should read:\n"
        f"{table_row(RECORDS[key])}"
    )


def test_no_figure_is_documented_that_has_no_record():
    assert [k for k in DOCUMENTED if k not in RECORDS] == []


def test_the_table_is_in_the_order_of_the_figures():
    assert list(DOCUMENTED) == list(FIGURES)


def test_records_feed_the_tooltips_and_the_keys():
    assert tuple(RECORDS) == metrics.FIGURES
    for key, figure in RECORDS.items():
        assert metrics.FIGURE_INFO[key] == {
            "zh": figure.label_zh,
            "en": figure.label_en,
            "kind": figure.kind,
            "higher_is_better": figure.higher_is_better,
            "definition_zh": figure.definition_zh,
            "definition_en": figure.definition_en,
            "union": figure.union,
        }
    assert {k for k, f in RECORDS.items() if f.union} == {"stakeholder_breadth"}
    assert {k for k, f in RECORDS.items() if f.kind == "rate"} == metrics.RATE_FIGURES


@pytest.fixture
def county(engine):
    build_county().write(engine)
    return engine


def test_numerators_and_denominators_are_counts_of_the_result(county):
    for key, figure in RECORDS.items():
        counts = metrics.figures(county, COUNTY, *Q1, keys=[key])["counts"]
        assert set(counts) == set(figure.counts), key
        for name in (figure.numerator, figure.denominator):
            assert name is None or name in counts, (key, name)
        if figure.special is None:  # a plain figure: its value is read off its counts
            value = metrics.figures(county, COUNTY, *Q1, keys=[key])[key]
            if figure.denominator is None:
                assert value == counts[figure.numerator], key
            elif counts[figure.denominator]:
                assert value == counts[figure.numerator] / counts[figure.denominator], key
            else:
                assert value is None, key


# --- docs/architecture.md and docs/dashboard.md name every module -----------------------

ROOT = DOC.parent.parent


def _modules(folder: str) -> list[str]:
    return sorted(
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / folder).rglob("*.py")
        if "__pycache__" not in path.parts
    )


def _named(doc: str, module: str) -> bool:
    # a module is named by its path, or by its folder's `<page>.py` / `*.py` pattern
    text = (ROOT / "docs" / doc).read_text(encoding="utf-8")
    folder, _, _ = module.rpartition("/")
    return any(form in text for form in (module, f"{folder}/<page>.py", f"{folder}/*.py"))


@pytest.mark.parametrize(
    "module",
    [
        m
        for m in _modules("xieshang") + _modules("etl")
        if not m.endswith(("__init__.py", "__main__.py"))
    ]
    + ["xieshang/metrics/__init__.py"],
)
def test_architecture_names_every_module(module):
    assert _named("architecture.md", module), f"docs/architecture.md has no line for {module}"


@pytest.mark.parametrize(
    "module", [m for m in _modules("dashboard") if not m.endswith("__init__.py")]
)
def test_dashboard_doc_names_every_module(module):
    assert _named("dashboard.md", module), f"docs/dashboard.md has no line for {module}"


def test_architecture_names_no_module_that_does_not_exist():
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`((?:xieshang|etl|dashboard)/[\w/]+\.py)`", text))
    missing = sorted(path for path in named if not (ROOT / path).exists())
    assert not missing, f"docs/architecture.md names modules that do not exist: {missing}"


def test_every_test_docs_security_names_exists():
    named = set(re.findall(r"`(test_\w+)`", (ROOT / "docs" / "security.md").read_text("utf-8")))
    defined = set()
    for path in (ROOT / "tests").rglob("test_*.py"):
        defined |= set(re.findall(r"^def (test_\w+)", path.read_text("utf-8"), flags=re.M))
    assert named, "docs/security.md names no test"
    assert sorted(named - defined) == []


# --- every environment variable the code reads is documented --------------------------------

_VARIABLE = re.compile(r'(?:_ENV = |environ\.get\()"(XIESHANG_[A-Z_]+)"')


def _variables() -> set[str]:
    from dataclasses import fields

    from xieshang.contract.settings import ReadLimits, limit_variable

    found = {limit_variable(field.name) for field in fields(ReadLimits)}
    for module in _modules("xieshang") + _modules("etl") + _modules("dashboard"):
        found.update(_VARIABLE.findall((ROOT / module).read_text(encoding="utf-8")))
    return found


def test_every_variable_the_code_reads_is_documented():
    """In docs/deployment.md, where whoever sets up a server looks for them."""
    text = (ROOT / "docs" / "deployment.md").read_text(encoding="utf-8")
    variables = _variables()
    assert {"XIESHANG_DB", "XIESHANG_MAX_REPORT_KB", "XIESHANG_SESSION_KEY"} <= variables
    assert sorted(v for v in variables if not re.search(rf"\b{v}\b", text)) == []


# --- every argument of `xieshang` says what it takes in --help ------------------------------


def _commands(parser: argparse.ArgumentParser):
    """`parser` and every subcommand's parser under it, at any depth."""
    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                yield from _commands(child)


def test_every_argument_of_every_command_has_a_help_line():
    """What the county's IT admin reads first: an option listed bare (`--within WITHIN`)
    said neither what it takes nor its default. Every help renders, too (a bare `%` in a
    help line makes argparse fail on --help)."""
    missing = []
    for parser in _commands(cli_parser()):
        parser.format_help()
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                continue
            if not (action.help or "").strip():
                missing.append(f"{parser.prog} {'/'.join(action.option_strings) or action.dest}")
    assert missing == []
