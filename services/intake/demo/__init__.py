"""Loads the demo data of ``make run`` through intake's own service functions,
so every change publishes its events as a user's would: the catalogue first, then
(once scheduling's staff is known, see ``services.demo``) the people. Commands:
each owns its transaction, so each part is loaded whole or not at all."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.intake.assessments.schemas import AssessmentCreate, TemplateCreate
from services.intake.assessments.service import create_template, record_assessment
from services.intake.careplans.schemas import AgreementCreate, CarePlanCreate, LineCreate
from services.intake.careplans.service import activate, create_plan, sign_agreement
from services.intake.cases import schemas as cases
from services.intake.cases.service import open_case, record_follow_up
from services.intake.catalogue import schemas as catalogue
from services.intake.catalogue.service import (
    register_code,
    register_municipality,
    register_network,
    register_programme,
    register_service_type,
    register_settlement,
)
from services.intake.clients.schemas import ClientCreate, VisitLocation
from services.intake.clients.service import register_client
from services.intake.consents.schemas import ConsentCreate
from services.intake.consents.service import record_decision
from services.intake.demo import data
from services.intake.models import Client, Municipality, Settlement
from shared.db import Database
from shared.types import Location

DEMO = "demo"  # who recorded the demo data


def load_demo_catalogue(*, database: Database) -> bool:
    """The networks, municipalities, settlements, code lists, service types and programmes;
    once: does nothing if any municipality exists. Returns whether it loaded."""
    with database.transaction() as session:
        if session.scalars(select(Municipality.code).limit(1)).first() is not None:
            return False
        _load_catalogue(session)
    return True


def load_demo_people(*, database: Database) -> bool:
    """Clients with consents, assessments, agreements, care plans and cases, after the catalogue
    and once scheduling's staff is known (plans and cases name them); once: does nothing if
    any client exists. Returns whether it loaded."""
    with database.transaction() as session:
        if session.scalars(select(Client.id).limit(1)).first() is not None:
            return False
        clients = _load_clients(session, {row.name: row.id for row in session.scalars(select(Settlement))})
        _load_consents(session, clients)
        _load_care(session, clients)
        _load_cases(session, clients)
    return True


def _load_catalogue(session: Session) -> None:
    for network in data.NETWORKS:
        register_network(catalogue.NetworkCreate(**network), session=session)
    for municipality in data.MUNICIPALITIES:
        register_municipality(catalogue.MunicipalityCreate(**municipality), session=session)
    for code, name, kind, marginalised, latitude, longitude in data.SETTLEMENTS:
        register_settlement(code, catalogue.SettlementCreate(
            name=name, kind=kind, marginalised_community=marginalised,
            location=Location(latitude=latitude, longitude=longitude)), session=session)
    for kind, entries in data.CODE_LISTS.items():
        for code, names in entries.items():
            register_code(kind, catalogue.CodeCreate(code=code, names=names), session=session)
    for service_type in data.SERVICE_TYPES:
        register_service_type(catalogue.ServiceTypeCreate(**service_type), session=session)
    for programme in data.PROGRAMMES:
        register_programme(catalogue.ProgrammeCreate(**programme), session=session)


def _load_clients(session: Session, settlements: dict[str, uuid.UUID]) -> dict[str, Client]:
    coordinates = {name: (lat, lon) for _m, name, _k, _c, lat, lon in data.SETTLEMENTS}
    clients = {}
    for key, municipality, given, family, born, sex, phone, language, place, groups in data.CLIENTS:
        latitude, longitude = coordinates[place]
        clients[key] = register_client(ClientCreate(
            municipality=municipality, given_name=given, family_name=family, birth_date=born, sex=sex,
            phone=phone, preferred_language=language, settlement_id=settlements[place],
            location=VisitLocation(latitude=latitude + 0.001, longitude=longitude + 0.001),
            target_groups=groups,
        ), registered_by=DEMO, session=session)
    return clients


def _load_consents(session: Session, clients: dict[str, Client]) -> None:
    signed = datetime.now(UTC).date() - timedelta(days=60)
    for client in clients.values():
        for purpose in ("services", "contact_sms" if client.phone else "contact_phone"):
            record_decision(client, ConsentCreate(purpose=purpose, given=True, decided_on=signed,
                                                  note="signed form in the client's file"),
                            recorded_by=DEMO, session=session)


def _load_care(session: Session, clients: dict[str, Client]) -> None:
    """Rakitovo's thirty users (seed 002): an individual assessment, a contract under the
    programme and an active care plan in hours a week; Lubny's "telephone friend" calls
    (seed 004), a plan without a contract."""
    template = create_template(TemplateCreate(**data.ASSESSMENT_TEMPLATE), session=session)
    start = datetime.now(UTC).date() - timedelta(days=30)
    for key, (number, lines) in data.CARE_PLANS.items():
        scores, needs = data.ASSESSMENTS.get(key, _usual_assessment(len(lines)))
        record_assessment(clients[key], AssessmentCreate(template_id=template.id, assessed_on=start - timedelta(days=7),
                                                         scores=scores, needs=needs),
                          assessor="social-worker-rak", recorded_by="social-worker-rak", session=session)
        agreement = sign_agreement(clients[key], AgreementCreate(
            programme="patronage_plus_rakitovo", number=number, signed_on=start, starts_on=start), session=session)
        _activate(clients[key], lines, start, agreement.id, session=session)
    for key, lines in data.CALL_PLANS.items():
        _activate(clients[key], lines, start, None, session=session)


def _activate(client: Client, lines: list[dict], start, agreement_id: uuid.UUID | None, *, session: Session) -> None:
    plan = create_plan(client, CarePlanCreate(agreement_id=agreement_id, starts_on=start,
                                              lines=[LineCreate(**line) for line in lines]),
                       created_by=DEMO, session=session)
    activate(plan, by=DEMO, session=session)


def _usual_assessment(services: int) -> tuple[dict[str, int], list[str]]:
    """A believable assessment of a user who needs help at home (more with home nursing too)."""
    return ({"self_care": 1 + services, "health": 1 + services, "housing": 1, "income": 2, "social_contacts": 2},
            ["help with cleaning, shopping and meals"])


def _load_cases(session: Session, clients: dict[str, Client]) -> None:
    today = datetime.now(UTC).date()
    elena = open_case(cases.CaseCreate(
        municipality="BG-MTR", client_id=clients["elena"].id, origin="visit", category="health_access",
        priority="high", title="Детето няма личен лекар",
        description="Семейството е изолирано; детето не е ваксинирано по календара.",
        assignee="mediator-mtr-1", supervising_expert="expert-nnhm-1"), opened_by=DEMO, session=session)
    record_follow_up(elena, cases.FollowUpCreate(
        kind="consultation", description="Онлайн консултация с експерт на НМЗМ", done_on=today - timedelta(days=9),
        outcome="Да се намери общопрактикуващ лекар в Бургас", next_due_on=today - timedelta(days=2)),
        recorded_by="mediator-mtr-1", session=session)
    dimitar = open_case(cases.CaseCreate(
        municipality="BG-BGS", client_id=clients["dimitar"].id, origin="group_session", category="identity_documents",
        title="Изтекла лична карта", assignee="mediator-bgs-1"), opened_by=DEMO, session=session)
    record_follow_up(dimitar, cases.FollowUpCreate(
        kind="referral", institution="ГРАО Бургас", description="Насочване за подмяна на лична карта",
        due_on=today + timedelta(days=7)), recorded_by="mediator-bgs-1", session=session)
    open_case(cases.CaseCreate(
        municipality="BG-PER", client_id=clients["stefan"].id, origin="walk_in", category="employment",
        title="Търси работа след дългосрочна безработица", assignee="mediator-per-1"),
        opened_by=DEMO, session=session)
