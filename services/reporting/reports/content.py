"""A report's sections as made: each figure's exact cells for the report's municipalities,
period and programme, and the names of the section's keys in the report's language."""
from __future__ import annotations

import uuid
from typing import Any, get_args

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.reporting.indicators import service as indicators
from services.reporting.indicators.rules import UNKNOWN, Period
from services.reporting.indicators.slices import AgeBands
from services.reporting.models import CodeName, Municipality, Programme, Report, ServiceType, Settlement
from services.reporting.reports import labels
from services.reporting.reports.rules import Section
from shared.events.intake import ClientSex

SEXES = get_args(ClientSex)


def made(report: Report, section: Section, *, places: list[str], bands: AgeBands, session: Session) -> dict[str, Any]:
    """The section's content for ``places``: ``figures`` (code: total and breakdown) and ``labels`` (key: name)."""
    municipalities = list(session.scalars(select(Municipality).where(Municipality.code.in_(places))))
    filters = {"programme": report.programme} if report.programme and not section.whole else {}
    frames = indicators.frames_for(Period(report.first_day, report.last_day), municipalities, filters, bands)
    measured, _ = indicators.measure(frames, by=section.by, only=section.figures, session=session)
    keys = {key for cells in measured.values() for key in (cells.breakdown or {})}
    return {"figures": {code: {"total": cells.total, "breakdown": cells.breakdown} for code, cells in measured.items()},
            "labels": names(section, keys, report.language, bands=bands, session=session)}


def names(section: Section, keys: set[str], language: str, *, bands: AgeBands, session: Session) -> dict[str, str]:
    """What each key of the section's breakdown is called in ``language``, in the order the
    report lists them: an age band or a sex always, in their own order; others by name."""
    every = {"age_band": bands.labels(), "sex": list(SEXES)}.get(section.by or "")
    named = _catalogue_names(section, keys, language, session) if section.by else {}
    found = {key: named.get(key) or labels.value(key, language) for key in keys | set(every or [])}
    order = [*every, UNKNOWN] if every else sorted(found, key=lambda key: (key == UNKNOWN, found[key]))
    return {key: found[key] for key in order if key in found}


def _catalogue_names(section: Section, keys: set[str], language: str, session: Session) -> dict[str, str]:
    by = section.by
    if by == "municipality":
        return dict(session.execute(select(Municipality.code, Municipality.name)
                                    .where(Municipality.code.in_(keys))).all())
    if by == "settlement":
        ids = [uuid.UUID(key) for key in keys if key != UNKNOWN]
        rows = session.execute(select(Settlement.settlement_id, Settlement.name)
                               .where(Settlement.settlement_id.in_(ids)))
        return {str(settlement): name for settlement, name in rows}
    if by == "programme":
        return dict(session.execute(select(Programme.code, Programme.name).where(Programme.code.in_(keys))).all())
    if by == "service_type":
        rows = session.execute(select(ServiceType.code, ServiceType.names).where(ServiceType.code.in_(keys)))
        return {code: _in(names, language) for code, names in rows}
    kind = {"target_group": "target_group", "staff_role": "staff_role"}.get(by or "") or (
        "case_category" if section.code.startswith("cases") else None)
    rows = session.execute(select(CodeName.code, CodeName.names).where(CodeName.kind == kind, CodeName.code.in_(keys)))
    return {code: _in(names, language) for code, names in rows}


def _in(names: dict[str, str], language: str) -> str | None:
    """A name in ``language``, else in English, else any it has."""
    return names.get(language) or names.get("en") or next(iter(names.values()), None)
