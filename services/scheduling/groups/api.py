from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query

from services.scheduling.groups import schemas, service
from services.scheduling.models import Group
from shared.auth import Coordinator, FieldStaff, PersonalDataReader
from shared.paging import Page
from shared.web import Db

router = APIRouter(tags=["self-help groups"])


def _read(group: Group, session) -> schemas.GroupRead:
    return schemas.GroupRead.of(group, service.member_count(group, session=session))


@router.post("/groups", response_model=schemas.GroupRead, status_code=201,
             summary="Register a self-help group, club or circle (coordinators): its sessions are planned")
def register_group(body: schemas.GroupCreate, caller: Coordinator, session: Db):
    caller.require_municipality(body.municipality)
    return _read(service.register_group(body, now=datetime.now(UTC), session=session), session)


@router.get("/groups", response_model=Page[schemas.GroupRead],
            summary="Groups of your municipalities by name (a worker: those they run)")
def list_groups(filters: Annotated[schemas.GroupFilters, Query()], caller: PersonalDataReader, session: Db):
    return service.list_groups(filters, caller, session=session).map(lambda group: _read(group, session))


@router.get("/groups/{group_id}", response_model=schemas.GroupRead, summary="One group")
def get_group(group_id: uuid.UUID, caller: PersonalDataReader, session: Db):
    return _read(service.group_in_reach(group_id, caller, session=session), session)


@router.patch("/groups/{group_id}", response_model=schemas.GroupRead,
              summary="Change a group (coordinators): a new time or recurrence re-plans the sessions not yet held")
def update_group(group_id: uuid.UUID, body: schemas.GroupUpdate, caller: Coordinator, session: Db):
    group = service.group_in_reach(group_id, caller, session=session, for_update=True)
    return _read(service.update_group(group, body, now=datetime.now(UTC), session=session), session)


@router.post("/groups/{group_id}/members", response_model=schemas.MemberRead, status_code=201,
             summary="A client joins the group (coordinators, its facilitators); 409 if full or a member already")
def join(group_id: uuid.UUID, body: schemas.MemberJoin, caller: FieldStaff, session: Db):
    group = service.group_in_reach(group_id, caller, session=session, for_update=True)
    return service.join(group, body, now=datetime.now(UTC), session=session)


@router.get("/groups/{group_id}/members", response_model=list[schemas.MemberRead],
            summary="The group's members, past and present, by client id")
def list_members(group_id: uuid.UUID, caller: PersonalDataReader, session: Db):
    return service.list_members(service.group_in_reach(group_id, caller, session=session), session=session)


@router.delete("/groups/{group_id}/members/{client_id}", response_model=schemas.MemberRead,
               summary="A client leaves the group today (coordinators, its facilitators)")
def leave(group_id: uuid.UUID, client_id: uuid.UUID, caller: FieldStaff, session: Db):
    group = service.group_in_reach(group_id, caller, session=session, for_update=True)
    return service.leave(group, client_id, now=datetime.now(UTC), session=session)


@router.get("/groups/{group_id}/sessions", response_model=Page[schemas.SessionRead],
            summary="The group's sessions by start, with who came")
def list_sessions(group_id: uuid.UUID, filters: Annotated[schemas.SessionFilters, Query()],
                  caller: PersonalDataReader, session: Db):
    group = service.group_in_reach(group_id, caller, session=session)
    return service.list_sessions(group, filters, session=session).map(
        lambda meeting: schemas.SessionRead.of(meeting, service.present_at(meeting, session=session)))


@router.put("/groups/{group_id}/sessions/{session_id}/attendance", response_model=schemas.SessionRead,
            summary="Who came to a session (members by client id, others counted), its topic, materials and "
                    "notes (coordinators, its facilitators); again to correct it")
def record_attendance(group_id: uuid.UUID, session_id: uuid.UUID, body: schemas.Attendance, caller: FieldStaff,
                      session: Db):
    group = service.group_in_reach(group_id, caller, session=session)
    meeting = service.session_of(group, session_id, session=session, for_update=True)
    meeting = service.record_attendance(group, meeting, body, by=caller.subject, now=datetime.now(UTC),
                                        session=session)
    return schemas.SessionRead.of(meeting, service.present_at(meeting, session=session))


@router.post("/groups/{group_id}/sessions/{session_id}/cancel", response_model=schemas.SessionRead,
             summary="Cancel a session not yet held (coordinators, its facilitators)")
def cancel_session(group_id: uuid.UUID, session_id: uuid.UUID, caller: FieldStaff, session: Db):
    group = service.group_in_reach(group_id, caller, session=session)
    meeting = service.cancel_session(group, service.session_of(group, session_id, session=session, for_update=True),
                                     session=session)
    return schemas.SessionRead.of(meeting, [])
