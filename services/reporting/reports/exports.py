"""A report written out as JSON, CSV or an XLSX workbook (openpyxl: a sheet per table, bar
charts where the report draws them, a sheet of changes)."""
from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from services.reporting.reports import labels
from services.reporting.reports.document import Document, Table

SUPPRESSED = "—"  # what a suppressed value shows as
SHEET_NAME = 31  # the longest name Excel takes


def as_json(document: Document) -> bytes:
    return json.dumps(asdict(document), ensure_ascii=False, default=str, indent=1).encode()


def as_csv(document: Document) -> bytes:
    """One line per value: section, the breakdown's key (empty in a table of figures), figure,
    value (empty: suppressed); the heading first, the changes last."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([labels.word(word, document.language) for word in ("section", "key", "figure", "value")])
    for label, value in document.heading:
        writer.writerow([document.title, "", label, value])
    for table in document.tables:
        for row, values in table.rows:
            for heading, value in zip(table.columns[1:], values, strict=True):
                key, figure = ("", row) if table.by is None else (row, heading)
                writer.writerow([table.title, key, figure, "" if value is None else value])
    for change in document.changes:
        writer.writerow([document.changes_title, change.key, f"{change.section}: {change.figure}",
                         f"{_shown(change.was)} → {_shown(change.now)}"])
    return out.getvalue().encode("utf-8-sig")  # the mark tells Excel the file is UTF-8


def as_xlsx(document: Document) -> bytes:
    book = Workbook()
    summary = book.active
    summary.title = _sheet_name(document.title)
    _summary(summary, document)
    for table in document.tables:
        _table(book.create_sheet(_sheet_name(table.title, book.sheetnames)), table)
    if document.changes_title is not None:
        _changes(book.create_sheet(_sheet_name(document.changes_title, book.sheetnames)), document)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _summary(sheet: Worksheet, document: Document) -> None:
    sheet.append([document.title])
    sheet["A1"].font = Font(bold=True, size=14)
    for label, value in document.heading:
        sheet.append([label, value])
    for note in document.notes:
        sheet.append([note])
    _widths(sheet, [34, 60])


def _table(sheet: Worksheet, table: Table) -> None:
    sheet.append([table.title])
    sheet["A1"].font = Font(bold=True)
    if table.note:
        sheet.append([table.note])
    sheet.append(table.columns)
    header = sheet.max_row
    for cell in sheet[header]:
        cell.font = Font(bold=True)
    for label, values in table.rows:
        sheet.append([label, *[SUPPRESSED if value is None else value for value in values]])
    _widths(sheet, [34] + [18] * len(table.figures))
    if table.chart and len(table.rows) > 1:
        _chart(sheet, table, header)


def _chart(sheet: Worksheet, table: Table, header: int) -> None:
    """Bars of each figure per key (the total row left out)."""
    chart = BarChart()
    chart.title, chart.height, chart.width = table.title, 8, 18
    last = header + len(table.rows) - 1
    chart.add_data(Reference(sheet, min_col=2, max_col=1 + len(table.figures), min_row=header, max_row=last),
                   titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=header + 1, max_row=last))
    sheet.add_chart(chart, f"{get_column_letter(len(table.figures) + 3)}2")


def _changes(sheet: Worksheet, document: Document) -> None:
    words = [labels.word(word, document.language) for word in ("section", "figure", "was", "now")]
    sheet.append([document.changes_title])
    sheet.append([words[0], words[1], "", words[2], words[3]])
    for change in document.changes:
        sheet.append([change.section, change.figure, change.key, _shown(change.was), _shown(change.now)])
    if not document.changes:
        sheet.append([labels.word("no_changes", document.language)])
    _widths(sheet, [34, 34, 24, 12, 12])


def _widths(sheet: Worksheet, widths: list[int]) -> None:
    for number, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(number)].width = width


def _sheet_name(title: str, taken: list[str] | None = None) -> str:
    """A sheet's name: the title cut to Excel's length, without the characters it refuses, once."""
    name = "".join(" " if char in "[]:*?/\\" else char for char in title)[:SHEET_NAME].strip()
    number = 2
    while taken and name in taken:
        name = f"{name[:SHEET_NAME - 3]} {number}"
        number += 1
    return name


def _shown(value: Any) -> Any:
    return SUPPRESSED if value is None else value
