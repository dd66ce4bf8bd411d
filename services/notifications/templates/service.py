"""The texts messages go out in: one per kind of message and language, the default one
until the network edits it; a preview fills a text in with believable values as it would
go out, and says what it costs as SMS."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.notifications.channels.sms import segments
from services.notifications.models import MessageTemplate, Municipality
from services.notifications.templates import rules
from services.notifications.templates.schemas import Cost, Preview, PreviewRequest, TemplateRead, TemplateWrite
from shared.errors import Invalid, NotFound


def get_template(kind: str, language: str, *, session: Session) -> TemplateRead:
    _require_kind(kind)
    return _read(kind, language, session.get(MessageTemplate, (kind, language)))


def list_templates(*, session: Session) -> list[TemplateRead]:
    """Every kind in every language, edited or default, by kind and language."""
    edited = {(row.kind, row.language): row for row in session.scalars(select(MessageTemplate))}
    return [_read(kind, language, edited.get((kind, language))) for kind in sorted(rules.KINDS)
            for language in rules.LANGUAGES]


def save_template(kind: str, language: str, data: TemplateWrite, *, by: str, now: datetime,
                  session: Session) -> TemplateRead:
    """The kind's text in the language from now on: 422 naming the field for a placeholder it has no value for."""
    _require_kind(kind)
    _check_text(kind, subject=data.subject, body=data.body)
    row = session.get(MessageTemplate, (kind, language)) or MessageTemplate(kind=kind, language=language)
    row.subject, row.body, row.updated_at, row.updated_by = data.subject, data.body, now, by
    session.add(row)
    return _read(kind, language, row)


def reset_template(kind: str, language: str, *, session: Session) -> TemplateRead:
    """Back to the default text."""
    _require_kind(kind)
    row = session.get(MessageTemplate, (kind, language))
    if row is not None:
        session.delete(row)
    return _read(kind, language, None)


def preview(kind: str, language: str, data: PreviewRequest, *, session: Session) -> Preview:
    saved = get_template(kind, language, session=session)
    subject, body = data.subject or saved.subject, data.body or saved.body
    _check_text(kind, subject=subject, body=body)
    zone = _zone(data.municipality, session=session)
    values = rules.sample(kind)
    text = rules.fill(body, kind, values, language=language, zone=zone)
    cost = segments(text)
    return Preview(subject=rules.fill(subject, kind, values, language=language, zone=zone), text=text,
                   sms=Cost(encoding=cost.encoding, units=cost.units, segments=cost.count),
                   warning=f"costs {cost.count} SMS ({cost.encoding})" if cost.count > 1 else None)


def _read(kind: str, language: str, row: MessageTemplate | None) -> TemplateRead:
    spec = rules.KINDS[kind]
    subject, body = (row.subject, row.body) if row else spec.texts[language]
    return TemplateRead(kind=kind, language=language, to=spec.to, params=dict(spec.params), subject=subject,
                        body=body, edited=row is not None, updated_at=row.updated_at if row else None,
                        updated_by=row.updated_by if row else None)


def _check_text(kind: str, **texts: str) -> None:
    errors = [(field, error) for field, text in texts.items() if (error := rules.text_error(kind, text))]
    if errors:
        raise Invalid.fields(errors)


def _require_kind(kind: str) -> None:
    if kind not in rules.KINDS:
        raise NotFound("kind of message", kind)


def _zone(municipality: str | None, *, session: Session) -> str:
    if municipality is None:
        return "UTC"
    found = session.get(Municipality, municipality)
    if found is None:
        raise Invalid("municipality", f"no municipality {municipality} (known to notifications from intake)")
    return found.timezone
