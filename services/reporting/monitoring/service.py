"""Reporting's operational figures for Prometheus, per municipality, worked out from the read
models each time they are scraped (nothing kept in the process, so every API worker answers
alike): care plans running today, today's visits, the missed-visit rate of the last seven
days, open cases with an overdue follow-up, check-in calls unanswered today. The only label
is the municipality, one series for each municipality reporting knows: a bounded set."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from itertools import groupby

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.reporting.indicators import service as indicators
from services.reporting.indicators.rules import Period
from services.reporting.indicators.slices import AgeBands
from services.reporting.models import Municipality
from shared.db import Database
from shared.localtime import day_of

TODAY = {  # metric: (indicator of today, help)
    "carecircle_reporting_care_plans_active": ("care_plans_active", "Care plans running today"),
    "carecircle_reporting_visits_today": ("visits_planned", "Visits due today (made, missed or still to come)"),
    "carecircle_reporting_visits_delivered_today": ("visits_delivered", "Visits made today"),
    "carecircle_reporting_cases_overdue": ("cases_overdue", "Open cases with a follow-up overdue"),
    "carecircle_reporting_checkins_unanswered_today": ("checkin_calls_unanswered", "Check-in calls unanswered today"),
}
MISSED_RATE = "carecircle_reporting_visits_missed_ratio"
WEEK = 7  # days the missed-visit rate looks back over, today included


class OperationalFigures(Collector):
    def __init__(self, database: Database) -> None:
        self.database = database

    def collect(self) -> Iterator[GaugeMetricFamily]:
        with self.database.unit_of_work(write=False) as session:
            today, week = figures(datetime.now(UTC), session=session)
        for name, (code, about) in TODAY.items():
            gauge = GaugeMetricFamily(name, about, labels=["municipality"])
            for municipality, value in sorted(today[code].items()):
                gauge.add_metric([municipality], value)
            yield gauge
        yield _missed_rate(week)


def figures(now: datetime, *, session: Session) -> tuple[dict[str, dict[str, float]], dict[str, dict[str, float]]]:
    """Today's and the last week's figures of each municipality (code: municipality: value),
    each in its own calendar."""
    places = sorted(session.scalars(select(Municipality)), key=lambda place: place.timezone)
    today: dict[str, dict[str, float]] = {code: {} for code, _ in TODAY.values()}
    week: dict[str, dict[str, float]] = {"visits_delivered": {}, "visits_missed": {}}
    for zone, same_zone in groupby(places, key=lambda place: place.timezone):
        municipalities, day = list(same_zone), day_of(now, zone)
        for found, period in ((today, Period(day, day)), (week, Period(day - timedelta(days=WEEK - 1), day))):
            frames = indicators.frames_for(period, municipalities, {}, AgeBands([18]))
            measured, _ = indicators.measure(frames, by="municipality", only=found, session=session)
            for code, cells in measured.items():
                found[code].update({place.code: (cells.breakdown or {}).get(place.code) or 0
                                    for place in municipalities})
    return today, week


def _missed_rate(week: dict[str, dict[str, float]]) -> GaugeMetricFamily:
    gauge = GaugeMetricFamily(MISSED_RATE, f"Visits missed of those made or missed, the last {WEEK} days "
                                           "(0 when none)", labels=["municipality"])
    for municipality, missed in sorted(week["visits_missed"].items()):
        made = week["visits_delivered"][municipality]
        gauge.add_metric([municipality], missed / (missed + made) if missed else 0.0)
    return gauge
