"""Period progress reports: asked for, made section by section in the background (a sweep
hands each report to a worker; a section made stays made if the worker dies), read in the
reader's view (small counts suppressed for the analyst and the funder), frozen, made again."""
from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, exists, func, select
from sqlalchemy.orm import Session

from services.reporting.indicators import service as indicators
from services.reporting.indicators.slices import AgeBands
from services.reporting.models import Municipality, Programme, Report, ReportPlace, ReportSection
from services.reporting.reports import content, exports, pdf, rules
from services.reporting.reports.document import Document, Made, document
from services.reporting.reports.rules import FROZEN, LIFECYCLE, MAKING, QUEUED
from services.reporting.reports.schemas import PeriodRead, ReportFilters, ReportRead, ReportRequest
from shared.auth import Principal
from shared.db import unavailable
from shared.errors import Invalid, NotFound
from shared.paging import Page, equal_to_given, paginate
from shared.settings import Settings
from shared.tasks import FollowUps

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=10)  # a report a worker took and has not moved on since is handed out again
MAKE_PART = "make_report_part"
WRITERS = {"json": (exports.as_json, "application/json"), "csv": (exports.as_csv, "text/csv; charset=utf-8"),
           "xlsx": (exports.as_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
           "pdf": (pdf.as_pdf, "application/pdf")}


# -- asking ---------------------------------------------------------------------------------------------


def request_report(principal: Principal, data: ReportRequest, *, now: datetime, settings: Settings,
                   session: Session) -> Report:
    period = data.period()
    places = indicators.municipalities(principal, municipality=data.municipality, network=data.network,
                                       session=session)
    if not places:
        raise Invalid("municipality", "you may see no municipality that reporting knows of yet")
    if data.programme is not None and session.get(Programme, data.programme) is None:
        raise Invalid("programme", f"no programme {data.programme} is known")
    report = Report(report_id=uuid.uuid4(), municipality=data.municipality, network=data.network,
                    programme=data.programme, first_day=period.first, last_day=period.last,
                    language=data.language or rules.language_of({place.language for place in places}),
                    age_bands=list(settings.reporting_age_bands), status=LIFECYCLE.initial,
                    sections_total=len(rules.sections_of([place.code for place in places])),
                    requested_by=principal.subject, requested_at=now)
    report.compared_with = _frozen_before(report, session)
    session.add(report)
    session.add_all(ReportPlace(report_id=report.report_id, municipality=place.code) for place in places)
    return report


def _frozen_before(report: Report, session: Session) -> uuid.UUID | None:
    """The latest frozen report of the same subject and period."""
    return session.scalar(select(Report.report_id).where(
        Report.status == FROZEN, Report.first_day == report.first_day, Report.last_day == report.last_day,
        *_same(Report.municipality, report.municipality), *_same(Report.network, report.network),
        *_same(Report.programme, report.programme)).order_by(Report.frozen_at.desc()).limit(1))


def _same(column: Any, value: Any) -> list[Any]:
    return [column.is_(None) if value is None else column == value]


# -- making ------------------------------------------------------------------------------------------------


def sweep(*, now: datetime, session: Session) -> FollowUps:
    """Hands each report waiting to be made (or whose worker went quiet) to a task, its
    sections not yet made as the batch."""
    waiting = list(session.scalars(select(Report).where(
        (Report.status == QUEUED) | ((Report.status == MAKING) & (Report.lease_until < now))).with_for_update()))
    tasks = []
    for report in waiting:
        report.status, report.lease_until = LIFECYCLE.next(report.status, "start"), now + LEASE
        tasks.append((MAKE_PART, {"batch": [[str(report.report_id), code] for code in _to_make(report, session)]}))
    return FollowUps(tasks)


def _to_make(report: Report, session: Session) -> list[str]:
    made = set(session.scalars(select(ReportSection.section).where(ReportSection.report_id == report.report_id)))
    return [section.code for section in rules.sections_of(_places(report, session)) if section.code not in made]


def make_part(part: list[str], *, now: datetime, session: Session) -> str:
    """One section of a report being made, unless it is made already; the report made with its last."""
    report_id, code = uuid.UUID(part[0]), part[1]
    report = session.get(Report, report_id, with_for_update=True)
    if report is None or report.status != MAKING or session.get(ReportSection, (report_id, code)):
        return "skipped"
    try:
        made = content.made(report, rules.section(code), places=_places(report, session),
                            bands=AgeBands(report.age_bands), session=session)
    except Exception as exc:  # a report that cannot be made says so; it may be made again
        if unavailable(exc):
            raise
        log.exception("report %s: section %s could not be made", report_id, code)
        report.status = LIFECYCLE.next(report.status, "fail")
        return "failed"
    session.add(ReportSection(report_id=report_id, section=code, content=made))
    session.flush()
    report.lease_until = now + LEASE
    if _sections_made(report_id, session) == report.sections_total:
        report.status, report.made_at, report.lease_until = LIFECYCLE.next(report.status, "finish"), now, None
    return "made"


def _sections_made(report_id: uuid.UUID, session: Session) -> int:
    return session.scalar(select(func.count()).where(ReportSection.report_id == report_id)) or 0


# -- reading ------------------------------------------------------------------------------------------------


def get_report(report_id: uuid.UUID, principal: Principal, *, session: Session, for_update: bool = False) -> Report:
    """The report, or 404 when it is unknown or covers a municipality outside the caller's scope."""
    report = session.get(Report, report_id, with_for_update=for_update)
    if report is None or not all(principal.can_access(code) for code in _places(report, session)):
        raise NotFound("report", report_id)
    return report


def list_reports(filters: ReportFilters, principal: Principal, *, session: Session) -> Page[Report]:
    query = select(Report).where(*equal_to_given((Report.programme, filters.programme),
                                                 (Report.status, filters.status)))
    if filters.municipality is not None:
        query = query.where(exists().where(ReportPlace.report_id == Report.report_id,
                                           ReportPlace.municipality == filters.municipality))
    if not principal.all_municipalities:
        query = query.where(~exists().where(ReportPlace.report_id == Report.report_id,
                                            ReportPlace.municipality.not_in(sorted(principal.municipalities))))
    return paginate(session, query, filters, order=(Report.requested_at.desc(), Report.report_id))


def shown(report: Report, *, session: Session) -> ReportRead:
    return ReportRead(
        report_id=report.report_id, status=report.status, progress=round(
            100 * _sections_made(report.report_id, session) / report.sections_total) if report.sections_total else 100,
        municipality=report.municipality, network=report.network, programme=report.programme,
        period=PeriodRead(first=report.first_day, last=report.last_day), language=report.language,
        municipalities=_places(report, session), requested_at=report.requested_at, made_at=report.made_at,
        frozen_at=report.frozen_at, compared_with=report.compared_with)


def written(report: Report, principal: Principal, format: rules.Format, *, settings: Settings,
            session: Session) -> tuple[bytes, str]:
    """The report as ``principal`` sees it, in ``format``, and its media type; 409 until it is made."""
    if report.made_at is None:
        raise LIFECYCLE.refused(report.status, "read")
    write, media_type = WRITERS[format]
    return write(as_document(report, principal, settings=settings, session=session)), media_type


def as_document(report: Report, principal: Principal, *, settings: Settings, session: Session) -> Document:
    """The report as ``principal`` reads it: exactly, or with small counts suppressed."""
    compared = session.get(Report, report.compared_with) if report.compared_with else None
    return document(_made(report, session), protect=indicators.protection(principal, settings),
                    threshold=settings.reporting_suppression_threshold, programme=report.programme is not None,
                    compared=_made(compared, session) if compared is not None else None)


def _made(report: Report, session: Session) -> Made:
    places = list(session.scalars(select(Municipality).where(Municipality.code.in_(_places(report, session)))
                                  .order_by(Municipality.code)))
    sections = dict(session.execute(select(ReportSection.section, ReportSection.content)
                                    .where(ReportSection.report_id == report.report_id)).all())
    return Made(report.language, places[0].timezone if places else "UTC", _subject(report, places, session),
                report.first_day, report.last_day, report.made_at, report.frozen_at, sections)


def _subject(report: Report, places: list[Municipality], session: Session) -> list[tuple[str, str]]:
    lines = []
    if report.programme is not None and (programme := session.get(Programme, report.programme)) is not None:
        lines.append(("programme", programme.name))
        if programme.funder:
            lines.append(("funder", programme.funder))
    if report.network is not None:
        lines.append(("network", report.network))
    names = ", ".join(place.name for place in places)
    lines.append(("municipality" if len(places) == 1 else "municipalities", names))
    return lines


def _places(report: Report, session: Session) -> list[str]:
    return list(session.scalars(select(ReportPlace.municipality).where(ReportPlace.report_id == report.report_id)
                                .order_by(ReportPlace.municipality)))


# -- freezing and making again --------------------------------------------------------------------------


def freeze(report: Report, principal: Principal, *, now: datetime) -> Report:
    report.status = LIFECYCLE.next(report.status, "freeze")
    report.frozen_at, report.frozen_by = now, principal.subject
    return report


def remake(report: Report, *, session: Session) -> Report:
    """Made again from the figures as they are now (late events included); never a frozen one."""
    report.status = LIFECYCLE.next(report.status, "remake")
    session.execute(delete(ReportSection).where(ReportSection.report_id == report.report_id))
    report.made_at, report.lease_until = None, None
    report.compared_with = _frozen_before(report, session)
    return report
