"""Clients and households. Personal data stays here; events carry ids and codes only."""
from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Row, Select, false, intersect, select, union, union_all
from sqlalchemy.orm import Session, selectinload

from services.intake.access.lookups import get_readable, readable
from services.intake.careplans import transitions as care_plans
from services.intake.catalogue.lookups import require_code, require_municipality, today_in
from services.intake.clients import matching
from services.intake.clients.rules import (
    DEPARTED,
    check_status_change,
    check_status_since,
    e164,
    phone_region,
)
from services.intake.clients.schemas import (
    ClientCreate,
    ClientFilters,
    ClientUpdate,
    DuplicateCandidate,
    HouseholdCreate,
    HouseholdFilters,
)
from services.intake.models import (
    Client,
    ClientLikenessKey,
    ClientNameKey,
    ClientTargetGroup,
    Household,
    Municipality,
    Settlement,
)
from shared.auth import Principal
from shared.db import take_turn
from shared.errors import Conflict, Invalid
from shared.events.intake import ClientRegistered, ClientUpdated
from shared.messaging.outbox import record_event
from shared.paging import Page, paginate
from shared.scope import get_in_scope, in_scope, scope_filter
from shared.types import Location, coordinates

MAX_CANDIDATES = 10


# -- reading -------------------------------------------------------------------------


def get_client(client_id: uuid.UUID, principal: Principal, *, session: Session) -> Client:
    """The client; one the caller may not read (another municipality's...) is not found, never shown."""
    return get_readable(session, Client, client_id, principal, what="client")


def search_clients(filters: ClientFilters, principal: Principal, *, session: Session) -> Page[Client]:
    """One page of the clients in the caller's scope that match every filter given
    (403 for a municipality outside it)."""
    query = select(Client).where(readable(principal, Client, only=filters.municipality))
    if filters.q:
        query = _found_by(query, filters.q, principal, only=filters.municipality)
    if filters.settlement_id is not None:
        query = query.where(Client.settlement_id == filters.settlement_id)
    if filters.target_group is not None:
        query = query.where(Client.target_group_rows.any(ClientTargetGroup.code == filters.target_group))
    if filters.status is not None:
        query = query.where(Client.status == filters.status)
    if filters.household_id is not None:
        query = query.where(Client.household_id == filters.household_id)
    return paginate(session, query.options(selectinload(Client.target_group_rows)), filters,
                    order=(Client.family_name, Client.given_name, Client.id))


def _found_by(query: Select, q: str, principal: Principal, *, only: str | None) -> Select:
    """``query`` narrowed to what a search for ``q`` finds, by index: a phone-like query the
    numbers whose national number it begins, a name query the clients with a key that each of
    its words begins (in any order), among the caller's municipalities (the first column of
    both indexes)."""
    if (digits := matching.phone_query(q)) is not None:
        if not digits:  # a country code alone: no number is found before its first digit
            return query.where(false())
        low, high = matching.prefix_range(digits)
        return query.where(_municipalities(principal, Client.municipality_code, only=only),
                           Client.phone_key >= low, Client.phone_key < high)
    in_reach = _municipalities(principal, ClientNameKey.municipality_code, only=only)
    each_word = [_beginning_any(starts, in_reach) for starts in matching.query_words(q)]
    if not each_word:  # nothing a name is spelled with
        return query.where(false())
    # Joined rather than ``id IN (...)``: SQLite then reads the keys first whatever its statistics
    # say, where an IN list may lose to an index on the municipality that reads all its clients.
    found = (intersect(*each_word) if len(each_word) > 1 else each_word[0].distinct()).subquery("found")
    return query.join(found, found.c.client_id == Client.id)


def _beginning_any(starts: set[str], in_reach: ColumnElement[bool]) -> Select:
    """The clients with a key that begins with one of ``starts``: a range of the index each,
    read from the index alone (one OR of ranges would read the table's rows on PostgreSQL,
    or all of it for a caller who sees every municipality)."""
    ranges = [select(ClientNameKey.client_id).where(in_reach, ClientNameKey.key >= low, ClientNameKey.key < high)
              for low, high in map(matching.prefix_range, sorted(starts))]
    if len(ranges) == 1:
        return ranges[0]
    either = union(*ranges).subquery()
    return select(either.c.client_id)


def _municipalities(principal: Principal, column, *, only: str | None) -> ColumnElement[bool]:
    """``scope_filter``, naming every municipality for a caller who may see all: an index that
    starts with the municipality is then searched in each, never read whole."""
    if only is None and principal.all_municipalities:
        return column.in_(select(Municipality.code))
    return scope_filter(principal, column, only=only)


# -- registering and changing -------------------------------------------------------------


