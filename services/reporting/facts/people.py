"""Clients, their assessments and agreements, and staff: pseudonymous ids and codes only."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from services.reporting.models import Agreement, Assessment, Client, ClientTargetGroup, Staff, StaffRole
from shared.events.intake import AgreementSigned, AssessmentRecorded, ClientRegistered, ClientUpdated
from shared.events.scheduling import StaffChanged, StaffLeft, StaffRegistered
from shared.replicas import add_once, keep_latest_values, replace_rows

REGISTERED = "active"  # the status of a client just registered, until an update says otherwise


def keep_client(event: ClientRegistered | ClientUpdated, *, at: datetime, session: Session) -> None:
    """The client as their latest event describes them; the registration's time, once it is here."""
    status = event.status if isinstance(event, ClientUpdated) else REGISTERED
    if keep_latest_values(session, Client.__table__, {
            "client_id": event.client_id, "municipality": event.municipality, "settlement_id": event.settlement_id,
            "sex": event.sex, "birth_year": event.birth_year, "status": status, "as_of": at}):
        replace_rows(session, ClientTargetGroup.__table__, "client_id", event.client_id,
                 [{"client_id": event.client_id, "code": code} for code in set(event.target_groups)])
    if isinstance(event, ClientRegistered):
        session.execute(update(Client).where(Client.client_id == event.client_id).values(registered_at=at))


def keep_assessment(event: AssessmentRecorded, *, session: Session) -> None:
    add_once(session, Assessment.__table__, [{
        "assessment_id": event.assessment_id, "client_id": event.client_id, "municipality": event.municipality,
        "assessed_on": event.assessed_on}])


def keep_agreement(event: AgreementSigned, *, session: Session) -> None:
    add_once(session, Agreement.__table__, [{
        "agreement_id": event.agreement_id, "client_id": event.client_id, "municipality": event.municipality,
        "programme": event.programme, "signed_on": event.signed_on, "starts_on": event.starts_on,
        "ends_on": event.ends_on}])


def keep_staff(event: StaffRegistered | StaffChanged | StaffLeft, *, at: datetime, registered: bool,
               session: Session) -> None:
    """Registered, changed or left: the member as they are now; from when, once registered."""
    if keep_latest_values(session, Staff.__table__, {
            "staff_id": event.staff_id, "subject": event.subject, "municipality": event.municipality,
            "joined_on": event.joined_on, "left_on": event.left_on, "as_of": at}):
        replace_rows(session, StaffRole.__table__, "staff_id", event.staff_id,
                 [{"staff_id": event.staff_id, "role": role} for role in set(event.roles)])
    if registered:
        session.execute(update(Staff).where(Staff.staff_id == event.staff_id).values(joined_at=at))

