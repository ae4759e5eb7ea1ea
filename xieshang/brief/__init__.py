"""The monthly brief (工作简报) of a scope, as PDF or Word (interfaces.md "Briefs and the big
screen"); `xieshang brief` and /download/brief.pdf|docx both make it here.

* content  the brief's facts (from xieshang.metrics) and its sentences, as data;
* numbers  a figure, its change and its counts as the brief prints them;
* fonts    the system CJK font (fontconfig), or a one-line error naming the package;
* charts   the key charts as PNG, drawn offline with matplotlib;
* pdf      HTML and CSS set as A4 PDF by WeasyPrint, nothing fetched;
* word     the same as .docx (python-docx).

    brief = build_brief(engine, "330281000000", "2025-06")
    render(brief, "pdf")  ->  bytes
"""

from __future__ import annotations

from collections.abc import Callable

from xieshang.brief.content import Brief, NoBrief, build_brief
from xieshang.brief.fonts import NoCjkFont
from xieshang.brief.pdf import render_pdf
from xieshang.brief.word import render_docx

FORMATS: dict[str, tuple[str, Callable[[Brief], bytes]]] = {
    "pdf": ("application/pdf", render_pdf),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        render_docx,
    ),
}
"""format -> (mimetype, renderer)."""


def render(brief: Brief, fmt: str) -> bytes:
    """The brief's file in `fmt` ("pdf" or "docx")."""
    return FORMATS[fmt][1](brief)


__all__ = ["FORMATS", "Brief", "NoBrief", "NoCjkFont", "build_brief", "render"]