def register_client(data: ClientCreate, *, registered_by: str, session: Session) -> Client:
    """Registers the client, unless likely duplicates exist and the caller did not confirm (409)."""
    municipality = require_municipality(data.municipality, session=session)
    _require_local(Settlement, "settlement_id", data.settlement_id, municipality.code, session=session)
    _require_local(Household, "household_id", data.household_id, municipality.code, session=session)
    _require_target_groups(data.target_groups, session=session)
    data = _dialable(data, municipality.code)
    _take_turn(municipality.code, session=session)
    if not data.confirm_new_person:
        _refuse_likely_duplicates(municipality.code, _facts(data), session=session)
    client = Client(
        id=uuid.uuid4(), municipality_code=municipality.code, registered_at=datetime.now(UTC),
        registered_by=registered_by, preferred_language=data.preferred_language or municipality.language,
        status_since=today_in(municipality.code, session=session),
        **data.model_dump(include=_PLAIN_FIELDS - {"preferred_language", "status_since"}),
    )
    _place(client, data.location)
    client.target_groups = data.target_groups
    if data.new_household_label:
        client.household_id = _new_household(municipality.code, data.new_household_label, session=session).id
    _index(client)
    session.add(client)
    record_event(session, ClientRegistered(**_told(client)), subject=str(client.id),
                 municipality=client.municipality_code)
    return client


_PLAIN_FIELDS = {"given_name", "family_name", "birth_date", "sex", "phone", "email", "preferred_language",
                 "address", "settlement_id", "household_id", "status", "status_since"}


def _take_turn(municipality: str, *, session: Session) -> None:
    """Registrations in a municipality run one at a time, until their transaction ends, so
    that each looks for duplicates after the one before it committed. No narrower key would
    do: similar names and unknown birth dates match across any exact key."""
    take_turn(session, Municipality.name, Municipality.code == municipality)


def update_client(client: Client, data: ClientUpdate, *, changed_by: str, session: Session) -> Client:
    """Applies the fields sent; publishes ClientUpdated if anything changed. Like every change
    that decides whether the client's plans run, it holds the client's lock."""
    client = care_plans.lock_client(client.id, session=session)
    changes = _dialable(data, client.municipality_code).model_dump(exclude_unset=True)
    _date_status(client, changes, session=session)
    for field, model in (("settlement_id", Settlement), ("household_id", Household)):
        if field in changes:
            _require_local(model, field, changes[field], client.municipality_code, session=session)
    if "target_groups" in changes:
        _require_target_groups(changes["target_groups"], session=session)
    before, status_before, visit_before = _snapshot(client), client.status, _visit_facts(client)
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
        record_event(session, ClientUpdated(**_told(client), status=client.status), subject=str(client.id),
                     municipality=client.municipality_code)
        _tell_care_plans(client, status_before, visit_before, changed_by=changed_by, session=session)
    return client


def _dialable(data: ClientCreate | ClientUpdate, municipality: str):
    """``data`` with its phone in E.164, read as dialled in the municipality's country (422 naming phone)."""
    if not data.phone:
        return data
    try:
        return data.model_copy(update={"phone": e164(data.phone, region=phone_region(municipality))})
    except ValueError as exc:
        raise Invalid("phone", str(exc)) from None


def _date_status(client: Client, changes: dict, *, session: Session) -> None:
    """A new status, or the day of the current one corrected, takes the day it took effect."""
    if "status" not in changes:
        if "status_since" in changes:
            raise Invalid("status_since", "is sent with the status it dates")
        return
    status, since = changes["status"], changes.get("status_since")
    check_status_change(client.status, status)
    if status == client.status and since is None:
        return
    try:
        changes["status_since"] = check_status_since(
            status, since, today=today_in(client.municipality_code, session=session),
            earliest=_registered_on(client, session=session))
    except ValueError as exc:
        raise Invalid("status_since", str(exc)) from None


def _registered_on(client: Client, *, session: Session) -> date:
    """The day of the registration in the municipality's calendar."""
    zone = ZoneInfo(session.get(Municipality, client.municipality_code).timezone)
    return client.registered_at.astimezone(zone).date()


def _tell_care_plans(client: Client, status_before: str, visit_before: tuple, *, changed_by: str,
                     session: Session) -> None:
    """Running plans follow the client: a departed client's plans end on the day they left,
    and a new visit location, settlement or language reaches scheduling with the plans."""
    if client.status in DEPARTED and client.status != status_before:
        care_plans.end_plans_of_departed_client(client, departed_on=client.status_since, by=changed_by,
                                                session=session)
    elif _visit_facts(client) != visit_before:
        care_plans.announce_client_change(client.id, session=session)


def _visit_facts(client: Client) -> tuple:
    return client.latitude, client.longitude, client.settlement_id, client.preferred_language


def _told(client: Client) -> dict[str, Any]:
    """What intake's client events say of a client: ids and codes, the year of birth, not the date."""
    return {"client_id": client.id, "municipality": client.municipality_code, "settlement_id": client.settlement_id,
            "target_groups": client.target_groups, "language": client.preferred_language, "sex": client.sex,
            "birth_year": client.birth_date.year if client.birth_date else None}


def _snapshot(client: Client) -> tuple:
    return (*(getattr(client, name) for name in sorted(_PLAIN_FIELDS)),
            client.latitude, client.longitude, tuple(client.target_groups))


