"""Clients and households. Personal data stays here; events carry ids and codes only."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import func, or_, select, true
from sqlalchemy.orm import Session, selectinload

from services.intake.catalogue.service import require_code, require_municipality
from services.intake.clients import matching
from services.intake.clients.rules import check_status_change
from services.intake.clients.schemas import ClientCreate, ClientUpdate, DuplicateCandidate, HouseholdCreate
from services.intake.models import Client, ClientTargetGroup, Household, Settlement
from shared.auth import RoleGroup, Principal, Role
from shared.events.intake import ClientRegistered, ClientUpdated
from shared.messaging.outbox import record_event
from shared.errors import Conflict, Invalid, NotFound

# Everyone but the analyst, who sees aggregates only.
PERSONAL_DATA_READERS = (Role.NETWORK_ADMIN, Role.COORDINATOR, Role.EXPERT, Role.WORKER)
MAX_CANDIDATES = 10


# -- reading -------------------------------------------------------------------------


def get_client(client_id: uuid.UUID, principal: Principal, *, session: Session) -> Client:
    """The client, for a caller who may read personal data (else 403); another
    municipality's client is answered as not found, never shown."""
    principal.require_role(RoleGroup(*PERSONAL_DATA_READERS))
    client = session.get(Client, client_id)
    if client is None or not principal.can_access(client.municipality_code):
        raise NotFound("client", client_id)
    return client


def search_clients(principal: Principal, *, session: Session, limit: int, offset: int,
                   municipality: str | None = None, q: str | None = None,
                   settlement_id: uuid.UUID | None = None, target_group: str | None = None,
                   status: str | None = None, household_id: uuid.UUID | None = None,
                   ) -> tuple[list[Client], int]:
    """One page of the clients in the caller's scope that match every filter given, and their total."""
    conditions = [_in_scope(principal, Client.municipality_code)]
    if municipality is not None:
        conditions.append(Client.municipality_code == municipality)
    if q:
        conditions.append(Client.search_text.like(matching.search_pattern(q)))
    if settlement_id is not None:
        conditions.append(Client.settlement_id == settlement_id)
    if target_group is not None:
        conditions.append(Client.target_group_rows.any(ClientTargetGroup.code == target_group))
    if status is not None:
        conditions.append(Client.status == status)
    if household_id is not None:
        conditions.append(Client.household_id == household_id)
    total = session.scalar(select(func.count()).select_from(Client).where(*conditions))
    page = session.scalars(
        select(Client).where(*conditions).options(selectinload(Client.target_group_rows))
        .order_by(Client.family_name, Client.given_name, Client.id).limit(limit).offset(offset))
    return list(page), total or 0


def _in_scope(principal: Principal, column):
    return true() if principal.all_municipalities else column.in_(sorted(principal.municipalities))


# -- registering and changing -------------------------------------------------------------


def register_client(data: ClientCreate, *, registered_by: str, session: Session) -> Client:
    """Registers the client, unless likely duplicates exist and the caller did not confirm (409)."""
    municipality = require_municipality(data.municipality, session=session)
    _require_settlement(municipality.code, data.settlement_id, session=session)
    _require_household(municipality.code, data.household_id, session=session)
    _require_target_groups(data.target_groups, session=session)
    if not data.confirm_new_person:
        _refuse_likely_duplicates(municipality.code, _facts(data), session=session)
    client = Client(
        id=uuid.uuid4(), municipality_code=municipality.code, registered_at=datetime.now(UTC),
        registered_by=registered_by, preferred_language=data.preferred_language or municipality.language,
        **data.model_dump(include=_PLAIN_FIELDS - {"preferred_language"}),
    )
    _place(client, data.location)
    client.target_groups = data.target_groups
    if data.new_household_label:
        client.household_id = _new_household(municipality.code, data.new_household_label, session=session).id
    _index(client)
    session.add(client)
    record_event(session, ClientRegistered(
        client_id=client.id, municipality=client.municipality_code, settlement_id=client.settlement_id,
        target_groups=client.target_groups, language=client.preferred_language,
    ), subject=str(client.id), municipality=client.municipality_code)
    session.commit()
    return client


_PLAIN_FIELDS = {"given_name", "family_name", "birth_date", "sex", "phone", "email", "preferred_language",
                 "address", "settlement_id", "household_id", "status"}


def update_client(client: Client, data: ClientUpdate, *, session: Session) -> Client:
    """Applies the fields sent; publishes ClientUpdated if anything changed."""
    changes = data.model_dump(exclude_unset=True)
    if "status" in changes:
        check_status_change(client.status, changes["status"])
    if "settlement_id" in changes:
        _require_settlement(client.municipality_code, changes["settlement_id"], session=session)
    if "household_id" in changes:
        _require_household(client.municipality_code, changes["household_id"], session=session)
    if "target_groups" in changes:
        _require_target_groups(changes["target_groups"], session=session)
    before, visit_before = _snapshot(client), _visit_facts(client)
    for name in _PLAIN_FIELDS & changes.keys():
        setattr(client, name, changes[name])
    if "location" in changes:
        _place(client, data.location)
    if "target_groups" in changes and sorted(set(data.target_groups)) != client.target_groups:
        client.target_groups = data.target_groups
    if data.new_household_label:
        client.household_id = _new_household(client.municipality_code, data.new_household_label, session=session).id
    _index(client)
    if _snapshot(client) != before:
        record_event(session, ClientUpdated(
            client_id=client.id, municipality=client.municipality_code, settlement_id=client.settlement_id,
            target_groups=client.target_groups, language=client.preferred_language, status=client.status,
        ), subject=str(client.id), municipality=client.municipality_code)
        _tell_care_plans(client, visit_before, session=session)
    session.commit()
    return client


