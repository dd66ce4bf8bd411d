"""Consent through the HTTP API, and the helpers other features call, on SQLite and PostgreSQL."""
from __future__ import annotations

import json
import uuid
from datetime import date, timedelta

import pytest

from services.intake.consents.service import consent_in_force, require_consent
from shared.errors import Conflict

PURPOSES = ["services", "contact_sms", "contact_email", "contact_phone", "share_partners"]


@pytest.fixture
def client_id(client_maria) -> str:
    return client_maria["id"]


def decide(intake, auth, client_id, purpose="services", given=True, decided_on="2024-03-01", role="worker",
           subject="mediator-7", **extra):
    body = {"purpose": purpose, "given": given, "decided_on": decided_on, **extra}
    return intake.post(f"/clients/{client_id}/consents", json=body, headers=auth(role, "BG-RAK", subject=subject))


def test_a_worker_records_consent_and_consentgiven_is_published(intake, auth, client_id, published):
    answer = decide(intake, auth, client_id, note="signed form no. 12")
    assert answer.status_code == 201, answer.text
    recorded = answer.json()
    assert recorded | {"id": None, "recorded_at": None} == {
        "id": None, "recorded_at": None, "client_id": client_id, "purpose": "services", "given": True,
        "decided_on": "2024-03-01", "recorded_by": "mediator-7", "note": "signed form no. 12", "in_force": True}
    [event] = published("intake.consent.given.v1")
    assert event["data"] == {"client_id": client_id, "municipality": "BG-RAK", "purpose": "services",
                             "decided_on": "2024-03-01"}
    assert (event["subject"], event["municipality"]) == (client_id, "BG-RAK")
    text = json.dumps(event, ensure_ascii=False)
    assert not any(p in text for p in ("Мария", "Петрова", "888 100 201", "888100201", "form no", "mediator-7"))
    assert published("intake.consent.withdrawn.v1") == []


def test_withdrawing_publishes_consentwithdrawn_and_the_overview_shows_the_state_in_force(
        intake, auth, client_id, published):
    given = decide(intake, auth, client_id).json()
    sms = decide(intake, auth, client_id, purpose="contact_sms", decided_on="2024-03-01").json()
    withdrawn = decide(intake, auth, client_id, given=False, decided_on="2024-06-15", role="coordinator",
                       subject="coord-1").json()
    assert withdrawn["in_force"] is True
    [event] = published("intake.consent.withdrawn.v1")
    assert event["data"] == {"client_id": client_id, "municipality": "BG-RAK", "purpose": "services",
                             "decided_on": "2024-06-15"}

    overview = intake.get(f"/clients/{client_id}/consents", headers=auth("expert", "*")).json()
    assert overview["client_id"] == client_id
    assert list(overview["in_force"]) == PURPOSES
    assert overview["in_force"]["services"] == {"given": False, "decided_on": "2024-06-15",
                                                "consent_id": withdrawn["id"]}
    assert overview["in_force"]["contact_sms"] == {"given": True, "decided_on": "2024-03-01", "consent_id": sms["id"]}
    assert overview["in_force"]["share_partners"] == {"given": False, "decided_on": None, "consent_id": None}
    assert [d["id"] for d in overview["history"]] == [withdrawn["id"], sms["id"], given["id"]]
    assert overview["history"][0]["recorded_by"] == "coord-1"


def test_a_decision_dated_before_the_one_in_force_joins_the_history_only(intake, auth, client_id, published):
    decide(intake, auth, client_id, decided_on="2024-06-01")
    late = decide(intake, auth, client_id, given=False, decided_on="2024-01-10").json()
    assert late["in_force"] is False
    assert published("intake.consent.withdrawn.v1") == []
    overview = intake.get(f"/clients/{client_id}/consents", headers=auth("worker", "BG-RAK")).json()
    assert overview["in_force"]["services"]["given"] is True
    assert len(overview["history"]) == 2


def test_of_two_decisions_the_same_day_the_later_recorded_is_in_force(intake, auth, client_id, published):
    decide(intake, auth, client_id, decided_on="2024-06-01")
    again = decide(intake, auth, client_id, given=False, decided_on="2024-06-01").json()
    assert again["in_force"] is True
    assert len(published("intake.consent.withdrawn.v1")) == 1