def _place(client: Client, location: Location | None) -> None:
    client.latitude, client.longitude = coordinates(location)


def _index(client: Client) -> None:
    """What search and the duplicate check look the client up by: the phone's national number,
    the keys of the names and their likeness keys, whose rows are replaced when the names (or,
    for likeness, the birth date) change."""
    client.phone_key = matching.phone_key(client.phone) or None
    keys = matching.name_keys(client.given_name, client.family_name)
    if {row.key for row in client.name_key_rows} != keys:
        client.name_key_rows = [ClientNameKey(key=key, municipality_code=client.municipality_code)
                                for key in sorted(keys)]
    likeness, undated = matching.likeness_keys(client.given_name, client.family_name), client.birth_date is None
    if {(row.key, row.undated) for row in client.likeness_key_rows} != {(key, undated) for key in likeness}:
        client.likeness_key_rows = [ClientLikenessKey(key=key, municipality_code=client.municipality_code,
                                                      undated=undated) for key in sorted(likeness)]


def _require_local(model: type[Settlement | Household], field: str, key: uuid.UUID | None, municipality: str, *,
                   session: Session) -> None:
    """A settlement or household named by ``field`` is one of the client's municipality (else 422)."""
    if key is None:
        return
    row = session.get(model, key)
    if row is None or row.municipality_code != municipality:
        raise Invalid(field, f"no {field.removesuffix('_id')} {key} in municipality {municipality}")


def _require_target_groups(codes: list[str], *, session: Session) -> None:
    for code in codes:
        require_code("target_group", code, session=session, field="target_groups")


# -- possible duplicates ---------------------------------------------------------------------


def _facts(data: ClientCreate | Client | Row) -> matching.PersonFacts:
    return matching.PersonFacts(given_name=data.given_name, family_name=data.family_name,
                                birth_date=data.birth_date, phone=data.phone)


def find_likely_duplicates(municipality: str, person: matching.PersonFacts, *,
                           session: Session) -> list[DuplicateCandidate]:
    """Clients of the municipality who are likely ``person`` (see ``matching.match_reason``)."""
    found = [(row, reason) for row in _comparable(municipality, person, session=session)
             if (reason := matching.match_reason(person, _facts(row)))]
    names = _settlement_names({row.settlement_id for row, _ in found}, session=session)
    return [DuplicateCandidate(id=row.id, given_name=row.given_name, family_name=row.family_name,
                               birth_date=row.birth_date, settlement_id=row.settlement_id,
                               settlement_name=names.get(row.settlement_id), reason=reason)
            for row, reason in found[:MAX_CANDIDATES]]


def _comparable(municipality: str, person: matching.PersonFacts, *, session: Session) -> list[Row]:
    """The clients of the municipality that the pure rule compares with ``person``, each found
    by an index: those born the same day, or whose birth date is unknown and whose names share a
    likeness key with ``person``'s, and those with the same phone; for a person without a birth
    date, all whose names share a likeness key."""
    alike = select(ClientLikenessKey.client_id).where(
        ClientLikenessKey.municipality_code == municipality,
        ClientLikenessKey.key.in_(matching.likeness_keys(person.given_name, person.family_name)))
    lookups = [alike]
    if person.birth_date is not None:
        lookups = [select(Client.id).where(Client.municipality_code == municipality,
                                           Client.birth_date == person.birth_date),
                   alike.where(ClientLikenessKey.undated.is_(True))]
    if phone := matching.phone_key(person.phone):
        lookups.append(select(Client.id).where(Client.municipality_code == municipality, Client.phone_key == phone))
    return list(session.execute(select(*_COMPARED).where(Client.id.in_(union_all(*lookups)))
                                .order_by(Client.family_name, Client.given_name, Client.id)))


_COMPARED = (Client.id, Client.given_name, Client.family_name, Client.birth_date, Client.phone, Client.settlement_id)


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
    return _new_household(data.municipality, data.label, session=session)


def _new_household(municipality: str, label: str, *, session: Session) -> Household:
    household = Household(id=uuid.uuid4(), municipality_code=municipality, label=label)
    session.add(household)
    session.flush()  # written before the client that refers to it (no relationship orders them)
    return household


def list_households(filters: HouseholdFilters, principal: Principal, *, session: Session) -> Page[Household]:
    query = in_scope(select(Household), principal, Household.municipality_code, only=filters.municipality)
    return paginate(session, query, filters, order=(Household.label, Household.id))


def get_household(household_id: uuid.UUID, principal: Principal, *,
                  session: Session) -> tuple[Household, list[Client]]:
    """The household and those of its members the caller reads; another municipality's is not found."""
    household = get_in_scope(session, Household, household_id, principal, what="household")
    members = session.scalars(select(Client).where(Client.household_id == household_id, readable(principal, Client))
                              .order_by(Client.birth_date, Client.given_name, Client.id))
    return household, list(members)
