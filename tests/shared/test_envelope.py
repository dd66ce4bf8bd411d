import uuid

import pytest
from pydantic import ValidationError

from shared.events import Envelope, registered_types
from shared.events.intake import ClientRegistered
from shared.tracing import traced

# Words that would mean personal data in an event (DESIGN.md section 3).
PERSONAL = ("name", "phone", "address", "email", "birth", "diagnos", "ethnic", "sex")
# What reporting's figures by sex and age band need, and no more: a client's sex and year of
# birth (never the date), on intake's client events only.
FOR_FIGURES = {"intake.client.registered.v1": {"sex", "birth_year"}, "intake.client.updated.v1": {"sex", "birth_year"}}
# Catalogue events describe places and codes, whose names are no one's personal data.
CATALOGUE = ("municipality", "settlement", "code", "servicetype", "programme")


def test_envelope_is_cloudevents_and_round_trips():
    client_id = uuid.uuid4()
    with traced("00-" + "a" * 32 + "-" + "b" * 16 + "-01"):
        envelope = Envelope.wrap(ClientRegistered(client_id=client_id, municipality="BG-RAK"),
                                 subject=str(client_id), municipality="BG-RAK")
    again = Envelope.from_json(envelope.to_json())
    assert again.specversion == "1.0"
    assert again.type == "intake.client.registered.v1"
    assert again.source == "intake"
    assert again.municipality == "BG-RAK"
    assert again.traceparent.startswith("00-" + "a" * 32)  # same trace, new span
    assert again.dataschema == "urn:carecircle:event:intake.client.registered.v1"
    assert again.event() == ClientRegistered(client_id=client_id, municipality="BG-RAK")


def test_a_payload_that_breaks_its_contract_is_refused():
    envelope = Envelope.wrap(ClientRegistered(client_id=uuid.uuid4(), municipality="BG-RAK"))
    broken = envelope.model_copy(update={"data": {"client_id": "not-a-uuid", "municipality": "BG-RAK"}})
    with pytest.raises(ValidationError):
        broken.event()
    with pytest.raises(ValidationError):
        ClientRegistered(client_id=uuid.uuid4(), municipality="BG-RAK", name="Maria")  # extra fields forbidden


def _property_names(schema: dict) -> set[str]:
    """Every property name in a JSON schema, nested models included."""
    names = set(schema.get("properties", {}))
    for sub in schema.get("$defs", {}).values():
        names |= _property_names(sub)
    return names


PEOPLE_EVENTS = sorted(t for t in registered_types() if t.split(".")[1] not in CATALOGUE)


@pytest.mark.parametrize("event_type", PEOPLE_EVENTS)
def test_events_about_people_carry_no_personal_data(event_type):
    names = _property_names(registered_types()[event_type].model_json_schema()) - FOR_FIGURES.get(event_type, set())
    assert not [n for n in names if any(word in n for word in PERSONAL)]


def test_the_personal_data_check_can_fail():
    assert _property_names({"properties": {"a": {}}, "$defs": {"X": {"properties": {"phone": {}}}}}) == {"a", "phone"}


def test_event_times_must_carry_a_time_zone():
    envelope = Envelope.wrap(ClientRegistered(client_id=uuid.uuid4(), municipality="BG-RAK"))
    naive = envelope.model_dump(mode="json") | {"time": "2026-01-05T10:00:00"}
    with pytest.raises(ValidationError, match="time"):
        Envelope.model_validate(naive)


@pytest.mark.parametrize("event_id", ["", "x" * 37])
def test_an_event_id_must_fit_the_inbox(event_id):
    envelope = Envelope.wrap(ClientRegistered(client_id=uuid.uuid4(), municipality="BG-RAK"))
    with pytest.raises(ValidationError, match="id"):
        Envelope.model_validate(envelope.model_dump(mode="json") | {"id": event_id})
    assert Envelope.model_validate(envelope.model_dump(mode="json") | {"id": "x" * 36}).id == "x" * 36
