"""How notifications reaches a client, asked of intake at send time on SQLite and PostgreSQL:
only with the client's consent to that contact, never to one who moved or died, only by the
notifications service's token, and each answer logged as a read of personal data."""
from __future__ import annotations

from shared.testing import assert_problem, created
from tests.intake.data import MARIA, STEFAN, sofia_today


def consent(intake, admin, client_id: str, purpose: str, given: bool) -> None:
    created(intake.post(f"/clients/{client_id}/consents", headers=admin, json={
        "purpose": purpose, "given": given, "decided_on": sofia_today().isoformat()}))


def test_a_client_who_consented_is_reached_and_the_read_is_logged(intake, admin, auth, register_client,
        registered_municipalities):
    maria = register_client(MARIA)
    notifier = auth("notifier", "*", subject="notifications")
    assert_problem(intake.get(f"/clients/{maria['id']}/contact", params={"channel": "sms"}, headers=notifier), 409,
                   "consent")
    consent(intake, admin, maria["id"], "contact_sms", True)
    found = created(intake.get(f"/clients/{maria['id']}/contact", params={"channel": "sms"}, headers=notifier))
    assert (found["address"], found["channel"], found["language"]) == ("+359888100201", "sms", "bg")
    log = created(intake.get(f"/clients/{maria['id']}/access-log", headers=admin))["items"]
    assert [(entry["what"], entry["reader"]) for entry in log if entry["what"] == "contact"] == [
        ("contact", "notifications")]
    assert_problem(intake.get(f"/clients/{maria['id']}/contact", params={"channel": "email"}, headers=notifier),
                   409, "consent")
    consent(intake, admin, maria["id"], "contact_email", True)
    assert_problem(intake.get(f"/clients/{maria['id']}/contact", params={"channel": "email"}, headers=notifier),
                   409, "address")


def test_no_one_is_reached_after_withdrawing_moving_away_or_dying(intake, admin, auth, register_client,
        registered_municipalities):
    maria = register_client(MARIA)
    notifier = auth("notifier", "*", subject="notifications")
    path = f"/clients/{maria['id']}/contact"
    consent(intake, admin, maria["id"], "contact_sms", True)
    consent(intake, admin, maria["id"], "contact_sms", False)
    assert_problem(intake.get(path, params={"channel": "sms"}, headers=notifier), 409, "consent")
    consent(intake, admin, maria["id"], "contact_sms", True)
    created(intake.patch(f"/clients/{maria['id']}", headers=admin, json={
        "status": "deceased", "status_since": sofia_today().isoformat()}))
    assert_problem(intake.get(path, params={"channel": "sms"}, headers=notifier), 409, "status")


def test_only_the_notifications_token_asks(intake, admin, auth, register_client,
        registered_municipalities):
    maria = register_client(MARIA)
    path = f"/clients/{maria['id']}/contact"
    for headers in (admin, auth("coordinator", "BG-RAK"), auth("worker", "BG-RAK")):
        assert_problem(intake.get(path, params={"channel": "sms"}, headers=headers), 403)
    notifier = auth("notifier", "*", subject="notifications")
    assert_problem(intake.get(path, params={"channel": "pigeon"}, headers=notifier), 422, "query.channel")
    assert_problem(intake.get("/clients/00000000-0000-0000-0000-000000000000/contact", params={"channel": "sms"},
                              headers=notifier), 404)


def test_a_batch_is_answered_client_by_client_and_only_the_addresses_given_are_logged(
        intake, admin, auth, register_client, registered_municipalities):
    maria, stefan = register_client(MARIA), register_client({**STEFAN, "phone": "+359 888 100 202"})
    consent(intake, admin, maria["id"], "contact_sms", True)
    unknown = "00000000-0000-0000-0000-000000000000"
    wanted = [(maria["id"], "sms"), (stefan["id"], "sms"), (unknown, "sms"), (maria["id"], "email")]
    answers = created(intake.post("/clients/contacts", headers=auth("notifier", "*", subject="notifications"),
                                  json={"wanted": [{"client_id": c, "channel": ch} for c, ch in wanted]}))["contacts"]
    assert [(a["client_id"], a["channel"], a["address"], a["refused"]) for a in answers] == [
        (maria["id"], "sms", "+359888100201", None), (stefan["id"], "sms", None, "consent"),
        (unknown, "sms", None, "unknown"), (maria["id"], "email", None, "consent")]
    for client, logged in ((maria, ["contact"]), (stefan, [])):
        log = created(intake.get(f"/clients/{client['id']}/access-log", headers=admin))["items"]
        assert [entry["what"] for entry in log if entry["reader"] == "notifications"] == logged


def test_a_batch_is_asked_by_the_notifications_token_only_and_within_limits(intake, admin, auth, register_client,
        registered_municipalities):
    maria = register_client(MARIA)
    one = {"wanted": [{"client_id": maria["id"], "channel": "sms"}]}
    for headers in (admin, auth("coordinator", "BG-RAK")):
        assert_problem(intake.post("/clients/contacts", headers=headers, json=one), 403)
    notifier = auth("notifier", "*", subject="notifications")
    for body, field in (({"wanted": []}, "wanted"), ({"wanted": one["wanted"] * 101}, "wanted"),
                        ({"wanted": [{"client_id": maria["id"], "channel": "pigeon"}]}, "wanted.0.channel"),
                        ({"wanted": [{"client_id": "x", "channel": "sms"}]}, "wanted.0.client_id")):
        assert_problem(intake.post("/clients/contacts", headers=notifier, json=body), 422, field)
