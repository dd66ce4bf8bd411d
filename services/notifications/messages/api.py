"""Messages as coordinators follow them (listing, resending), the call list with its
outcomes, staff's in-app inbox, and the SMS provider's delivery receipts."""
from __future__ import annotations

import hmac
import uuid
from datetime import UTC, datetime
from typing import Annotated
from urllib.parse import parse_qsl

from fastapi import APIRouter, Header, Query, Request
from sqlalchemy.orm import Session

from services.notifications.channels.sms import receipt_signature
from services.notifications.messages import service
from services.notifications.messages.schemas import CallFilters, CallOutcome, MessageFilters, MessageRead, TaskRead
from services.notifications.models import Message
from shared.auth import Caller, Coordinator, FieldStaff
from shared.errors import Invalid, Unauthorized
from shared.paging import Page
from shared.web import AppSettings, Db

router = APIRouter(tags=["messages"])


@router.get("/messages", response_model=Page[MessageRead],
            summary="Messages of your municipalities, the newest first, with status, attempts and failure")
def list_messages(filters: Annotated[MessageFilters, Query()], caller: Coordinator, session: Db):
    return service.list_messages(filters, caller, session=session).map(MessageRead.model_validate)


@router.get("/messages/{message_id}", response_model=MessageRead, summary="One message")
def get_message(message_id: uuid.UUID, caller: Coordinator, session: Db):
    return service.get_message(message_id, caller, session=session)


@router.post("/messages/{message_id}/resend", response_model=MessageRead,
             summary="Queue a failed or expired message again (409 for any other)")
def resend(message_id: uuid.UUID, caller: Coordinator, session: Db):
    return service.resend(message_id, caller, now=datetime.now(UTC), session=session)


@router.get("/calls", response_model=Page[TaskRead],
            summary="The call list: people to phone or go and see, with why, the oldest first")
def list_calls(filters: Annotated[CallFilters, Query()], caller: FieldStaff, session: Db):
    return service.list_calls(filters, caller, session=session).map(lambda call: _task(call, session))


@router.post("/calls/{message_id}/outcome", response_model=TaskRead,
             summary="Record how a call went: reached or visited closes it")
def record_outcome(message_id: uuid.UUID, body: CallOutcome, caller: FieldStaff, session: Db):
    return _task(service.record_outcome(message_id, body, caller, now=datetime.now(UTC), session=session), session)


@router.get("/inbox", response_model=list[TaskRead], summary="Your in-app messages, the newest first")
def inbox(caller: Caller, session: Db):
    return [_task(message, session) for message in service.inbox(caller, session=session)]


@router.post("/inbox/{message_id}/read", response_model=TaskRead, summary="Mark an in-app message read")
def read(message_id: uuid.UUID, caller: Caller, session: Db):
    return _task(service.read(message_id, caller, session=session), session)


@router.post("/receipts/sms", status_code=204,
             summary="The SMS provider's delivery receipt (form fields MessageSid, MessageStatus; signed)")
async def sms_receipt(request: Request, settings: AppSettings, session: Db,
                      x_twilio_signature: Annotated[str, Header()] = ""):
    form = dict(parse_qsl((await request.body()).decode("utf-8", "replace")))
    url = settings.sms_status_callback or str(request.url)
    expected = receipt_signature(url, form, settings.sms_token.get_secret_value())
    if not settings.sms_token.get_secret_value() or not hmac.compare_digest(expected, x_twilio_signature):
        raise Unauthorized("the receipt's signature does not verify")
    if not form.get("MessageSid") or not form.get("MessageStatus"):
        raise Invalid("MessageSid", "MessageSid and MessageStatus are required")
    service.receipt(form["MessageSid"], form["MessageStatus"], session=session)


def _task(message: Message, session: Session) -> TaskRead:
    """The message with its text, as the person acting on it reads it."""
    subject, body = service.text_of(message, session=session)
    return TaskRead(**MessageRead.model_validate(message).model_dump(), subject=subject, body=body)
