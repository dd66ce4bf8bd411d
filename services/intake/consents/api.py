from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from services.intake.access.api import Reads
from services.intake.clients.api import ClientInCare, ClientToNotify, ClientToRead
from services.intake.consents import schemas, service
from shared.auth import FieldStaff, Notifier
from shared.web import Db

router = APIRouter(tags=["consents"])


@router.post("/clients/{client_id}/consents", response_model=schemas.ConsentRecorded, status_code=201,
             summary="Record a client's consent decision (network admin, coordinator or worker of the municipality)")
def record_decision(client: ClientInCare, body: schemas.ConsentCreate, caller: FieldStaff, session: Db):
    consent, in_force = service.record_decision(client, body, recorded_by=caller.subject, session=session)
    return schemas.ConsentRecorded.of(consent, in_force=in_force)


@router.get("/clients/{client_id}/consents", response_model=schemas.ConsentOverview,
            summary="A client's consent in force per purpose, and the history (not analysts)")
def consent_overview(client: ClientToRead, reads: Reads, session: Db):
    in_force, history = service.overview(client, session=session)
    reads.clients("consent", [client.id])
    return schemas.ConsentOverview(
        client_id=client.id,
        in_force={purpose: schemas.ConsentState.of(decision) for purpose, decision in in_force.items()},
        history=[schemas.ConsentRead.model_validate(d) for d in history],
    )


@router.get("/clients/{client_id}/contact", response_model=schemas.ContactRead,
            responses={409: {"description": "Not to be contacted so: moved or died (`field: status`), no consent "
                                            "to that contact (`field: consent`), no address (`field: address`)"}},
            summary="How to reach a client to send them a message, asked at send time (the notifications "
                    "service's token only; the read is logged)")
def contact(client: ClientToNotify, filters: Annotated[schemas.ContactFilters, Query()], reads: Reads, session: Db):
    found = service.contact(client, filters.channel, session=session)
    reads.clients("contact", [client.id])
    return found


@router.post("/clients/contacts", response_model=schemas.ContactAnswers,
             summary="How to reach several clients at once (up to 100), each by a channel: the address, or why "
                     "not as the single lookup's 409 names it, or `unknown` (the notifications service's "
                     "token only; each address given is logged as a read)")
def contacts(body: schemas.ContactsWanted, caller: Notifier, reads: Reads, session: Db):
    answers = service.contacts(body.wanted, caller, session=session)
    reads.clients("contact", {answer.client_id for answer in answers if answer.address is not None})
    return schemas.ContactAnswers(contacts=answers)
