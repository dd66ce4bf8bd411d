"""A report as one reader sees it, ready to write out in any format: its heading, tables
(small counts suppressed unless the reader sees figures exactly) and, when a frozen report of
the same subject and period came before it, what changed since."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime

from services.reporting.indicators.rules import WHOLE, Cells
from services.reporting.reports import labels
from services.reporting.reports.rules import SECTIONS, Section

Protect = Any  # (cells of a section's figures) -> the same, small counts suppressed


@dataclass(frozen=True)
class Table:
    code: str
    title: str
    figures: list[str]  # codes, one column each
    columns: list[str]  # the heading of each column: the key's, then each figure's
    rows: list[tuple[str, list[Any]]]  # a label and a value per figure (None: suppressed)
    chart: bool = False
    note: str | None = None
    by: str | None = None


@dataclass(frozen=True)
class Change:
    section: str
    figure: str
    key: str
    was: Any
    now: Any


@dataclass(frozen=True)
class Document:
    language: str
    title: str
    heading: list[tuple[str, str]]
    tables: list[Table]
    notes: list[str] = field(default_factory=list)
    changes_title: str | None = None  # set when compared with a frozen report
    changes: list[Change] = field(default_factory=list)


@dataclass(frozen=True)
class Made:
    """A report as stored: its heading's facts and its sections' content."""

    language: str
    zone: str  # the calendar its times are told in
    subject: list[tuple[str, str]]  # (word, name): the programme, municipality or network
    first: date
    last: date
    made_at: datetime | None
    frozen_at: datetime | None
    sections: dict[str, dict[str, Any]]


def document(made: Made, *, protect: Protect | None, threshold: int, programme: bool,
             compared: Made | None = None) -> Document:
    """``protect`` (None: the reader sees figures exactly) hides small counts."""
    language = made.language
    tables = [table(section, made.sections[section.code], language, protect, whole_note=programme)
              for section in SECTIONS if section.code in made.sections]
    notes = [labels.word("suppressed", language, threshold=threshold)] if protect else []
    if made.frozen_at is None:
        notes.insert(0, labels.word("not_frozen", language))
    if compared is None:
        return Document(language, labels.word("title", language), heading(made), tables, notes)
    return Document(language, labels.word("title", language), heading(made), tables, notes,
                    changes_title=labels.word("changes", language, date=_day(compared.frozen_at, language)),
                    changes=changes(made, compared, protect))


def heading(made: Made) -> list[tuple[str, str]]:
    language = made.language
    lines = [(labels.word(word, language), name) for word, name in made.subject]
    days = (format_date(day, "medium", locale=language) for day in (made.first, made.last))
    lines.append((labels.word("period", language), " – ".join(days)))
    if made.made_at is not None:
        lines.append((labels.word("made_at", language), _moment(made.made_at, made)))
    if made.frozen_at is not None:
        lines.append((labels.word("frozen_at", language), _moment(made.frozen_at, made)))
    return lines


def table(section: Section, content: dict[str, Any], language: str, protect: Protect | None, *,
          whole_note: bool = False) -> Table:
    cells = view(content, protect)
    figures = [code for code in section.figures if code in cells]
    names = [labels.word(code, language) for code in figures]
    note = labels.word("whole", language) if whole_note and section.whole else None
    title = labels.word(section.code, language)
    if section.by is None:
        return Table(section.code, title, figures, [labels.word("figure", language), labels.word("value", language)],
                     [(name, [cells[code].total]) for code, name in zip(figures, names, strict=True)], note=note)
    found = {key for code in figures for key in cells[code].breakdown or {}}
    keys = [key for key in content["labels"] if key in found or cells_are_counts(figures)] + sorted(
        found - set(content["labels"]))
    rows = [(content["labels"].get(key, key), [(cells[code].breakdown or {}).get(key, 0) for code in figures])
            for key in keys]
    rows.append((labels.word("total", language), [cells[code].total for code in figures]))
    return Table(section.code, title, figures, ["", *names], rows, chart=section.chart, note=note, by=section.by)


def cells_are_counts(figures: list[str]) -> bool:
    """Whether a key missing from the breakdown is a count of nothing (not a median of nothing)."""
    return "days_to_resolution_median" not in figures


def view(content: dict[str, Any], protect: Protect | None) -> dict[str, Cells]:
    cells = {code: Cells(figure["total"], figure["breakdown"]) for code, figure in content["figures"].items()}
    return protect(cells) if protect else cells


def changes(made: Made, compared: Made, protect: Protect | None) -> list[Change]:
    """Each value that differs from the frozen report's, as the reader sees both."""
    found = []
    for section in SECTIONS:
        if section.code not in made.sections or section.code not in compared.sections:
            continue
        now, was = view(made.sections[section.code], protect), view(compared.sections[section.code], protect)
        for code in section.figures:
            found += _differences(section, code, now.get(code), was.get(code), made)
    return found


def _differences(section: Section, code: str, now: Cells | None, was: Cells | None, made: Made) -> list[Change]:
    language = made.language
    now_values, was_values = (cells.values() if cells else {} for cells in (now, was))
    names = made.sections[section.code]["labels"]
    return [Change(labels.word(section.code, language), labels.word(code, language),
                   labels.word("total", language) if key == WHOLE else names.get(key, key),
                   was_values.get(key, 0), now_values.get(key, 0))
            for key in sorted(set(now_values) | set(was_values)) if now_values.get(key, 0) != was_values.get(key, 0)]


def _moment(at: datetime, made: Made) -> str:
    return format_datetime(at, "medium", tzinfo=ZoneInfo(made.zone), locale=made.language)


def _day(at: datetime | None, language: str) -> str:
    return format_date(at, "medium", locale=language) if at else ""
