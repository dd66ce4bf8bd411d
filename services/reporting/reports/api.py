from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response

from services.reporting.reports import service
from services.reporting.reports.rules import Format
from services.reporting.reports.schemas import ReportFilters, ReportRead, ReportRequest
from shared.auth import AggregateReader, Coordinator
from shared.paging import Page
from shared.web import AppSettings, Db

router = APIRouter(tags=["reports"])
_NOT_NOW = {409: {"description": "Not in a status that allows it (named in the answer)"}}


@router.post("/reports", response_model=ReportRead, status_code=202,
             summary="Ask for a period progress report: made in the background, its progress in the answer")
def request_report(body: ReportRequest, caller: AggregateReader, settings: AppSettings, session: Db,
                   response: Response):
    report = service.request_report(caller, body, now=datetime.now(UTC), settings=settings, session=session)
    session.flush()
    response.headers["Location"] = f"reports/{report.report_id}"
    return service.shown(report, session=session)


@router.get("/reports", response_model=Page[ReportRead], summary="Reports of your municipalities, newest first")
def list_reports(filters: Annotated[ReportFilters, Query()], caller: AggregateReader, session: Db):
    return service.list_reports(filters, caller, session=session).map(lambda r: service.shown(r, session=session))


@router.get("/reports/{report_id}", response_model=ReportRead, summary="A report: its status and progress")
def get_report(report_id: uuid.UUID, caller: AggregateReader, session: Db):
    return service.shown(service.get_report(report_id, caller, session=session), session=session)


@router.get("/reports/{report_id}/content", responses={**_NOT_NOW, 200: {"content": {
    "application/json": {}, "text/csv": {}, "application/pdf": {},
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {}}}},
    summary="A made report as you may see it: JSON, CSV, XLSX or PDF, in its language")
def report_content(report_id: uuid.UUID, caller: AggregateReader, settings: AppSettings, session: Db,
                   format: Annotated[Format, Query(description="json, csv, xlsx or pdf")] = "json"):
    report = service.get_report(report_id, caller, session=session)
    body, media_type = service.written(report, caller, format, settings=settings, session=session)
    filename = f"report-{report.first_day}-{report.last_day}-{report.report_id.hex[:8]}.{format}"
    return Response(body, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@router.post("/reports/{report_id}/freeze", response_model=ReportRead, responses=_NOT_NOW,
             summary="Freeze a made report: its content never changes again (coordinators)")
def freeze(report_id: uuid.UUID, caller: Coordinator, session: Db):
    report = service.get_report(report_id, caller, session=session, for_update=True)
    return service.shown(service.freeze(report, caller, now=datetime.now(UTC)), session=session)


@router.post("/reports/{report_id}/remake", response_model=ReportRead, status_code=202, responses=_NOT_NOW,
             summary="Make a report not frozen again, with the figures as they are now (coordinators)")
def remake(report_id: uuid.UUID, caller: Coordinator, session: Db):
    report = service.get_report(report_id, caller, session=session, for_update=True)
    return service.shown(service.remake(report, session=session), session=session)
