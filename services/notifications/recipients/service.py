"""The people messages go to, as notifications knows them: a replica of intake's clients
(language and whether in care, ids only) and everyone's preferences (opt-out, channel,
language). ``reach`` answers how a message to someone goes out, or why it does not."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from services.notifications.catalogue.service import language_of
from services.notifications.models import Client, Preference
from services.notifications.recipients import rules
from services.notifications.recipients.schemas import PreferenceWrite
from shared.auth import Principal
from shared.errors import NotFound
from shared.events.intake import ClientRegistered, ClientUpdated
from shared.replicas import keep_latest
from shared.settings import get_settings


@dataclass(frozen=True)
class Reach:
    channel: str
    language: str


def keep_client(event: ClientRegistered | ClientUpdated, *, as_of: datetime, session: Session) -> bool:
    """Keeps the client's language and status; whether they are out of care now."""
    status = event.status if isinstance(event, ClientUpdated) else rules.IN_CARE
    kept = keep_latest(session, Client(id=event.client_id, municipality_code=event.municipality,
                                       language=event.language, status=status, as_of=as_of))
    return kept is not None and kept.status != rules.IN_CARE


def reach(recipient: str, municipality: str, *, session: Session, task: bool = False) -> Reach | str:
    """How a message to ``recipient`` goes out, or why it does not (``rules.why_not``)."""
    preference, client = session.get(Preference, recipient), _client(recipient, session=session)
    why_not = rules.why_not(preference.opted_out if preference else None, client.status if client else None,
                            task=task)
    if why_not is not None:
        return why_not
    language = (preference and preference.language) or (client and client.language) or \
        language_of(municipality, session=session)
    return Reach((preference and preference.channel) or default_channel(recipient), language)


# What refusal reads, built once: it is asked for every message sent.
_REFUSAL = select(select(Preference.opted_out).where(Preference.recipient == bindparam("recipient")).scalar_subquery(),
                  select(Client.status).where(Client.id == bindparam("client_id")).scalar_subquery())


def refusal(recipient: str, *, session: Session, task: bool = False) -> str | None:
    """``rules.why_not`` for ``recipient`` now, read in one statement on the session's connection."""
    opted_out, status = session.connection().execute(
        _REFUSAL, {"recipient": recipient, "client_id": rules.client_id_of(recipient)}).one()
    return rules.why_not(opted_out, status, task=task)


def _client(recipient: str, *, session: Session) -> Client | None:
    client_id = rules.client_id_of(recipient)
    return session.get(Client, client_id) if client_id else None


def default_channel(recipient: str) -> str:
    settings = get_settings()
    if rules.is_client(recipient):
        return settings.client_channel or ("log" if settings.embedded else "sms")
    return settings.staff_channel or ("log" if settings.embedded else "inbox")


# -- preferences -------------------------------------------------------------------------------


def client_preference(client_id: uuid.UUID, principal: Principal, *, session: Session) -> Preference:
    _client_in_reach(client_id, principal, session=session)
    return _preference(rules.client(client_id), session=session)


def set_client_preference(client_id: uuid.UUID, change: PreferenceWrite, principal: Principal, *, now: datetime,
                          session: Session) -> Preference:
    _client_in_reach(client_id, principal, session=session)
    return _save(rules.client(client_id), change, by=principal.subject, now=now, session=session)


def own_preference(principal: Principal, *, session: Session) -> Preference:
    return _preference(rules.staff(principal.subject), session=session)


def set_own_preference(change: PreferenceWrite, principal: Principal, *, now: datetime,
                       session: Session) -> Preference:
    return _save(rules.staff(principal.subject), change, by=principal.subject, now=now, session=session)


def _client_in_reach(client_id: uuid.UUID, principal: Principal, *, session: Session) -> Client:
    client = session.get(Client, client_id)
    if client is None or not principal.can_access(client.municipality_code):
        raise NotFound("client", client_id)
    return client


def _preference(recipient: str, *, session: Session) -> Preference:
    return session.get(Preference, recipient) or Preference(recipient=recipient, opted_out=False, channel=None,
                                                            language=None)


def _save(recipient: str, change: PreferenceWrite, *, by: str, now: datetime, session: Session) -> Preference:
    preference = session.merge(Preference(recipient=recipient, **change.model_dump(), updated_at=now, updated_by=by))
    session.flush()
    return preference
