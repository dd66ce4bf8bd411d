"""Reporting's background tasks (``shared.tasks``): period progress reports are made by
workers, a section at a time, handed out by a periodic sweep."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from services.reporting.reports import service as reports
from shared.tasks import FollowUps, TaskRegistry

registry = TaskRegistry()


@registry.task("sweep_reports", every=timedelta(seconds=3))
def sweep_reports(*, session: Session) -> FollowUps:
    """Every few seconds: the reports asked for (or whose worker went quiet) go to workers."""
    return reports.sweep(now=datetime.now(UTC), session=session)


@registry.task(reports.MAKE_PART, each="part")
def make_report_part(*, session: Session, part: list[str]) -> str:
    """One section of a report: ``part`` is [report id, section]."""
    return reports.make_part(part, now=datetime.now(UTC), session=session)
