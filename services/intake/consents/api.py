from __future__ import annotations

import uuid

from fastapi import APIRouter

from services.intake.clients.service import get_client
from services.intake.consents import service
from services.intake.consents.schemas import ConsentCreate, ConsentOverview, ConsentRead, ConsentRecorded, ConsentState
from shared.auth import FieldStaff, PersonalDataReader
from shared.web import Db

router = APIRouter(tags=["consents"])


@router.post("/clients/{client_id}/consents", response_model=ConsentRecorded, status_code=201,
             summary="Record a client's consent decision (network admin, coordinator or worker of the municipality)")
def record_decision(client_id: uuid.UUID, body: ConsentCreate, caller: FieldStaff,
                    session: Db):
    client = get_client(client_id, caller, session=session)
    consent, in_force = service.record_decision(client, body, recorded_by=caller.subject, session=session)
    return ConsentRecorded.of(consent, in_force=in_force)


@router.get("/clients/{client_id}/consents", response_model=ConsentOverview,
            summary="A client's consent in force per purpose, and the history (not analysts)")
def consent_overview(client_id: uuid.UUID, caller: PersonalDataReader,
                     session: Db):
    client = get_client(client_id, caller, session=session)
    in_force, history = service.overview(client, session=session)
    return ConsentOverview(
        client_id=client.id,
        in_force={purpose: ConsentState.of(decision) for purpose, decision in in_force.items()},
        history=[ConsentRead.model_validate(d) for d in history],
    )
