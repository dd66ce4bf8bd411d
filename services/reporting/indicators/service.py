"""Indicators of a period for the municipalities a caller asks for and may see: each
figure summed over the time zones of those municipalities, each in its own calendar; small
counts suppressed for those who see aggregates only."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection
from dataclasses import replace
from functools import partial
from itertools import groupby
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.reporting.indicators.figures import INDICATORS, Indicator
from services.reporting.indicators.rules import UNKNOWN, Cells, Period, following, suppressed
from services.reporting.indicators.schemas import Figure, IndicatorsRead, PeriodRead, SliceQuery
from services.reporting.indicators.slices import TOTAL, AgeBands, Frame, NotApplicable
from services.reporting.models import Municipality
from shared.auth import EXACT_AGGREGATE_READERS, Principal
from shared.errors import Invalid, NotFound
from shared.scope import in_scope
from shared.settings import Settings


def indicators(principal: Principal, query: SliceQuery, *, settings: Settings, session: Session) -> IndicatorsRead:
    period = query.period()
    places = municipalities(principal, municipality=query.municipality, network=query.network, session=session)
    bands = AgeBands(settings.reporting_age_bands)
    if query.age_band is not None and query.age_band not in bands.labels():
        raise Invalid("age_band", f"must be one of {', '.join(bands.labels())}")
    frames = frames_for(period, places, query.filters(), bands)
    measured, not_applicable = measure(frames, by=query.by, session=session)
    if (protect := protection(principal, settings)) is not None:
        measured = protect(measured)
    return IndicatorsRead(
        period=PeriodRead(first=period.first, last=period.last), municipalities=[place.code for place in places],
        filters={name: str(value) for name, value in query.filters().items()}, by=query.by,
        indicators=[Figure(code=code, total=cells.total, breakdown=cells.breakdown, suppressed=bool(cells.suppressed))
                    for code, cells in measured.items()],
        not_applicable=not_applicable)


def municipalities(principal: Principal, *, municipality: str | None, network: str | None,
                   session: Session) -> list[Municipality]:
    """The one asked for (403 outside the caller's scope), else the network's or all that the
    caller may see: a coordinator of one town asking for the network sees their town."""
    if municipality is not None:
        principal.require_municipality(municipality)
        place = session.get(Municipality, municipality)
        if place is None or (network is not None and place.network != network):
            raise NotFound("municipality", municipality)
        return [place]
    chosen = select(Municipality).order_by(Municipality.code)
    if network is not None:
        chosen = chosen.where(Municipality.network == network)
    places = list(session.scalars(in_scope(chosen, principal, Municipality.code)))
    if network is not None and not places:
        raise NotFound("network", network)
    return places


def measure(frames: list[Frame], *, by: Any, session: Session,
            only: Collection[str] | None = None) -> tuple[dict[str, Cells], list[str]]:
    """Every indicator's cells (or those of ``only``), and the codes of those whose records
    have no such filter or breakdown. The indicators of one family share their queries."""
    chosen = [indicator for indicator in INDICATORS if only is None or indicator.code in only]
    measured: dict[str, Cells] = {}
    not_applicable = []
    for family in _families(chosen, frames):
        try:
            measured.update(cells_of(family, frames, by=by, session=session))
        except NotApplicable:
            not_applicable += [indicator.code for indicator in family]
    return {i.code: measured[i.code] for i in chosen if i.code in measured}, not_applicable


def _families(chosen: list[Indicator], frames: list[Frame]) -> list[list[Indicator]]:
    """The indicators grouped by the family of their measure (each alone without one)."""
    families: dict[str, list[Indicator]] = {}
    for indicator in chosen:
        measure = indicator.query(frames[0]) if frames and not indicator.rows else None
        family = measure.family if measure is not None and measure.family else indicator.code
        families.setdefault(family, []).append(indicator)
    return list(families.values())


def protection(principal: Principal, settings: Settings) -> Callable[[dict[str, Cells]], dict[str, Cells]] | None:
    """What hides small counts from ``principal`` (None: they read figures exactly), the one
    rule of who does: the analyst and the funder, not those who may read the people behind them."""
    if principal.has_role(EXACT_AGGREGATE_READERS):
        return None
    return partial(protected, threshold=settings.reporting_suppression_threshold)


def protected(measured: dict[str, Cells], threshold: int) -> dict[str, Cells]:
    """Small counts suppressed, and what is measured over them with them (in the order of INDICATORS)."""
    kept: dict[str, Cells] = {}
    for indicator in INDICATORS:
        if (cells := measured.get(indicator.code)) is not None:
            kept[indicator.code] = (following(cells, kept[indicator.counted_by]) if indicator.counted_by
                                    else suppressed(cells, threshold))
    return kept


def cells_of(family: list[Indicator], frames: list[Frame], *, by: Any, session: Session) -> dict[str, Cells]:
    """The family's cells: their totals, and their breakdown by ``by``. A breakdown each record
    has one value of adds up to the total, which then takes no query of its own."""
    if by is None:
        found = values(family, frames, session=session)
        return {i.code: Cells(i.combine(found[i.code].get(TOTAL, [])), None) for i in family}
    split = [replace(frame, by=by) for frame in frames]
    breakdown = values(family, split, session=session)
    adds_up = (bool(split) and all(i.adds_up and not i.rows for i in family)
               and split[0].single_valued(family[0].query(split[0]).facts))
    totals = {code: [value for key in found.values() for value in key] for code, found in breakdown.items()} \
        if adds_up else {code: found.get(TOTAL, []) for code, found in values(family, frames, session=session).items()}
    return {indicator.code: Cells(indicator.combine(totals[indicator.code]),
                                  {key: indicator.combine(found) for key, found in
                                   sorted(breakdown[indicator.code].items())})
            for indicator in family}


def values(family: list[Indicator], frames: list[Frame], *, session: Session) -> dict[str, dict[str, list[Any]]]:
    """Each indicator's values per key over every frame, to be combined: one query a frame. A
    key with none of an indicator's records (a family's query has a row for it) is left out."""
    collected: dict[str, dict[str, list[Any]]] = {indicator.code: defaultdict(list) for indicator in family}
    for frame in frames:
        query = family[0].query(frame) if family[0].rows else frame.measured([i.query(frame) for i in family])
        for key, *columns in session.execute(query):
            for number, indicator in enumerate(family):
                value = tuple(columns) if indicator.rows else columns[number]
                if indicator.rows or value:
                    collected[indicator.code][_label(key)].append(value)
    return collected


def frames_for(period: Period, places: list[Municipality], filters: dict[str, Any], bands: AgeBands) -> list[Frame]:
    """One frame for the municipalities of each time zone: the period's instants differ."""
    frames = []
    for zone, same_zone in groupby(sorted(places, key=lambda place: place.timezone), key=lambda p: p.timezone):
        start, end = period.window(zone)
        frames.append(Frame(period, [place.code for place in same_zone], start, end, filters=filters,
                            age_bands=bands))
    return frames


def _label(key: Any) -> str:
    return UNKNOWN if key is None else str(key)
