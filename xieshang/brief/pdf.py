"""The brief as an A4 PDF: HTML and CSS set by WeasyPrint in the system CJK font, its
subsets embedded, the charts inline as data: URLs.

Nothing is fetched: WeasyPrint is given a URL fetcher that refuses every address but a
data: URL and stops the rendering on any other (a county server has no internet, and a
brief must not reach out to one), and no base URL, so no relative address resolves to a
file either. Fonts come from fontconfig, never from a URL."""

from __future__ import annotations

import base64
from html import escape

from xieshang.brief.charts import Chart, charts
from xieshang.brief.content import TABLE_HEADER, Brief
from xieshang.brief.fonts import cjk_font
from xieshang.brief.numbers import month_label

RED = "#C8102E"  # the red masthead of a 简报

CSS = """
@page {
  size: A4;
  margin: 20mm 18mm 18mm 18mm;
  @top-right { content: "%(running)s"; font-size: 8pt; color: #555; }
  @bottom-center { content: "第 " counter(page) " 页，共 " counter(pages) " 页";
                   font-size: 8pt; color: #555; }
}
html { font-family: "%(family)s", sans-serif; font-size: 10.5pt; line-height: 1.6;
       color: #212529; }
h1 { font-size: 22pt; text-align: center; color: %(red)s; margin: 0 0 4pt 0;
     letter-spacing: 2pt; }
.cover { text-align: center; font-size: 9.5pt; color: #333; margin: 0 0 10pt 0;
         padding-bottom: 6pt; border-bottom: 2pt solid %(red)s; }
h2 { font-size: 13pt; margin: 14pt 0 4pt 0; break-after: avoid; }
p { margin: 0 0 6pt 0; text-align: justify; }
table { width: 100%%; border-collapse: collapse; font-size: 9.5pt; margin: 4pt 0 8pt 0;
        break-inside: avoid; }
th, td { border: 0.5pt solid #888; padding: 2pt 5pt; }
th { background: #eef1f4; font-weight: bold; }
td.num { text-align: right; white-space: nowrap; }
td.good { color: #1a6b34; } td.bad { color: #a4161a; }
.note { font-size: 8.5pt; color: #444; }
figure { margin: 6pt 0 10pt 0; break-inside: avoid; }
figure img { width: 100%%; }
figcaption { font-size: 8.5pt; color: #444; }
"""


def _paragraphs(lines) -> str:
    return "".join(f"<p>{escape(line)}</p>" for line in lines if line)


def _figure(chart: Chart) -> str:
    data = base64.b64encode(chart.png).decode("ascii")
    caption = f"<figcaption>{escape(chart.note)}</figcaption>" if chart.note else ""
    return f'<figure><img src="data:image/png;base64,{data}" alt="{escape(chart.title)}">{caption}</figure>'


def _table(brief: Brief) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in TABLE_HEADER)
    body = "".join(
        f"<tr><td>{escape(r.label)}</td><td class='num'>{escape(r.shown)}</td>"
        f"<td class='num'>{escape(r.previous)}</td><td class='{r.tone}'>{escape(r.change)}</td>"
        f"<td class='num'>{escape(r.basis)}</td></tr>"
        for r in brief.rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def html_of(brief: Brief, drawn: list[Chart], family: str) -> str:
    """The brief as one HTML document (its images inline)."""
    trend, ranking = drawn[:2], drawn[2:]
    parts = {
        "figures": _paragraphs([brief.summary])
        + _table(brief)
        + (f"<p class='note'>{escape(brief.previous_note)}</p>" if brief.previous_note else "")
        + "".join(_figure(c) for c in trend),
        "units": _paragraphs(brief.units_text) + "".join(_figure(c) for c in ranking),
        "overdue": _paragraphs([brief.overdue_text]),
        "quality": _paragraphs(brief.quality_text),
    }
    body = "".join(f"<h2>{escape(h)}</h2>{parts[k]}" for k, h in brief.headings())
    css = CSS % {
        "family": family,
        "red": RED,
        "running": f"{brief.title} · {month_label(brief.start)}".replace('"', ""),
    }
    return (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{escape(brief.title)}</title><style>{css}</style></head><body>"
        f"<h1>{escape(brief.title)}</h1><p class='cover'>{escape(brief.cover)}</p>"
        f"{body}</body></html>"
    )


def offline_fetcher():
    from weasyprint.urls import URLFetcher

    class OfflineFetcher(URLFetcher):
        """Fetches data: URLs and nothing else; any other address stops the rendering."""

        def __init__(self) -> None:
            super().__init__(allowed_protocols=("data",), fail_on_errors=True)

        def fetch(self, url, headers=None):
            if not url.startswith("data:"):
                raise ValueError(f"{url[:60]} is not fetched: a brief is made offline")
            return super().fetch(url, headers)

    return OfflineFetcher()


def render_pdf(brief: Brief) -> bytes:
    """The brief as PDF bytes. NoCjkFont without a system CJK font."""
    # WeasyPrint loads Pango and its fonts on import (about a second): only when asked
    from weasyprint import HTML

    family = cjk_font().family
    document = HTML(string=html_of(brief, charts(brief), family), url_fetcher=offline_fetcher())
    return document.write_pdf()
