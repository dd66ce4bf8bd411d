import uuid

import pytest
from pydantic import ValidationError

from shared.events import Envelope, registered_types
from shared.events.intake import ClientRegistered
from shared.tracing import traced

# Words that would mean personal data in an event (DESIGN.md section 3).
PERSONAL = ("name", "phone", "address", "email", "birth", "diagnos", "ethnic", "lat", "lon")
PLACES = {"intake.municipality.registered.v1"}  # catalogue events: a place's name is no one's personal data


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


@pytest.mark.parametrize("event_type", sorted(set(registered_types()) - PLACES))
def test_events_carry_no_personal_data(event_type):
    fields = registered_types()[event_type].model_fields
    assert not [f for f in fields if f != "municipality" and any(word in f for word in PERSONAL)]