def _tell_care_plans(client: Client, visit_before: tuple, *, session: Session) -> None:
    """Running plans follow the client: a departed client's plans end, and a new
    visit location, settlement or language reaches scheduling with the plans."""
    from services.intake.careplans import service as careplans  # care plans import this module

    if client.status in DEPARTED:
        careplans.end_plans_of_departed_client(client, session=session)
    elif _visit_facts(client) != visit_before:
        careplans.announce_client_change(client.id, session=session)


DEPARTED = ("deceased", "moved")


def _visit_facts(client: Client) -> tuple:
    return client.latitude, client.longitude, client.settlement_id, client.preferred_language


def _snapshot(client: Client) -> tuple:
    return (*(getattr(client, name) for name in sorted(_PLAIN_FIELDS)),
            client.latitude, client.longitude, tuple(client.target_groups))


def _place(client: Client, location) -> None:
    client.latitude = location.latitude if location else None
    client.longitude = location.longitude if location else None


def _index(client: Client) -> None:
    client.search_text = matching.search_text(client.given_name, client.family_name, client.phone)


def _require_settlement(municipality: str, settlement_id: uuid.UUID | None, *, session: Session) -> None:
    if settlement_id is None:
        return
    settlement = session.get(Settlement, settlement_id)
    if settlement is None or settlement.municipality_code != municipality:
        raise Invalid("settlement_id", f"no settlement {settlement_id} in municipality {municipality}")


def _require_household(municipality: str, household_id: uuid.UUID | None, *, session: Session) -> None:
    if household_id is None:
        return
    household = session.get(Household, household_id)
    if household is None or household.municipality_code != municipality:
        raise Invalid("household_id", f"no household {household_id} in municipality {municipality}")


def _require_target_groups(codes: list[str], *, session: Session) -> None:
    for code in codes:
        require_code("target_group", code, session=session, field="target_groups")


# -- possible duplicates ---------------------------------------------------------------------


def _facts(data: ClientCreate | Client) -> matching.PersonFacts:
    return matching.PersonFacts(given_name=data.given_name, family_name=data.family_name,
                                birth_date=data.birth_date, settlement_id=data.settlement_id, phone=data.phone)


def find_likely_duplicates(municipality: str, person: matching.PersonFacts, *,
                           session: Session) -> list[DuplicateCandidate]:
    """Clients of the municipality who are likely ``person`` (see ``matching.match_reason``)."""
    # The database narrows to the same birth date or phone ending; the pure rule decides.
    narrowing = []
    if person.birth_date is not None:
        narrowing.append(Client.birth_date == person.birth_date)
    if key := matching.phone_key(person.phone):
        narrowing.append(Client.phone.like(f"%{key}"))
    if not narrowing:
        return []
    rows = session.scalars(select(Client).where(Client.municipality_code == municipality, or_(*narrowing))
                           .order_by(Client.family_name, Client.given_name, Client.id))
    found = [(row, reason) for row in rows if (reason := matching.match_reason(person, _facts(row)))]
    names = _settlement_names({row.settlement_id for row, _ in found}, session=session)
    return [DuplicateCandidate(id=row.id, given_name=row.given_name, family_name=row.family_name,
                               birth_date=row.birth_date, settlement_id=row.settlement_id,
                               settlement_name=names.get(row.settlement_id), reason=reason)
            for row, reason in found[:MAX_CANDIDATES]]


def _refuse_likely_duplicates(municipality: str, person: matching.PersonFacts, *, session: Session) -> None:
    candidates = find_likely_duplicates(municipality, person, session=session)
    if candidates:
        raise Conflict(
            f"{len(candidates)} client(s) of {municipality} may be this person: check the candidates and, "
            "if this is someone else, send the registration again with confirm_new_person: true",
            field="confirm_new_person", candidates=[c.model_dump(mode="json") for c in candidates])


def _settlement_names(ids: set[uuid.UUID | None], *, session: Session) -> dict[uuid.UUID, str]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return dict(session.execute(select(Settlement.id, Settlement.name).where(Settlement.id.in_(ids))).all())


# -- households ---------------------------------------------------------------------------------


def register_household(data: HouseholdCreate, *, session: Session) -> Household:
    require_municipality(data.municipality, session=session)
    household = _new_household(data.municipality, data.label, session=session)
    session.commit()
    return household


def _new_household(municipality: str, label: str, *, session: Session) -> Household:
    household = Household(id=uuid.uuid4(), municipality_code=municipality, label=label)
    session.add(household)
    session.flush()  # written before the client that refers to it (no relationship orders them)
    return household


def list_households(principal: Principal, *, session: Session, limit: int, offset: int,
                    municipality: str | None = None) -> tuple[list[Household], int]:
    conditions = [_in_scope(principal, Household.municipality_code)]
    if municipality is not None:
        conditions.append(Household.municipality_code == municipality)
    total = session.scalar(select(func.count()).select_from(Household).where(*conditions))
    page = session.scalars(select(Household).where(*conditions)
                           .order_by(Household.label, Household.id).limit(limit).offset(offset))
    return list(page), total or 0


def get_household(household_id: uuid.UUID, principal: Principal, *,
                  session: Session) -> tuple[Household, list[Client]]:
    """The household and its members; another municipality's is not found."""
    principal.require_role(RoleGroup(*PERSONAL_DATA_READERS))
    household = session.get(Household, household_id)
    if household is None or not principal.can_access(household.municipality_code):
        raise NotFound("household", household_id)
    members = session.scalars(select(Client).where(Client.household_id == household_id)
                              .order_by(Client.birth_date, Client.given_name, Client.id))
    return household, list(members)
