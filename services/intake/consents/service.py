"""Consent per purpose: the latest decision is in force (see ``rules``).

For the other features: ``consent_in_force`` answers yes or no, and
``require_consent`` raises a 409 naming the missing consent, e.g. before a
care plan activates or a message goes out."""
from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.intake.access.lookups import readable
from services.intake.careplans import transitions as care_plans
from services.intake.catalogue.lookups import today_in
from services.intake.clients.rules import DECEASED, DEPARTED
from services.intake.consents import rules
from services.intake.consents.rules import CONTACT_PURPOSES, SERVICES, check_decided_on
from services.intake.consents.schemas import ConsentCreate, ContactAnswer, ContactRead, ContactWanted
from services.intake.models import Client, Consent
from shared.auth import Principal
from shared.errors import Conflict, Invalid
from shared.events.intake import ConsentGiven, ConsentWithdrawn
from shared.messaging.outbox import record_event


def decision_in_force(client_id: uuid.UUID, purpose: str, *, session: Session) -> Consent | None:
    decisions = session.scalars(select(Consent).where(Consent.client_id == client_id, Consent.purpose == purpose))
    return rules.latest(decisions)


def consent_in_force(client_id: uuid.UUID, purpose: str, *, session: Session) -> bool:
    """Whether the client's latest decision for ``purpose`` is a consent."""
    decision = decision_in_force(client_id, purpose, session=session)
    return bool(decision and decision.given)


def require_consent(client_id: uuid.UUID, purpose: str, *, session: Session, field: str = "consent") -> None:
    """409 naming ``field`` (and ``missing_consent``: the purpose) unless the client's consent is in force."""
    decision = decision_in_force(client_id, purpose, session=session)
    if decision and decision.given:
        return
    why = (f"withdrew or refused it on {decision.decided_on.isoformat()}" if decision
           else "has not given it (nothing recorded)")
    raise Conflict(f"the client's consent for {purpose} is required: the client {why}",
                   field=field, missing_consent=purpose)


def contact(client: Client, channel: str, *, session: Session) -> ContactRead:
    """How to reach the client by ``channel`` to send them a message, or a 409 naming why not:
    ``status`` (moved or died), ``consent`` (to that kind of contact not in force), ``address``
    (none recorded). An erased client is unknown (404)."""
    if client.status in DEPARTED:
        raise Conflict(f"the client has {'died' if client.status == DECEASED else 'moved away'}: no message "
                       "goes to them", field="status")
    require_consent(client.id, CONTACT_PURPOSES[channel], session=session)
    address = client.email if channel == "email" else client.phone
    if not address:
        raise Conflict(f"no {'e-mail address' if channel == 'email' else 'phone'} is recorded", field="address")
    return ContactRead(client_id=client.id, channel=channel, address=address, language=client.preferred_language)


def contacts(wanted: list[ContactWanted], principal: Principal, *, session: Session) -> list[ContactAnswer]:
    """``contact`` for each client and channel wanted, in order: the address, or why not."""
    ids = {item.client_id for item in wanted}
    found = {client.id: client for client in session.scalars(
        select(Client).where(Client.id.in_(ids), readable(principal, Client)))}
    return [_answer(found.get(item.client_id), item, session=session) for item in wanted]


def _answer(client: Client | None, item: ContactWanted, *, session: Session) -> ContactAnswer:
    if client is None:
        return ContactAnswer(client_id=item.client_id, channel=item.channel, refused="unknown")
    try:
        address = contact(client, item.channel, session=session).address
    except Conflict as refused:
        return ContactAnswer(client_id=client.id, channel=item.channel, refused=refused.extra["field"])
    return ContactAnswer(client_id=client.id, channel=item.channel, address=address)


def record_decision(client: Client, data: ConsentCreate, *, recorded_by: str,
                    session: Session) -> tuple[Consent, bool]:
    """Records the decision and returns it with whether it is now in force. Only a
    decision that comes into force is published: others act on the state in force.
    Without the consent to services in force, the client's active plans are suspended.
    The client is locked first, as a plan's activation does, so that the two never
    interleave: a plan cannot start on a consent being withdrawn."""
    client = care_plans.lock_client(client.id, session=session)
    _check_decided_on(client, data.decided_on, session=session)
    consent = Consent(id=uuid.uuid4(), client_id=client.id, recorded_by=recorded_by,
                      recorded_at=datetime.now(UTC), **data.model_dump())
    session.add(consent)
    current = decision_in_force(client.id, data.purpose, session=session)  # this one, or one decided later
    in_force = current is consent
    if in_force:
        event = ConsentGiven if consent.given else ConsentWithdrawn
        record_event(session, event(client_id=client.id, municipality=client.municipality_code,
                                    purpose=consent.purpose, decided_on=consent.decided_on),
                     subject=str(client.id), municipality=client.municipality_code)
    if consent.purpose == SERVICES and current is not None and not current.given:
        # In the transaction of the decision: no visits once the consent to services is gone.
        care_plans.suspend_plans_of_withdrawn_consent(client, withdrawn_on=current.decided_on, by=recorded_by,
                                                      session=session)
    return consent, in_force


def _check_decided_on(client: Client, decided_on: date, *, session: Session) -> None:
    try:
        check_decided_on(decided_on, today=today_in(client.municipality_code, session=session),
                         born_on=client.birth_date)
    except ValueError as exc:
        raise Invalid("decided_on", str(exc)) from None


def overview(client: Client, *, session: Session) -> tuple[dict[str, Consent | None], list[Consent]]:
    """The decision in force per purpose, and the whole history, the latest first."""
    history = list(session.scalars(select(Consent).where(Consent.client_id == client.id)))
    history.sort(key=rules.recency, reverse=True)
    return rules.in_force(history), history
