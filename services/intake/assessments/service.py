"""Needs assessments against versioned templates of the network.

A template is never changed: posting it again makes the next version, and an
assessment keeps pointing at the version it was scored with."""
from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.intake.assessments.rules import score_errors
from services.intake.assessments.schemas import AssessmentCreate, TemplateCreate
from services.intake.catalogue.lookups import require_network, today_in
from services.intake.models import Assessment, AssessmentTemplate, Client, Municipality
from shared.db import flush_unique
from shared.errors import Conflict, Invalid, NotFound
from shared.events.intake import AssessmentRecorded
from shared.messaging.outbox import record_event

# -- templates ----------------------------------------------------------------------


def create_template(data: TemplateCreate, *, session: Session) -> AssessmentTemplate:
    require_network(data.network, session=session)
    template = AssessmentTemplate(
        network_code=data.network, code=data.code, version=_latest_version(data.network, data.code, session) + 1,
        names=data.names, domains=[d.model_dump() for d in data.domains], created_at=datetime.now(UTC))
    session.add(template)
    # Another version numbered the same may have been created at the same moment.
    flush_unique(session, Conflict(f"template {data.code} changed meanwhile; post it again", field="code"))
    return template


def _latest_version(network: str, code: str, session: Session) -> int:
    latest = session.scalar(select(func.max(AssessmentTemplate.version))
                            .where(AssessmentTemplate.network_code == network, AssessmentTemplate.code == code))
    return latest or 0


def list_templates(*, network: str | None, code: str | None, all_versions: bool,
                   session: Session) -> list[AssessmentTemplate]:
    query = select(AssessmentTemplate)
    if network:
        query = query.where(AssessmentTemplate.network_code == network)
    if code:
        query = query.where(AssessmentTemplate.code == code)
    if not all_versions:
        query = query.where(AssessmentTemplate.version == _latest_of_its_code())
    order = (AssessmentTemplate.network_code, AssessmentTemplate.code, AssessmentTemplate.version)
    return list(session.scalars(query.order_by(*order)))


def _latest_of_its_code():
    newer = AssessmentTemplate.__table__.alias("newer")
    return (select(func.max(newer.c.version))
            .where(newer.c.network_code == AssessmentTemplate.network_code, newer.c.code == AssessmentTemplate.code)
            .scalar_subquery())


def get_template(template_id: uuid.UUID, *, session: Session) -> AssessmentTemplate:
    template = session.get(AssessmentTemplate, template_id)
    if template is None:
        raise NotFound("assessment template", template_id)
    return template


# -- assessments --------------------------------------------------------------------


def record_assessment(client: Client, data: AssessmentCreate, *, assessor: str, recorded_by: str,
                      session: Session) -> Assessment:
    """The assessment ``assessor`` made, as ``recorded_by`` records it (the assessor, or someone on their behalf)."""
    template = _template_for(client, data.template_id, session)
    _check_date(client, data.assessed_on, session)
    if errors := score_errors(template.domains, data.scores):
        raise Invalid.fields(errors)
    assessment = Assessment(
        id=uuid.uuid4(), client_id=client.id, template=template, assessed_on=data.assessed_on, assessor=assessor,
        recorded_by=recorded_by, scores=data.scores, needs=data.needs, notes=data.notes, recorded_at=datetime.now(UTC))
    session.add(assessment)
    record_event(session, AssessmentRecorded(
        assessment_id=assessment.id, client_id=client.id, municipality=client.municipality_code,
        template=template.code, template_version=template.version, assessed_on=data.assessed_on,
    ), subject=str(client.id), municipality=client.municipality_code)
    return assessment


def _template_for(client: Client, template_id: uuid.UUID, session: Session) -> AssessmentTemplate:
    """A template of the network the client's municipality belongs to (any version)."""
    template = session.get(AssessmentTemplate, template_id)
    if template is None:
        raise Invalid("template_id", f"unknown assessment template {template_id}")
    network = session.get(Municipality, client.municipality_code).network_code
    if network is not None and template.network_code != network:
        raise Invalid("template_id", f"the template belongs to network {template.network_code}, "
                                     f"the client's municipality to {network}")
    return template


def _check_date(client: Client, assessed_on: date, session: Session) -> None:
    if assessed_on > today_in(client.municipality_code, session=session):
        raise Invalid("assessed_on", "cannot be in the future")
    if client.birth_date is not None and assessed_on < client.birth_date:
        raise Invalid("assessed_on", "is before the client's birth date")


def list_assessments(client: Client, *, session: Session) -> list[Assessment]:
    return list(session.scalars(
        select(Assessment).where(Assessment.client_id == client.id)
        .order_by(Assessment.assessed_on.desc(), Assessment.recorded_at.desc())))


def get_assessment(client: Client, assessment_id: uuid.UUID, *, session: Session) -> Assessment:
    assessment = session.get(Assessment, assessment_id)
    if assessment is None or assessment.client_id != client.id:
        raise NotFound("assessment", assessment_id)
    return assessment
