"""Assessment templates (written by the network admin) and the assessments of a client (recorded
by their assessor, or by a coordinator or admin on the assessor's behalf; read by everyone who
works with clients)."""
from __future__ import annotations

import uuid

from fastapi import APIRouter, Query

from services.intake.access.api import Reads
from services.intake.assessments import schemas, service
from services.intake.clients.api import ClientInCare, ClientToRead
from shared.auth import COORDINATORS, Caller, FieldStaff, NetworkAdmin, Principal
from shared.errors import Forbidden
from shared.types import Code
from shared.web import Db

router = APIRouter(tags=["assessments"])

# Who may see a client's assessments: everyone who works with clients, not analysts.


@router.post("/assessment-templates", response_model=schemas.TemplateRead, status_code=201,
             summary="Create an assessment template, or the next version of one (network admin)")
def create_template(body: schemas.TemplateCreate, _admin: NetworkAdmin, session: Db):
    return service.create_template(body, session=session)


@router.get("/assessment-templates", response_model=list[schemas.TemplateRead],
            summary="Assessment templates: the latest version of each, or all versions")
def list_templates(_caller: Caller, session: Db, network: schemas.NetworkCode | None = None,
                   code: Code | None = None,
                   all_versions: bool = Query(False, description="Every version, oldest first, not only the latest")):
    return service.list_templates(network=network, code=code, all_versions=all_versions, session=session)


@router.get("/assessment-templates/{template_id}", response_model=schemas.TemplateRead,
            summary="One version of an assessment template")
def get_template(template_id: uuid.UUID, _caller: Caller, session: Db):
    return service.get_template(template_id, session=session)


@router.post("/clients/{client_id}/assessments", response_model=schemas.AssessmentRead, status_code=201,
             summary="Record a needs assessment of a client: you are its assessor, or a coordinator or admin "
                     "names the assessor (network admin, coordinator or worker of the municipality)")
def record_assessment(client: ClientInCare, body: schemas.AssessmentCreate, caller: FieldStaff, session: Db):
    assessment = service.record_assessment(client, body, assessor=_assessor(body.assessor, caller),
                                           recorded_by=caller.subject, session=session)
    return schemas.AssessmentRead.of(assessment)


def _assessor(named: str | None, caller: Principal) -> str:
    """The caller, unless a coordinator or admin names someone else (anyone else naming another: 403)."""
    if named is None or named == caller.subject:
        return caller.subject
    if not caller.roles & COORDINATORS:
        raise Forbidden("only a network admin or coordinator records an assessment on its assessor's behalf",
                        field="assessor")
    return named


@router.get("/clients/{client_id}/assessments", response_model=list[schemas.AssessmentRead],
            summary="A client's assessments, the latest first")
def list_assessments(client: ClientToRead, reads: Reads, session: Db):
    reads.clients("assessment", [client.id])
    return [schemas.AssessmentRead.of(a) for a in service.list_assessments(client, session=session)]


@router.get("/clients/{client_id}/assessments/{assessment_id}", response_model=schemas.AssessmentRead,
            summary="One assessment of a client")
def get_assessment(client: ClientToRead, assessment_id: uuid.UUID, reads: Reads, session: Db):
    assessment = service.get_assessment(client, assessment_id, session=session)
    reads.clients("assessment", [client.id])
    return schemas.AssessmentRead.of(assessment)
