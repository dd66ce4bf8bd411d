"""Self-help groups, their sessions and who came, and one-off activities (trainings, campaigns)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from services.reporting.models import Activity, Attendance, Group, GroupSession
from shared.events.scheduling import ActivityHeld, GroupChanged, GroupRegistered, SessionHeld
from shared.replicas import keep_latest_values, replace_rows


def keep_group(event: GroupRegistered | GroupChanged, *, at: datetime, session: Session) -> None:
    keep_latest_values(session, Group.__table__, {
        "group_id": event.group_id, "municipality": event.municipality, "topic": event.topic,
        "starts_on": event.starts_on, "ends_on": event.ends_on, "as_of": at})


def keep_session(event: SessionHeld, *, at: datetime, session: Session) -> None:
    """A session recorded again replaces what was kept of it, who came included."""
    present = set(event.present)
    if keep_latest_values(session, GroupSession.__table__, {
            "session_id": event.session_id, "group_id": event.group_id, "municipality": event.municipality,
            "topic": event.topic, "held_at": event.held_at, "members_present": len(present),
            "anonymous_participants": event.anonymous_participants, "as_of": at}):
        replace_rows(session, Attendance.__table__, "session_id", event.session_id,
                     [{"session_id": event.session_id, "client_id": client_id} for client_id in sorted(present)])


def keep_activity(event: ActivityHeld, *, at: datetime, session: Session) -> None:
    keep_latest_values(session, Activity.__table__, {
        "activity_id": event.activity_id, "municipality": event.municipality, "kind": event.kind,
        "held_at": event.held_at, "participants": event.participants, "as_of": at})
