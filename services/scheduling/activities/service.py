"""One-off activities: a health campaign, a training of facilitators or staff, a public
discussion, a coalition meeting. Planned, then held with how many took part
(``scheduling.activity.held.v1``: ids, codes and the count) or cancelled."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.scheduling.activities.schemas import ActivityCreate, ActivityFilters, ActivityHeld
from services.scheduling.catalogue.lookups import require_municipality
from services.scheduling.groups.rules import MEETING_LIFECYCLE, PLANNED
from services.scheduling.models import Activity
from shared.auth import Principal
from shared.errors import Conflict
from shared.events.scheduling import ActivityHeld as Held
from shared.messaging.outbox import record_event
from shared.paging import Page, equal_to_given, paginate, starting_within
from shared.scope import get_in_scope, scope_filter


def plan_activity(data: ActivityCreate, *, now: datetime, session: Session) -> Activity:
    require_municipality(data.municipality, session=session)
    activity = Activity(id=uuid.uuid4(), municipality_code=data.municipality, kind=data.kind, title=data.title,
                        venue_name=data.venue_name, starts_at=data.starts_at,
                        ends_at=data.starts_at + timedelta(minutes=data.duration_minutes), status=PLANNED,
                        created_at=now)
    session.add(activity)
    return activity


def list_activities(filters: ActivityFilters, principal: Principal, *, session: Session) -> Page[Activity]:
    query = select(Activity).where(scope_filter(principal, Activity.municipality_code, only=filters.municipality),
                                   *equal_to_given((Activity.kind, filters.kind)),
                                   *starting_within(Activity.starts_at, filters.starts_from, filters.starts_before))
    return paginate(session, query, filters, order=(Activity.starts_at, Activity.id))


def get_activity(activity_id: uuid.UUID, principal: Principal, *, session: Session,
                 for_update: bool = False) -> Activity:
    return get_in_scope(session, Activity, activity_id, principal, what="activity", for_update=for_update)


def record_held(activity: Activity, data: ActivityHeld, *, now: datetime, session: Session) -> Activity:
    """It took place, with so many participants (again: corrected)."""
    if activity.starts_at > now:
        raise Conflict("the activity has not begun yet", field="starts_at")
    activity.status = MEETING_LIFECYCLE.next(activity.status, "record")
    activity.participants, activity.notes = data.participants, data.notes
    record_event(session, Held(activity_id=activity.id, municipality=activity.municipality_code, kind=activity.kind,
                               held_at=activity.starts_at, participants=data.participants),
                 subject=str(activity.id), municipality=activity.municipality_code)
    return activity


def cancel_activity(activity: Activity) -> Activity:
    activity.status = MEETING_LIFECYCLE.next(activity.status, "cancel")
    return activity
