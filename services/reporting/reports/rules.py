"""What a period progress report holds and how its making moves, as data and pure functions."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from shared.lifecycle import Lifecycle

Status = Literal["queued", "making", "made", "failed", "frozen"]
QUEUED, MAKING, MADE, FAILED, FROZEN = get_args(Status)
Format = Literal["json", "csv", "xlsx", "pdf"]
Language = Literal["bg", "pl", "uk", "en"]
LANGUAGES: tuple[Language, ...] = get_args(Language)

# (from, action) -> to. A report is made again (``remake``) to take late events in, until it
# is frozen: then its snapshot never changes, and the next report shows what changed since.
LIFECYCLE = Lifecycle({
    (QUEUED, "start"): MAKING,
    (MAKING, "start"): MAKING,  # a worker that died is replaced by another
    (MAKING, "finish"): MADE,
    (MAKING, "fail"): FAILED,
    (MADE, "freeze"): FROZEN,
    (MADE, "remake"): QUEUED,
    (FAILED, "remake"): QUEUED,
}, initial=QUEUED)


@dataclass(frozen=True)
class Section:
    """A table of the report: figures, broken down by ``by`` (None: one row). ``whole`` marks
    the figures no programme narrows (staff, groups, activities, messages): for a programme's
    report they are the whole municipality's, and the report says so."""

    code: str
    figures: tuple[str, ...]
    by: str | None = None
    chart: bool = False  # drawn as bars too (PDF, XLSX)
    networks_only: bool = False  # only where the report covers several municipalities
    whole: bool = False


SECTIONS = (
    Section("clients", ("clients_registered", "clients_assessed", "clients_served", "agreements_signed",
                        "care_plans_active")),
    Section("clients_by_target_group", ("clients_served",), by="target_group", chart=True),
    Section("clients_by_age_band", ("clients_served",), by="age_band", chart=True),
    Section("clients_by_sex", ("clients_served",), by="sex"),
    Section("visits", ("visits_planned", "visits_delivered", "visits_missed", "visits_cancelled", "hours_planned",
                       "hours_delivered")),
    Section("hours_by_service_type", ("visits_planned", "hours_planned", "visits_delivered", "hours_delivered"),
            by="service_type", chart=True),
    Section("hours_by_staff_role", ("visits_delivered", "hours_delivered"), by="staff_role"),
    Section("staff", ("staff_headcount",), by="staff_role", whole=True),
    Section("groups", ("groups_formed", "sessions_held", "participants_unique", "attendance_total"), whole=True),
    Section("activities", ("activities_held", "activity_participants"), by="kind", whole=True),
    Section("cases", ("cases_opened", "cases_resolved", "cases_open", "cases_overdue", "days_to_resolution_median")),
    Section("cases_by_category", ("cases_opened", "cases_resolved", "cases_open"), by="kind"),
    Section("contact", ("checkin_calls_made", "checkin_calls_unanswered")),
    Section("escalations_and_messages", ("escalations_raised", "messages_sent", "messages_failed"), whole=True),
    Section("municipalities", ("clients_served", "care_plans_active", "visits_delivered", "hours_delivered",
                               "sessions_held", "cases_opened"), by="municipality", chart=True, networks_only=True),
)


def sections_of(places: list[str]) -> list[Section]:
    return [section for section in SECTIONS if len(places) > 1 or not section.networks_only]


def section(code: str) -> Section:
    return next(section for section in SECTIONS if section.code == code)


def language_of(languages: set[str]) -> Language:
    """The report's language when none is asked for: its municipalities' own, if they share one
    that reports are written in, else English."""
    (only,) = languages if len(languages) == 1 else ("en",)
    return only if only in LANGUAGES else "en"  # type: ignore[return-value]
