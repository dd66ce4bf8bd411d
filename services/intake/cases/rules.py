"""The case register's rules as pure functions: no session, no HTTP.

Status moves (``LIFECYCLE``, one table; read it as "from -> may go to"):

    open         -> in_progress, referred, resolved, closed
    in_progress  -> referred, resolved, closed
    referred     -> in_progress, resolved, closed   (the institution answered, or sent it back)
    resolved     -> in_progress, closed             (reopened when the problem comes back)
    closed       -> (nothing)

Any case that is not closed may be closed: a client moves away, dies or refuses
help without the problem being resolved. ``closed`` is final; a problem that
returns after closing is a new case. Nothing goes back to ``open``, which only
means "nobody has started on it yet".
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import get_args

from shared.errors import FieldError
from shared.events.intake import CaseStatus
from shared.lifecycle import Lifecycle

STATUSES: tuple[str, ...] = get_args(CaseStatus)
OPEN, IN_PROGRESS, REFERRED, RESOLVED, CLOSED = "open", "in_progress", "referred", "resolved", "closed"
INITIAL_STATUS = OPEN

# Where a case was found. A visit or a group session is a record of scheduling with a
# UUID, and origin_ref names it; a campaign has no record anywhere yet and a walk-in
# refers to nothing, so they take no reference (a reference travels in events).
VISIT, GROUP_SESSION = "visit", "group_session"
REFERENCED_ORIGINS = (VISIT, GROUP_SESSION)

# How far from today a case's dates may lie: typing slips (2206, 0202) are caught, real records and plans pass.
YEARS_BACK, YEARS_AHEAD = 10, 5

# Where a visit's concern lands when its category is absent or not in the
# case_category code list: the case is opened anyway and a coordinator re-files it.
FALLBACK_CATEGORY = "other"


def _may_become(current: str, *targets: str) -> dict[tuple[str, str], str]:
    """The moves from ``current``: the action is the status asked for."""
    return {(current, new): new for new in targets}


def _refusal(current: str, new: str, allowed: Sequence[str]) -> str:
    may = ", ".join(sorted(allowed)) or "nothing: it is final"
    return f"a case that is {current} cannot become {new}; it may become {may}"


LIFECYCLE = Lifecycle({
    **_may_become(OPEN, IN_PROGRESS, REFERRED, RESOLVED, CLOSED),
    **_may_become(IN_PROGRESS, REFERRED, RESOLVED, CLOSED),
    **_may_become(REFERRED, IN_PROGRESS, RESOLVED, CLOSED),
    **_may_become(RESOLVED, IN_PROGRESS, CLOSED),
}, initial=OPEN, refusal=_refusal)


def subject_problem(client_id: object | None, household_id: object | None) -> FieldError | None:
    """A case is about exactly one client or one household."""
    if client_id is None and household_id is None:
        return "client_id", "give the client_id or the household_id the case is about"
    if client_id is not None and household_id is not None:
        return "household_id", "give either client_id or household_id, not both"
    return None


def origin_ref_problem(origin: str, origin_ref: object | None) -> FieldError | None:
    """Only a visit or a group session is referred to (by its id)."""
    if origin_ref is not None and origin not in REFERENCED_ORIGINS:
        return "origin_ref", f"a case found at a {origin.replace('_', '-')} refers to no record; leave origin_ref out"
    return None


def date_problem(day: date, today: date) -> str | None:
    """Why ``day`` is beyond any date a case register holds, or None."""
    if day < today - timedelta(days=366 * YEARS_BACK):
        return f"{day} is more than {YEARS_BACK} years ago"
    if day > today + timedelta(days=366 * YEARS_AHEAD):
        return f"{day} is more than {YEARS_AHEAD} years ahead"
    return None


def follow_up_problem(*, kind: str, institution: str | None, expert: str | None, due_on: date | None,
                      done_on: date | None, outcome: str | None, next_due_on: date | None,
                      today: date) -> FieldError | None:
    """The first thing wrong with a follow-up, checked in the order a user fills the form."""
    if kind == "referral" and not institution:
        return "institution", "a referral names the institution it goes to"
    if kind != "referral" and institution:
        return "institution", "only a referral goes to an institution"
    if kind == "consultation" and not expert:
        return "expert", "a consultation names the expert consulted (or the case has a supervising expert)"
    if kind != "consultation" and expert:
        return "expert", "only a consultation names an expert"
    if due_on is None and done_on is None:
        return "due_on", "a follow-up is either planned (due_on) or done (done_on)"
    if done_on is not None and done_on > today:
        return "done_on", f"{done_on} is in the future (today is {today})"
    if outcome and done_on is None:
        return "outcome", "an outcome is recorded with the date it was done (done_on)"
    if next_due_on is not None and done_on is None:
        return "next_due_on", "the next follow-up is scheduled when this one is recorded as done"
    if next_due_on is not None and next_due_on <= done_on:
        return "next_due_on", f"the next follow-up must be due after {done_on}"
    return None


def days_overdue(due_on: date, as_of: date) -> int:
    """Whole days past due; 0 or less means not overdue yet."""
    return (as_of - due_on).days
