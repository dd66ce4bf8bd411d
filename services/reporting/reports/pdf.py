"""A report written out as a PDF a funder can file: laid out by reportlab (its tables and
paragraphs), with bar charts drawn by matplotlib. Both write with DejaVu Sans, the font that
matplotlib ships, which has the Cyrillic and Polish letters of every report language."""
from __future__ import annotations

import io
from functools import cache
from pathlib import Path
from typing import Any

from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Image, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table as Grid, TableStyle

from services.reporting.reports import labels
from services.reporting.reports.document import Document, Table

SUPPRESSED = "—"
WIDTH = A4[0] - 4 * cm  # the text's width between the margins
ACCENT = colors.HexColor("#2f5d8a")
STRIPE = colors.HexColor("#eef3f8")
BARS = 24  # the most bars a chart draws per figure before it draws the first figure only
TALLEST = 8.5  # inches: a chart and its section's title fit on a page
PALETTE = ["#2f5d8a", "#7fa7cf", "#e0913a", "#f2c48d", "#5a9e6f", "#a7d3b3"]  # bars: a pair of shades a theme


def as_pdf(document: Document) -> bytes:
    styles = _styles()
    story: list[Any] = [Paragraph(document.title, styles["title"]), _heading(document), Spacer(1, 0.3 * cm)]
    story += [Paragraph(note, styles["note"]) for note in document.notes]
    for table in document.tables:
        story += _section(table, styles)
    if document.changes_title is not None:
        story += _changes(document, styles)
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4, leftMargin=2 * cm, rightMargin=2 * cm, topMargin=1.8 * cm,
                      bottomMargin=1.8 * cm, title=document.title, lang=document.language).build(
        story, onFirstPage=_footer(document), onLaterPages=_footer(document))
    return out.getvalue()


def _heading(document: Document) -> Grid:
    styles = _styles()
    rows = [[Paragraph(label, styles["label"]), Paragraph(value, styles["body"])] for label, value in document.heading]
    grid = Grid(rows, colWidths=[4.5 * cm, WIDTH - 4.5 * cm], hAlign="LEFT")
    grid.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("BOTTOMPADDING", (0, 0), (-1, -1), 2)]))
    return grid


def _section(table: Table, styles: dict[str, ParagraphStyle]) -> list[Any]:
    parts: list[Any] = [Paragraph(table.title, styles["section"])]
    if table.note:
        parts.append(Paragraph(table.note, styles["note"]))
    parts.append(_grid(table, styles))
    block = [KeepTogether(parts)]
    if table.chart and len(table.rows) > 2:
        block.append(_chart(table))
    return block


