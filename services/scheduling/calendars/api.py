from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Path, Request, Response

from services.scheduling.calendars import service
from services.scheduling.calendars.schemas import FeedAddress
from services.scheduling.delivery.service import member_in_reach
from services.scheduling.groups.service import group_in_reach
from shared.auth import Coordinator, FieldStaff
from shared.web import Db

router = APIRouter(tags=["calendars"])
ICS = "text/calendar; charset=utf-8"
# The secret of a feed, as ``secrets.token_urlsafe(32)`` writes it.
Token = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{20,100}$", description="The feed's secret")]


@router.post("/staff/{staff_id}/calendar", response_model=FeedAddress,
             summary="Issue (again) the secret address of a member's calendar feed (coordinators; a worker their own)")
def issue_staff_feed(staff_id: uuid.UUID, request: Request, caller: FieldStaff, session: Db):
    token = service.issue_token(member_in_reach(staff_id, caller, session=session, for_update=True))
    return FeedAddress(url=str(request.url_for("staff_feed", token=token)))


@router.post("/groups/{group_id}/calendar", response_model=FeedAddress,
             summary="Issue (again) the secret address of a group's calendar feed (coordinators)")
def issue_group_feed(group_id: uuid.UUID, request: Request, caller: Coordinator, session: Db):
    token = service.issue_token(group_in_reach(group_id, caller, session=session, for_update=True))
    return FeedAddress(url=str(request.url_for("group_feed", token=token)))


@router.get("/calendars/staff/{token}.ics", response_class=Response, name="staff_feed",
            responses={200: {"content": {"text/calendar": {}}}},
            summary="A member's visits and group sessions, iCalendar (the address is the secret: no token)")
def staff_feed(token: Token, session: Db):
    return Response(service.staff_feed(token, now=datetime.now(UTC), session=session), media_type=ICS)


@router.get("/calendars/groups/{token}.ics", response_class=Response, name="group_feed",
            responses={200: {"content": {"text/calendar": {}}}},
            summary="A group's sessions, iCalendar (the address is the secret: no token)")
def group_feed(token: Token, session: Db):
    return Response(service.group_feed(token, now=datetime.now(UTC), session=session), media_type=ICS)
