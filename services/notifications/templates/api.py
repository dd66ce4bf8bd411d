from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter

from services.notifications.templates import schemas, service
from services.notifications.templates.rules import Language
from shared.auth import Caller, NetworkAdmin
from shared.web import Db

router = APIRouter(tags=["templates"])


@router.get("/templates", response_model=list[schemas.TemplateRead],
            summary="The text of every kind of message in every language, edited or default")
def list_templates(caller: Caller, session: Db):
    return service.list_templates(session=session)


@router.get("/templates/{kind}/{language}", response_model=schemas.TemplateRead,
            summary="The text of a kind of message in a language")
def get_template(kind: str, language: Language, caller: Caller, session: Db):
    return service.get_template(kind, language, session=session)


@router.put("/templates/{kind}/{language}", response_model=schemas.TemplateRead,
            summary="Edit the text of a kind of message in a language (network admins): $name placeholders")
def save_template(kind: str, language: Language, body: schemas.TemplateWrite, caller: NetworkAdmin, session: Db):
    return service.save_template(kind, language, body, by=caller.subject, now=datetime.now(UTC), session=session)


@router.delete("/templates/{kind}/{language}", response_model=schemas.TemplateRead,
               summary="Back to the default text (network admins)")
def reset_template(kind: str, language: Language, caller: NetworkAdmin, session: Db):
    return service.reset_template(kind, language, session=session)


@router.post("/templates/{kind}/{language}/preview", response_model=schemas.Preview,
             summary="The text filled in with believable values as it would go out, and what it costs as SMS")
def preview(kind: str, language: Language, body: schemas.PreviewRequest, caller: Caller, session: Db):
    return service.preview(kind, language, body, session=session)