def _grid(table: Table, styles: dict[str, ParagraphStyle]) -> Grid:
    header = [Paragraph(text, styles["head" if number == 0 else "head_number"])
              for number, text in enumerate(table.columns)]
    rows = [[Paragraph(label, styles["body"]), *[Paragraph(_shown(value), styles["number"]) for value in values]]
            for label, values in table.rows]
    first = WIDTH * (0.62 if len(table.columns) == 2 else 0.34)
    rest = (WIDTH - first) / (len(table.columns) - 1)
    grid = Grid([header, *rows], colWidths=[first] + [rest] * (len(table.columns) - 1), repeatRows=1, hAlign="LEFT")
    style = [("BACKGROUND", (0, 0), (-1, 0), ACCENT), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
             ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#c5d3e0"))]
    style += [("BACKGROUND", (0, row), (-1, row), STRIPE) for row in range(2, len(rows) + 1, 2)]
    if table.by is not None:
        style.append(("LINEABOVE", (0, -1), (-1, -1), 0.8, ACCENT))
    grid.setStyle(TableStyle(style))
    return grid


def _chart(table: Table) -> Image:
    """The table's figures per key as grouped horizontal bars (the total row left out): the
    first figure alone when there would be more than BARS bars, and never taller than a page."""
    rows = table.rows[:-1]
    names = table.columns[1:] if len(rows) * len(table.figures) <= BARS else table.columns[1:2]
    figure = Figure(figsize=(7.2, min(0.22 * len(rows) * len(names) + 0.9, TALLEST)), dpi=150)
    axes = figure.add_subplot()
    height = 0.8 / len(names)
    for number, name in enumerate(names):
        values = [values[number] or 0 for _, values in rows]
        axes.barh([row + number * height for row in range(len(rows))], values, height=height, label=name,
                  color=PALETTE[number % len(PALETTE)])
    axes.set_yticks([row + height * (len(names) - 1) / 2 for row in range(len(rows))],
                    [label for label, _ in rows], fontsize=8 if len(rows) <= BARS else 6)
    axes.invert_yaxis()
    axes.tick_params(axis="x", labelsize=8)
    axes.spines[["top", "right"]].set_visible(False)
    if len(names) > 1:
        axes.legend(fontsize=7, frameon=False, loc="lower right")
    else:
        axes.set_title(names[0], fontsize=8, loc="left")
    figure.tight_layout()
    out = io.BytesIO()
    FigureCanvasAgg(figure).print_png(out)
    width, height_in = figure.get_size_inches()
    return Image(io.BytesIO(out.getvalue()), width=WIDTH, height=WIDTH * height_in / width)


def _changes(document: Document, styles: dict[str, ParagraphStyle]) -> list[Any]:
    parts: list[Any] = [Paragraph(document.changes_title or "", styles["section"])]
    if not document.changes:
        return [*parts, Paragraph(labels.word("no_changes", document.language), styles["body"])]
    words = [labels.word(word, document.language) for word in ("section", "figure", "was", "now")]
    rows = [[Paragraph(text, styles["head"]) for text in [words[0], words[1], "", words[2], words[3]]]]
    rows += [[Paragraph(change.section, styles["body"]), Paragraph(change.figure, styles["body"]),
              Paragraph(change.key, styles["body"]), Paragraph(_shown(change.was), styles["number"]),
              Paragraph(_shown(change.now), styles["number"])] for change in document.changes]
    grid = Grid(rows, colWidths=[WIDTH * share for share in (0.26, 0.3, 0.2, 0.12, 0.12)], repeatRows=1)
    grid.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, 0), ACCENT),
                              ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#c5d3e0"))]))
    return [*parts, grid]


def _footer(document: Document) -> Any:
    def draw(canvas: Any, page: Any) -> None:
        canvas.saveState()
        canvas.setFont(_font(), 7.5)
        canvas.setFillColor(colors.grey)
        canvas.drawString(2 * cm, 1.1 * cm, f"{document.title} · {document.heading[0][1] if document.heading else ''}")
        canvas.drawRightString(A4[0] - 2 * cm, 1.1 * cm, str(page.page))
        canvas.restoreState()
    return draw


def _shown(value: Any) -> str:
    if value is None:
        return SUPPRESSED
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.1f}"
    return str(int(value)) if isinstance(value, float) else str(value)


@cache
def _styles() -> dict[str, ParagraphStyle]:
    regular, bold = _font(), _font(bold=True)
    return {
        "title": ParagraphStyle("title", fontName=bold, fontSize=17, leading=21, textColor=ACCENT, spaceAfter=10),
        "section": ParagraphStyle("section", fontName=bold, fontSize=11.5, leading=15, textColor=ACCENT,
                                  spaceBefore=12, spaceAfter=5),
        "label": ParagraphStyle("label", fontName=bold, fontSize=9, leading=12),
        "body": ParagraphStyle("body", fontName=regular, fontSize=9, leading=12),
        "note": ParagraphStyle("note", fontName=regular, fontSize=8, leading=10.5, textColor=colors.HexColor("#555555"),
                               spaceAfter=3),
        "head": ParagraphStyle("head", fontName=bold, fontSize=8.5, leading=11, textColor=colors.white),
        "head_number": ParagraphStyle("head_number", fontName=bold, fontSize=8.5, leading=11, textColor=colors.white,
                                      alignment=TA_RIGHT),
        "number": ParagraphStyle("number", fontName=regular, fontSize=9, leading=12, alignment=TA_RIGHT),
    }


@cache
def _font(*, bold: bool = False) -> str:
    """DejaVu Sans from matplotlib's own files, registered with reportlab once."""
    name = "DejaVuSans-Bold" if bold else "DejaVuSans"
    path = Path(font_manager.findfont(font_manager.FontProperties(family="DejaVu Sans",
                                                                  weight="bold" if bold else "normal")))
    pdfmetrics.registerFont(TTFont(name, str(path)))
    return name