@pytest.mark.parametrize(("changes", "field"), [
    ({"purpose": "marketing"}, "purpose"),
    ({"given": "perhaps"}, "given"),
    # Two days ahead: tomorrow on this machine may already be today in Rakitovo (UTC+2/+3).
    ({"decided_on": (date.today() + timedelta(days=2)).isoformat()}, "decided_on"),
    ({"decided_on": "yesterday"}, "decided_on"),
    ({"decided_on": "1999-12-31"}, "decided_on"),
    ({"note": "x" * 1001}, "note"),
    ({"note": "form \u202e21 in the file"}, "note"),  # would read backwards
    ({"note": "form\x00"}, "note"),
    ({"given": "true"}, "given"),
    ({"given": 1}, "given"),
    ({"recorded_by": "someone-else"}, "recorded_by"),
])
def test_bad_decisions_are_422_naming_the_field(intake, auth, client_id, changes, field):
    body = {"purpose": "services", "given": True, "decided_on": "2024-03-01", **changes}
    answer = intake.post(f"/clients/{client_id}/consents", json=body, headers=auth("coordinator", "BG-RAK"))
    assert answer.status_code == 422, answer.text
    assert [e["field"] for e in answer.json()["errors"]] == [field]


def test_a_decision_is_not_dated_before_the_client_was_born(intake, auth, registered_municipalities, register_client):
    """Nor before 2000; registration is no bound, as the paper form is often signed before the record is typed in."""
    child = register_client({"municipality": "BG-RAK", "given_name": "Ели", "family_name": "Петрова",
                             "birth_date": "2015-05-01"})
    answer = decide(intake, auth, child["id"], decided_on="2015-04-30")
    assert answer.status_code == 422 and [e["field"] for e in answer.json()["errors"]] == ["decided_on"]
    assert decide(intake, auth, child["id"], decided_on="2015-05-01").status_code == 201


def test_a_decision_needs_purpose_given_and_date(intake, auth, client_id):
    answer = intake.post(f"/clients/{client_id}/consents", json={}, headers=auth("coordinator", "BG-RAK"))
    assert sorted(e["field"] for e in answer.json()["errors"]) == ["decided_on", "given", "purpose"]


def test_who_may_record_and_read_consent(intake, auth, client_id):
    url = f"/clients/{client_id}/consents"
    body = {"purpose": "services", "given": True, "decided_on": "2024-03-01"}
    for role in ("coordinator", "worker"):
        assert intake.post(url, json=body, headers=auth(role, "BG-RAK")).status_code == 201
    assert intake.post(url, json=body, headers=auth("network_admin", "*")).status_code == 201
    for role in ("expert", "analyst"):
        assert intake.post(url, json=body, headers=auth(role, "BG-RAK")).status_code == 403
    assert intake.get(url, headers=auth("analyst", "BG-RAK")).status_code == 403
    for outsider in (auth("coordinator", "BG-PER"), auth("worker", "BG-PER")):
        assert intake.post(url, json=body, headers=outsider).status_code == 404
        refused = intake.get(url, headers=outsider)
        assert refused.status_code == 404 and "services" not in refused.text
    unknown = f"/clients/{uuid.uuid4()}/consents"
    assert intake.post(unknown, json=body, headers=auth("network_admin", "*")).status_code == 404
    assert intake.get(url, headers=auth("worker", "BG-RAK")).json()["in_force"]["services"]["given"] is True


def test_consent_in_force_and_require_consent_for_the_other_features(intake, auth, client_id, intake_runtime):
    client = uuid.UUID(client_id)

    def check(purpose="services"):
        with intake_runtime.database.unit_of_work() as session:
            in_force = consent_in_force(client, purpose, session=session)
            try:
                require_consent(client, purpose, session=session, field="status")
            except Conflict as missing:
                assert not in_force
                return missing
            assert in_force
            return None

    never = check()
    assert (never.status, never.extra["field"], never.extra["missing_consent"]) == (409, "status", "services")
    assert "nothing recorded" in never.detail
    decide(intake, auth, client_id, decided_on="2024-03-01")
    assert check() is None
    assert check("contact_sms") is not None
    decide(intake, auth, client_id, given=False, decided_on="2024-05-02")
    withdrawn = check()
    assert withdrawn is not None and "2024-05-02" in withdrawn.detail
