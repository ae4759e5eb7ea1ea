"""The brief as a Word file (python-docx), for offices that edit it before it goes out:
A4, the same sections, table and charts as the PDF, page numbers in the footer.

Word on the county's PCs has 宋体 and 黑体, not the server's Noto fonts, so the text is
set in those (East Asian font of each style) and Word or WPS uses its own; the charts
are pictures and keep the font they were drawn in."""

from __future__ import annotations

import io
from datetime import datetime, time

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.table import Table

from xieshang.brief.charts import Chart, charts
from xieshang.brief.content import TABLE_HEADER, Brief

BODY_FONT, HEADING_FONT = "宋体", "黑体"
RED = (0xC8, 0x10, 0x2E)
TONES = {"good": (0x1A, 0x6B, 0x34), "bad": (0xA4, 0x16, 0x1A)}
PICTURE_WIDTH_MM = 160  # the text width: A4's 210 mm less two 25 mm margins
# the figures table's columns (指标, 本月, 上月, 较上月, 依据), filling the text width: a
# label as long as 落实用时中位数(天) and a change as long as 下降100.0个百分点 on one line
# in 10.5 pt, and a city's 92,240/166,170 too in a font wider than 宋体 (WPS's stand-in)
COLUMNS_MM = (40, 24, 24, 40, 32)


def _east_asian(style_or_run, name: str) -> None:
    """Set the font of CJK text (w:eastAsia), which python-docx's font.name leaves alone,
    and drop the theme's (w:eastAsiaTheme, on python-docx's headings), which Word would
    take instead."""
    fonts = style_or_run.element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), name)
    fonts.attrib.pop(qn("w:eastAsiaTheme"), None)


def _styles(document) -> None:
    normal = document.styles["Normal"]
    normal.font.size = Pt(10.5)
    _east_asian(normal, BODY_FONT)
    for name, size in (("Title", 22), ("Heading 1", 14)):
        style = document.styles[name]
        style.font.size = Pt(size)
        style.font.bold = True
        style.font.color.rgb = RGBColor(*RED) if name == "Title" else RGBColor(0x21, 0x25, 0x29)
        _east_asian(style, HEADING_FONT)


def _page(document) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(18)
    section.left_margin = section.right_margin = Mm(25)


def _page_numbers(document) -> None:
    """第 N 页 in the footer (a PAGE field: Word counts the pages)."""
    paragraph = document.sections[0].footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run("第 ")
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)
    paragraph.add_run(" 页")


def _fixed_widths(table: Table, widths_mm: tuple[int, ...]) -> None:
    """Columns of the given widths, kept as set: Word sizes a column by its cells' widths
    (w:tcW) before the grid's (w:gridCol), so both are written, and the table's own
    width (w:tblW, else "auto") is their sum; autofit off (a fixed layout), or Word
    widens a column to fit its longest line."""
    table.autofit = False
    widths = [Mm(w) for w in widths_mm]
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
        for cell in column.cells:
            cell.width = width
    table_width = table._tbl.tblPr.find(qn("w:tblW"))
    table_width.set(qn("w:type"), "dxa")
    table_width.set(qn("w:w"), str(sum(w.twips for w in widths)))


def _table(document, brief: Brief) -> None:
    table = document.add_table(rows=1, cols=len(TABLE_HEADER), style="Table Grid")
    for cell, header in zip(table.rows[0].cells, TABLE_HEADER, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(header).bold = True
    for row in brief.rows:
        cells = table.add_row().cells
        for i, value in enumerate((row.label, row.shown, row.previous, row.change, row.basis)):
            paragraph = cells[i].paragraphs[0]
            run = paragraph.add_run(value)
            if i in (1, 2, 4):
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            if i == 3 and row.tone in TONES:
                run.font.color.rgb = RGBColor(*TONES[row.tone])
    _fixed_widths(table, COLUMNS_MM)


def _picture(document, chart: Chart) -> None:
    document.add_picture(io.BytesIO(chart.png), width=Mm(PICTURE_WIDTH_MM))
    if chart.note:
        document.add_paragraph(chart.note, style="Caption")


def render_docx(brief: Brief) -> bytes:
    """The brief as .docx bytes. NoCjkFont without a system CJK font (for the charts)."""
    drawn = charts(brief)
    document = Document()
    _page(document)
    _styles(document)
    _page_numbers(document)
    properties = document.core_properties
    properties.title, properties.author, properties.language = brief.title, "xieshang", "zh-CN"
    properties.created = datetime.combine(brief.made_on, time())
    document.add_heading(brief.title, level=0).alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.add_paragraph(brief.cover).alignment = WD_ALIGN_PARAGRAPH.CENTER
    for key, heading in brief.headings():
        document.add_heading(heading, level=1)
        if key == "figures":
            document.add_paragraph(brief.summary)
            _table(document, brief)
            if brief.previous_note:
                document.add_paragraph(brief.previous_note, style="Caption")
            for chart in drawn[:2]:
                _picture(document, chart)
        elif key == "units":
            for line in brief.units_text:
                document.add_paragraph(line)
            for chart in drawn[2:]:
                _picture(document, chart)
        elif key == "overdue":
            document.add_paragraph(brief.overdue_text)
        else:
            for line in brief.quality_text:
                document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
