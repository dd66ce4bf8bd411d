"""Agreements and care plans through intake's HTTP API, on SQLite and PostgreSQL:
the contract of seed 002, plan lines, the lifecycle and what scheduling is told."""
from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

import httpx
import pytest

from shared.testing import assert_problem, at_once, created
from tests.intake.data import PATRONAGE, STEFAN

AGREEMENT = {"programme": "patronage_plus", "number": "ПГ-017/2021", "signed_on": "2021-07-01",
             "starts_on": "2021-07-05", "ends_on": "2021-10-31"}
HELPER = "6f1c2d3e-4b5a-4c6d-8e7f-8091a2b3c4d5"  # a staff id of scheduling
HOME_HELP_LINE = {"service_type": "home_help", "per_week": 6, "preferred_days": ["fri", "mon", "wed"],
                  "time_windows": [{"start": "14:00", "end": "16:00"}, {"start": "09:00", "end": "12:00"}],
                  "preferred_worker": HELPER}
CALL_LINE = {"service_type": "phone_friend", "per_week": 2}
SUSPENSION_REASONS = [{"code": "hospital_stay", "names": {"en": "Hospital stay"}},
                      {"code": "quarantine", "names": {"en": "Quarantine"}}]


@pytest.fixture
def suspension_reasons(intake, admin):
    """Hospital stay and quarantine, and holiday, retired."""
    for reason in [*SUSPENSION_REASONS, {"code": "holiday", "names": {"en": "Holiday"}}]:
        created(intake.post("/code-lists/suspension_reason", json=reason, headers=admin))
    created(intake.patch("/code-lists/suspension_reason/holiday", json={"active": False}, headers=admin))


@pytest.fixture
def world(programmes, client_maria, register_client, suspension_reasons, staff_member):
    """Rakitovo in the network with the patronage programme, Pernik with its centre; a client of
    each; a home helper of Rakitovo."""
    staff_member("helper-rak", "BG-RAK", staff_id=uuid.UUID(HELPER))
    return {"maria": client_maria["id"], "stefan": register_client(STEFAN)["id"]}


@pytest.fixture
def rak(auth):
    return auth("coordinator", "BG-RAK", subject="coordinator-rak")


def consent(intake, client_id, headers, *, given=True, decided_on="2021-07-01"):
    body = {"purpose": "services", "given": given, "decided_on": decided_on}
    return created(intake.post(f"/clients/{client_id}/consents", json=body, headers=headers))


def sign(intake, client_id, headers, **overrides) -> dict:
    return created(intake.post(f"/clients/{client_id}/agreements", json={**AGREEMENT, **overrides}, headers=headers))


def draft(intake, client_id, headers, **overrides) -> dict:
    body = {"starts_on": "2021-07-05", "ends_on": "2021-10-31", "lines": [HOME_HELP_LINE, CALL_LINE], **overrides}
    return created(intake.post(f"/clients/{client_id}/care-plans", json=body, headers=headers))


def act(intake, plan_id, action, headers, **body):
    return intake.post(f"/care-plans/{plan_id}/{action}", json=body or None, headers=headers)


def today_in_rakitovo() -> str:
    return datetime.now(ZoneInfo("Europe/Sofia")).date().isoformat()


@pytest.fixture
def active_plan(intake, world, rak):
    """Maria's plan under her agreement, activated with her consent."""
    consent(intake, world["maria"], rak)
    agreement = sign(intake, world["maria"], rak)
    plan = draft(intake, world["maria"], rak, agreement_id=agreement["id"])
    return created(act(intake, plan["id"], "activate", rak))


# -- agreements -----------------------------------------------------------------------------------------------


def test_an_agreement_is_signed_and_published_with_ids_and_codes_only(intake, world, rak, published):
    agreement = sign(intake, world["maria"], rak, ends_on=None)
    assert agreement["programme"] == "patronage_plus" and agreement["municipality"] == "BG-RAK"
    assert agreement["ends_on"] == "2022-06-30"  # left out: it runs until the programme ends
    assert created(intake.get(f"/clients/{world['maria']}/agreements", headers=rak)) == [agreement]
    assert created(intake.get(f"/clients/{world['maria']}/agreements/{agreement['id']}", headers=rak)) == agreement
    [event] = published("intake.agreement.signed.v1")
    assert event["data"] == {"agreement_id": agreement["id"], "client_id": world["maria"], "municipality": "BG-RAK",
                             "programme": "patronage_plus", "signed_on": "2021-07-01", "starts_on": "2021-07-05",
                             "ends_on": "2022-06-30"}
    assert event["municipality"] == "BG-RAK"


@pytest.mark.parametrize(("overrides", "status", "field"), [
    ({"programme": "no_such_programme"}, 422, "programme"),
    ({"programme": "pernik_centre"}, 422, "programme"),  # does not run in Rakitovo
    ({"ends_on": "2021-07-04"}, 422, "ends_on"),
    ({"ends_on": "2022-07-01"}, 422, "ends_on"),  # after the programme
    ({"starts_on": "2021-06-30", "signed_on": "2021-06-30"}, 422, "starts_on"),  # before the programme
    ({"signed_on": "2021-07-06"}, 422, "signed_on"),  # after it started
    ({"signed_on": "2999-01-01", "starts_on": "2999-01-02"}, 422, "signed_on"),  # in the future
    ({"number": ""}, 422, "number"),
    ({"number": "ПГ-017\u202e/2021"}, 422, "number"),  # reads backwards
    ({"number": "ПГ-017\n2021"}, 422, "number"),
    ({"signed_on": "1999-12-31"}, 422, "signed_on"),
    ({"ends_on": "2031-07-06", "outside_programme_period": True}, 422, "ends_on"),  # over ten years
    ({"outside_programme_period": 1}, 422, "outside_programme_period"),
    ({"signed_on": "1 July"}, 422, "signed_on"),
    ({"colour": "blue"}, 422, "colour"),
])
def test_bad_agreements_are_refused_naming_the_field(intake, world, rak, published, overrides, status, field):
    answer = intake.post(f"/clients/{world['maria']}/agreements", json={**AGREEMENT, **overrides}, headers=rak)
    assert_problem(answer, status, field)
    assert published("intake.agreement.signed.v1") == []


def test_an_agreement_runs_outside_its_programmes_period_only_when_the_coordinator_says_so(intake, world, rak):
    extension = {"number": "ПГ-017/2022", "signed_on": "2022-06-20", "starts_on": "2022-07-01", "ends_on": "2022-12-31"}
    path = f"/clients/{world['maria']}/agreements"
    assert_problem(intake.post(path, json={**AGREEMENT, **extension}, headers=rak), 422, "starts_on")
    agreement = sign(intake, world["maria"], rak, **extension, outside_programme_period=True)
    assert (agreement["outside_programme_period"], agreement["ends_on"]) == (True, "2022-12-31")
    inside = sign(intake, world["maria"], rak, outside_programme_period=True)  # said so, but it is within
    assert inside["outside_programme_period"] is False


def test_a_programme_may_be_registered_without_its_funder(intake, admin, world, rak, published):
    body = {key: value for key, value in PATRONAGE.items() if key != "funder"}
    programme = created(intake.post("/programmes", json={**body, "code": "municipal_patronage"}, headers=admin))
    assert programme["funder"] is None
    assert published("intake.programme.registered.v1")[-1]["data"]["funder"] is None
    assert sign(intake, world["maria"], rak, programme="municipal_patronage")["programme"] == "municipal_patronage"


def test_agreements_are_listed_across_clients_with_filters_and_a_total(intake, world, rak, admin, auth):
    first = sign(intake, world["maria"], rak)  # signed 2021-07-01, in force 2021-07-05..2021-10-31
    latest = sign(intake, world["maria"], rak, number="ПГ-040/2022", signed_on="2022-01-10", starts_on="2022-01-10",
                  ends_on=None)
    pernik = sign(intake, world["stefan"], admin, programme="pernik_centre", number="ПЦ-1", signed_on="2021-07-02")

    def ids(query, headers=admin):
        page = created(intake.get(f"/agreements{query}", headers=headers))
        return page["total"], [agreement["id"] for agreement in page["items"]]

    assert ids("") == (3, [latest["id"], pernik["id"], first["id"]])
    assert ids("?limit=1&offset=1") == (3, [pernik["id"]])
    assert ids("", rak) == (2, [latest["id"], first["id"]])
    assert ids("?programme=pernik_centre") == (1, [pernik["id"]])
    assert ids("?signed_from=2021-07-02&signed_to=2021-12-31") == (1, [pernik["id"]])
    assert ids("?as_of=2021-08-01") == (2, [pernik["id"], first["id"]])
    assert ids("?as_of=2022-03-01") == (1, [latest["id"]])
    assert ids(f"?client_id={world['stefan']}&municipality=BG-PER") == (1, [pernik["id"]])
    assert intake.get("/agreements?municipality=BG-PER", headers=rak).status_code == 403
    assert intake.get("/agreements", headers=auth("analyst", "BG-RAK")).status_code == 403
    assert_problem(intake.get("/agreements?signed_from=July", headers=admin), 422, "query.signed_from")


def test_an_agreement_number_is_used_once_in_a_programme(intake, world, rak, admin):
    sign(intake, world["maria"], rak)
    ivan = created(intake.post("/clients", json={"municipality": "BG-RAK", "given_name": "Иван",
                                                 "family_name": "Георгиев"}, headers=admin))
    assert_problem(intake.post(f"/clients/{ivan['id']}/agreements", json=AGREEMENT, headers=rak), 409, "number")


def test_agreements_are_written_by_coordinators_and_hidden_from_other_municipalities(intake, world, rak, auth):
    agreement = sign(intake, world["maria"], rak)
    path = f"/clients/{world['maria']}/agreements"
    for role in ("worker", "expert", "analyst"):
        assert intake.post(path, json={**AGREEMENT, "number": "2"}, headers=auth(role, "BG-RAK")).status_code == 403
    pernik = auth("coordinator", "BG-PER")
    assert intake.post(path, json={**AGREEMENT, "number": "3"}, headers=pernik).status_code == 404
    for read in (path, f"{path}/{agreement['id']}"):
        answer = intake.get(read, headers=pernik)
        assert answer.status_code == 404 and "ПГ-017" not in answer.text
        assert intake.get(read, headers=auth("analyst", "BG-RAK")).status_code == 403
        assert intake.get(read, headers=auth("worker", "BG-RAK")).status_code == 200
    assert intake.get(f"/clients/{world['stefan']}/agreements/{agreement['id']}", headers=auth("coordinator", "*")
                      ).status_code == 404  # not Stefan's


# -- drafting a plan ---------------------------------------------------------------------------------------


def test_a_draft_plan_keeps_its_lines_in_order_with_places_from_the_service_mode(intake, world, rak, published):
    plan = draft(intake, world["maria"], rak)
    assert plan["status"] == "draft" and plan["municipality"] == "BG-RAK" and plan["agreement_id"] is None
    home, call = plan["lines"]
    assert home["preferred_days"] == ["mon", "wed", "fri"]
    assert home["time_windows"] == [{"start": "09:00", "end": "12:00"}, {"start": "14:00", "end": "16:00"}]
    assert (home["place"], call["place"]) == ("home", "phone")
    assert home["preferred_worker"] == HELPER and call["per_week"] == 2
    assert created(intake.get(f"/care-plans/{plan['id']}", headers=rak)) == plan
    assert published("intake.careplan.activated.v1") == []  # scheduling hears of plans when they run


def test_a_line_may_say_where_the_service_happens(intake, world, rak):
    plan = draft(intake, world["maria"], rak, lines=[{**HOME_HELP_LINE, "place": "centre"}])
    assert plan["lines"][0]["place"] == "centre"


@pytest.mark.parametrize(("overrides", "field"), [
    ({"lines": [{**HOME_HELP_LINE, "service_type": "gardening"}]}, "lines.0.service_type"),
    ({"lines": [{**HOME_HELP_LINE, "per_week": 0}]}, "lines.0.per_week"),
    ({"lines": [{**HOME_HELP_LINE, "per_week": 168.25}]}, "lines.0.per_week"),
    ({"lines": [{**HOME_HELP_LINE, "per_week": True}]}, "lines.0.per_week"),
    ({"lines": [{**HOME_HELP_LINE, "per_week": "6"}]}, "lines.0.per_week"),
    ({"lines": [{**HOME_HELP_LINE, "per_week": 1e-300}]}, "lines.0.per_week"),
    ({"lines": [{**HOME_HELP_LINE, "per_week": 6.1}]}, "lines.0.per_week"),  # quarter hours
    ({"lines": [{**HOME_HELP_LINE, "preferred_days": ["mon", "sunday"]}]}, "lines.0.preferred_days.1"),
    ({"lines": [{**HOME_HELP_LINE, "preferred_days": ["mon", "mon"]}]}, "lines.0.preferred_days"),
    ({"lines": [CALL_LINE, {**HOME_HELP_LINE, "time_windows": [{"start": "12:00", "end": "09:00"}]}]},
     "lines.1.time_windows.0.end"),
    ({"lines": [{**HOME_HELP_LINE, "time_windows": [{"start": "9:00", "end": "12:00"}]}]},
     "lines.0.time_windows.0.start"),
    ({"lines": [{**HOME_HELP_LINE, "time_windows": [{"start": "09:00", "end": "12:00"},
                                                    {"start": "11:30", "end": "13:00"}]}]}, "lines.0.time_windows"),
    ({"lines": [{**HOME_HELP_LINE, "place": "garden"}]}, "lines.0.place"),
    ({"lines": [{**HOME_HELP_LINE, "preferred_worker": ""}]}, "lines.0.preferred_worker"),
    ({"lines": [{**HOME_HELP_LINE, "preferred_worker": "Гергана, the neighbour's daughter"}]},
     "lines.0.preferred_worker"),
    ({"ends_on": "2021-07-04"}, "ends_on"),
    ({"starts_on": "1999-12-31", "ends_on": None}, "starts_on"),
    ({"starts_on": "2021-07-05", "ends_on": "2031-07-06"}, "ends_on"),  # longer than ten years
    ({"starts_on": "2201-07-05", "ends_on": None}, "starts_on"),
    ({"starts_on": None}, "starts_on"),
    ({"agreement_id": "00000000-0000-4000-8000-000000000000"}, "agreement_id"),
])
def test_bad_plans_are_422_naming_the_field(intake, world, rak, overrides, field):
    body = {"starts_on": "2021-07-05", "lines": [HOME_HELP_LINE], **overrides}
    assert_problem(intake.post(f"/clients/{world['maria']}/care-plans", json=body, headers=rak), 422, field)


def test_a_preferred_worker_is_a_member_of_the_municipalitys_staff_who_delivers_the_service(
        intake, world, rak, staff_member):
    """Unknown, of another municipality, gone, or in no role that delivers home help: 422."""
    yesterday = datetime.now(ZoneInfo("Europe/Sofia")).date() - timedelta(days=1)
    refused = [staff_member("helper-per", "BG-PER"), staff_member("helper-gone", "BG-RAK", left_on=yesterday),
               staff_member("psychologist-rak", "BG-RAK", roles=["psychologist"]), uuid.uuid4()]
    for staff_id in refused:
        body = {"starts_on": "2021-07-05", "lines": [CALL_LINE, {**HOME_HELP_LINE, "preferred_worker": str(staff_id)}]}
        answer = intake.post(f"/clients/{world['maria']}/care-plans", json=body, headers=rak)
        assert_problem(answer, 422, "lines.1.preferred_worker")
    leaving = staff_member("helper-leaving", "BG-RAK", left_on=yesterday + timedelta(days=1))  # works today
    body = {"starts_on": "2021-07-05", "lines": [{**HOME_HELP_LINE, "preferred_worker": str(leaving)}]}
    created(intake.post(f"/clients/{world['maria']}/care-plans", json=body, headers=rak))


def test_under_an_agreement_every_line_is_a_service_its_programme_pays_for(intake, world, rak, admin):
    agreement = sign(intake, world["maria"], rak)
    counselling = {"service_type": "counselling", "per_week": 1}
    body = {"agreement_id": agreement["id"], "starts_on": "2021-07-05", "lines": [HOME_HELP_LINE, counselling]}
    assert_problem(intake.post(f"/clients/{world['maria']}/care-plans", json=body, headers=rak),
                   422, "lines.1.service_type")
    # Without an agreement, any active service type will do.
    assert draft(intake, world["maria"], rak, lines=[counselling])["lines"][0]["place"] == "centre"
    # Another client's agreement is not Stefan's to use.
    body = {"agreement_id": agreement["id"], "starts_on": "2021-07-05", "lines": []}
    assert_problem(intake.post(f"/clients/{world['stefan']}/care-plans", json=body, headers=admin),
                   422, "agreement_id")


def test_a_retired_service_type_is_not_planned(intake, world, rak, admin):
    created(intake.patch("/service-types/phone_friend", json={"active": False}, headers=admin))
    body = {"starts_on": "2021-07-05", "lines": [CALL_LINE]}
    assert_problem(intake.post(f"/clients/{world['maria']}/care-plans", json=body, headers=rak),
                   422, "lines.0.service_type")


# -- activating ----------------------------------------------------------------------------------------------


def test_an_activated_plan_tells_scheduling_what_it_needs_and_nothing_else_personal(
        intake, world, active_plan, published):
    assert active_plan["status"] == "active" and active_plan["status_since"] == "2021-07-05"
    [event] = published("intake.careplan.activated.v1")
    data = event["data"]
    assert data["careplan_id"] == active_plan["id"] and data["client_id"] == world["maria"]
    assert (data["municipality"], data["programme"], data["language"]) == ("BG-RAK", "patronage_plus", "bg")
    assert data["location"] == {"latitude": 42.0924, "longitude": 24.0859}
    assert (data["starts_on"], data["ends_on"]) == ("2021-07-05", "2021-10-31")
    home, call = data["lines"]
    assert home == {"line_id": active_plan["lines"][0]["id"], "service_type": "home_help", "unit": "hour",
                    "per_week": 6.0, "duration_minutes": 60, "preferred_days": ["mon", "wed", "fri"],
                    "time_windows": [{"start": "09:00", "end": "12:00"}, {"start": "14:00", "end": "16:00"}],
                    "preferred_worker": HELPER, "place": "home"}
    assert (call["unit"], call["duration_minutes"], call["place"]) == ("visit", 20, "phone")
    text = json.dumps(event, ensure_ascii=False)
    assert not any(personal in text for personal in ("Мария", "Петрова", "888 100 201", "888100201", "Рила"))


def test_a_plan_does_not_run_without_the_clients_consent_to_services(intake, world, rak, published):
    plan = draft(intake, world["maria"], rak)
    answer = act(intake, plan["id"], "activate", rak)
    assert_problem(answer, 409, "consent")
    assert "services" in answer.json()["detail"]
    consent(intake, world["maria"], rak, given=False)
    assert_problem(act(intake, plan["id"], "activate", rak), 409, "consent")
    assert created(intake.get(f"/care-plans/{plan['id']}", headers=rak))["status"] == "draft"
    consent(intake, world["maria"], rak, decided_on="2021-07-02")
    assert created(act(intake, plan["id"], "activate", rak))["status"] == "active"
    assert len(published("intake.careplan.activated.v1")) == 1


def test_a_plan_runs_with_a_line_and_within_its_agreement(intake, world, rak, admin):
    consent(intake, world["maria"], rak)
    empty = draft(intake, world["maria"], rak, lines=[])
    assert_problem(act(intake, empty["id"], "activate", rak), 409, "lines")
    agreement = sign(intake, world["maria"], rak)  # from 2021-07-05 to 2021-10-31
    late = draft(intake, world["maria"], rak, agreement_id=agreement["id"], starts_on="2021-11-01", ends_on=None)
    assert_problem(act(intake, late["id"], "activate", rak), 409, "agreement_id")
    moved = {"status": "moved", "status_since": today_in_rakitovo()}
    created(intake.patch(f"/clients/{world['maria']}", json=moved, headers=admin))
    assert_problem(act(intake, empty["id"], "activate", rak), 409, "client")


# -- the lifecycle -------------------------------------------------------------------------------------------


def test_a_plan_is_suspended_resumed_and_ended_and_each_step_is_published(intake, active_plan, rak, published):
    plan_id = active_plan["id"]
    suspended = created(act(intake, plan_id, "suspend", rak, effective_on="2021-08-02", reason="hospital_stay"))
    assert (suspended["status"], suspended["status_since"], suspended["status_reason"]) == (
        "suspended", "2021-08-02", "hospital_stay")
    [event] = published("intake.careplan.suspended.v1")
    assert event["data"] == {"careplan_id": plan_id, "client_id": active_plan["client_id"],
                             "municipality": "BG-RAK", "effective_on": "2021-08-02", "reason": "hospital_stay"}
    assert_problem(act(intake, plan_id, "resume", rak, effective_on="2021-08-01"), 422, "effective_on")
    resumed = created(act(intake, plan_id, "resume", rak, effective_on="2021-08-16"))
    assert (resumed["status"], resumed["status_since"], resumed["status_reason"]) == ("active", "2021-08-16", None)
    assert len(published("intake.careplan.activated.v1")) == 2  # scheduling plans it again, whole
    ended = created(act(intake, plan_id, "end", rak, effective_on="2021-11-01", reason="agreement_ended"))
    assert (ended["status"], ended["status_reason"]) == ("ended", "agreement_ended")
    [event] = published("intake.careplan.ended.v1")
    assert event["data"]["effective_on"] == "2021-11-01" and event["data"]["reason"] == "agreement_ended"


@pytest.mark.parametrize(("action", "body"), [
    ("activate", {}), ("resume", {}), ("suspend", {"effective_on": "2021-08-02", "reason": "x"}),
    ("end", {"effective_on": "2021-08-02", "reason": "x"})])
def test_nothing_happens_to_an_ended_plan(intake, active_plan, rak, action, body, published):
    created(act(intake, active_plan["id"], "end", rak, effective_on="2021-08-01", reason="deceased"))
    answer = act(intake, active_plan["id"], action, rak, **body)
    assert_problem(answer, 409, "status")
    assert answer.json()["current_status"] == "ended" and answer.json()["allowed_actions"] == []
    assert_problem(intake.patch(f"/care-plans/{active_plan['id']}", json={"ends_on": None}, headers=rak),
                   409, "status")
    assert len(published("intake.careplan.ended.v1")) == 1


def test_transitions_not_allowed_from_the_current_status_are_409_on_status(intake, world, rak, active_plan):
    assert_problem(act(intake, active_plan["id"], "activate", rak), 409, "status")
    assert_problem(act(intake, active_plan["id"], "resume", rak), 409, "status")
    plan = draft(intake, world["maria"], rak)
    assert_problem(act(intake, plan["id"], "resume", rak), 409, "status")
    answer = act(intake, plan["id"], "suspend", rak, effective_on="2021-08-02", reason="hospital_stay")
    assert_problem(answer, 409, "status")
    assert answer.json()["allowed_actions"] == ["activate", "end"]


def test_cancelling_a_draft_tells_scheduling_nothing(intake, world, rak, published):
    plan = draft(intake, world["maria"], rak)
    ended = created(act(intake, plan["id"], "end", rak, effective_on="2021-07-01", reason="cancelled"))
    assert ended["status"] == "ended"
    assert published("intake.careplan.ended.v1") == []


@pytest.mark.parametrize(("action", "body", "field"), [
    ("suspend", {"effective_on": "2021-07-04", "reason": "hospital_stay"}, "effective_on"),  # before it starts
    ("suspend", {"effective_on": "2021-08-02"}, "reason"),
    ("suspend", {"effective_on": "2021-08-02", "reason": "Hospital Stay"}, "reason"),
    ("suspend", {"effective_on": "2021-08-02", "reason": "grieving_after_her_sons_death"}, "reason"),  # not a code
    ("suspend", {"effective_on": "2021-08-02", "reason": "holiday"}, "reason"),  # retired
    ("suspend", {"effective_on": "2021-08-02", "reason": "hospital_stay", "note": "\u202eбольница"}, "note"),
    ("suspend", {"effective_on": "2021-08-02", "reason": "hospital_stay", "note": "x" * 1001}, "note"),
    ("end", {"effective_on": "1999-12-31", "reason": "deceased"}, "effective_on"),
    ("end", {"reason": "deceased"}, "effective_on"),
    ("end", {"effective_on": "2021-07-01", "reason": "deceased"}, "effective_on"),
])
def test_bad_status_changes_are_422_naming_the_field(intake, active_plan, rak, action, body, field):
    assert_problem(act(intake, active_plan["id"], action, rak, **body), 422, field)


# -- changing a plan -------------------------------------------------------------------------------------------


def test_changing_an_active_plan_publishes_it_whole_keeping_the_lines_it_keeps(intake, active_plan, rak, published):
    assert created(intake.patch(f"/care-plans/{active_plan['id']}", json={}, headers=rak)) == active_plan
    home, call = active_plan["lines"]
    lines = [{**HOME_HELP_LINE, "id": home["id"], "per_week": 8}, {"service_type": "phone_friend", "per_week": 3}]
    changed = created(intake.patch(f"/care-plans/{active_plan['id']}", json={"lines": lines}, headers=rak))
    assert changed["status"] == "active" and changed["ends_on"] == "2021-10-31"
    assert changed["lines"][0]["id"] == home["id"] and changed["lines"][0]["per_week"] == 8
    assert changed["lines"][1]["id"] != call["id"]  # a new line
    [event] = published("intake.careplan.changed.v1")  # one: the empty change announced nothing
    assert [line["line_id"] for line in event["data"]["lines"]] == [line["id"] for line in changed["lines"]]
    assert [line["per_week"] for line in event["data"]["lines"]] == [8, 3]
    assert event["data"]["location"] == {"latitude": 42.0924, "longitude": 24.0859}


def test_changing_a_draft_tells_scheduling_nothing(intake, world, rak, published):
    plan = draft(intake, world["maria"], rak)
    changed = created(intake.patch(f"/care-plans/{plan['id']}", json={"ends_on": None, "starts_on": "2021-08-01"},
                                   headers=rak))
    assert (changed["starts_on"], changed["ends_on"], len(changed["lines"])) == ("2021-08-01", None, 2)
    assert published("intake.careplan.changed.v1") == []


@pytest.mark.parametrize(("body", "status", "field"), [
    ({"lines": []}, 422, "lines"),  # a running plan keeps a line
    ({"ends_on": "2021-07-01"}, 422, "ends_on"),
    ({"starts_on": "2021-11-01", "ends_on": None}, 422, "agreement_id"),  # outside its agreement
    ({"starts_on": None}, 422, "starts_on"),
    ({"lines": [{**CALL_LINE, "id": "00000000-0000-4000-8000-000000000000"}]}, 422, "lines.0.id"),
    ({"lines": [{**CALL_LINE, "service_type": "counselling"}]}, 422, "lines.0.service_type"),  # not in programme
])
def test_bad_changes_leave_the_plan_as_it_was(intake, active_plan, rak, published, body, status, field):
    assert_problem(intake.patch(f"/care-plans/{active_plan['id']}", json=body, headers=rak), status, field)
    assert created(intake.get(f"/care-plans/{active_plan['id']}", headers=rak)) == active_plan
    assert published("intake.careplan.changed.v1") == []


def test_a_line_is_listed_once(intake, active_plan, rak):
    line_id = active_plan["lines"][0]["id"]
    lines = [{**CALL_LINE, "id": line_id}, {**HOME_HELP_LINE, "id": line_id}]
    assert_problem(intake.patch(f"/care-plans/{active_plan['id']}", json={"lines": lines}, headers=rak),
                   422, "lines.1.id")


def test_a_suspended_plan_is_resumed_before_it_changes(intake, active_plan, rak):
    created(act(intake, active_plan["id"], "suspend", rak, effective_on="2021-08-02", reason="hospital_stay"))
    assert_problem(intake.patch(f"/care-plans/{active_plan['id']}", json={"lines": [CALL_LINE]}, headers=rak),
                   409, "status")


# -- consent withdrawn -----------------------------------------------------------------------------------------


def test_withdrawing_consent_to_services_suspends_the_running_plans(intake, world, active_plan, rak, published):
    other = draft(intake, world["maria"], rak)  # a draft is not running: it stays a draft
    consent(intake, world["maria"], rak, given=False, decided_on="2021-09-01")
    plan = created(intake.get(f"/care-plans/{active_plan['id']}", headers=rak))
    assert (plan["status"], plan["status_since"], plan["status_reason"]) == (
        "suspended", "2021-09-01", "consent_withdrawn")
    [event] = published("intake.careplan.suspended.v1")
    assert event["data"] == {"careplan_id": active_plan["id"], "client_id": world["maria"], "municipality": "BG-RAK",
                             "effective_on": "2021-09-01", "reason": "consent_withdrawn"}
    assert created(intake.get(f"/care-plans/{other['id']}", headers=rak))["status"] == "draft"
    assert_problem(act(intake, active_plan["id"], "resume", rak, effective_on="2021-09-10"), 409, "consent")
    consent(intake, world["maria"], rak, decided_on="2021-09-10")
    assert created(act(intake, active_plan["id"], "resume", rak, effective_on="2021-09-10"))["status"] == "active"


def test_other_consents_leave_plans_running(intake, world, active_plan, rak, published):
    body = {"purpose": "contact_sms", "given": False, "decided_on": "2021-09-01"}
    created(intake.post(f"/clients/{world['maria']}/consents", json=body, headers=rak))
    assert created(intake.get(f"/care-plans/{active_plan['id']}", headers=rak))["status"] == "active"
    assert published("intake.careplan.suspended.v1") == []


# -- who may do what, and lists ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["worker", "expert", "analyst"])
def test_only_coordinators_and_admins_write_plans(intake, world, active_plan, auth, role):
    headers = auth(role, "BG-RAK")
    body = {"starts_on": "2021-07-05", "lines": [CALL_LINE]}
    assert intake.post(f"/clients/{world['maria']}/care-plans", json=body, headers=headers).status_code == 403
    assert intake.patch(f"/care-plans/{active_plan['id']}", json=body, headers=headers).status_code == 403
    suspension = {"effective_on": "2021-08-02", "reason": "hospital_stay"}
    assert act(intake, active_plan["id"], "suspend", headers, **suspension).status_code == 403


def test_other_municipalities_plans_are_not_found(intake, world, active_plan, auth):
    pernik = auth("coordinator", "BG-PER")
    for answer in (intake.get(f"/care-plans/{active_plan['id']}", headers=pernik),
                   act(intake, active_plan["id"], "suspend", pernik, effective_on="2021-08-02", reason="x"),
                   intake.patch(f"/care-plans/{active_plan['id']}", json={"ends_on": None}, headers=pernik),
                   intake.post(f"/clients/{world['maria']}/care-plans", json={"starts_on": "2021-07-05"},
                               headers=pernik)):
        assert answer.status_code == 404, answer.text
        assert HELPER not in answer.text
    assert intake.get(f"/care-plans/{active_plan['id']}", headers=auth("worker", "BG-RAK")).status_code == 200
    assert intake.get(f"/care-plans/{active_plan['id']}", headers=auth("analyst", "BG-RAK")).status_code == 403


def test_plans_are_listed_in_scope_with_filters_and_pages(intake, world, active_plan, rak, admin, auth):
    drafts = [draft(intake, world["maria"], rak) for _ in range(2)]
    stefans = draft(intake, world["stefan"], admin, lines=[{"service_type": "counselling", "per_week": 1}])

    def ids(query, headers=admin):
        page = created(intake.get(f"/care-plans{query}", headers=headers))
        return page["total"], [plan["id"] for plan in page["items"]]

    newest_first = [stefans["id"], drafts[1]["id"], drafts[0]["id"], active_plan["id"]]
    assert ids("") == (4, newest_first)
    assert ids("?limit=2&offset=1") == (4, newest_first[1:3])
    assert ids("", rak) == (3, newest_first[1:])
    assert ids("?status=active", rak) == (1, [active_plan["id"]])
    assert ids(f"?client_id={world['stefan']}", rak) == (0, [])
    assert ids(f"?client_id={world['stefan']}") == (1, [stefans["id"]])
    assert ids("?municipality=BG-PER") == (1, [stefans["id"]])
    assert intake.get("/care-plans?municipality=BG-PER", headers=rak).status_code == 403
    assert intake.get("/care-plans", headers=auth("analyst", "BG-RAK")).status_code == 403
    for query, field in (("?status=paused", "query.status"), ("?municipality=rak", "query.municipality")):
        assert_problem(intake.get(f"/care-plans{query}", headers=admin), 422, field)


# -- the client's changes reach running plans ---------------------------------------------


def test_a_new_visit_location_is_announced_with_the_running_plan(intake, world, rak, published, active_plan):
    client_id, plan_id = world["maria"], active_plan["id"]
    moved = intake.patch(f"/clients/{client_id}", json={"location": {"latitude": 42.1, "longitude": 24.1}},
                         headers=rak)
    assert moved.status_code == 200, moved.text
    [changed] = published("intake.careplan.changed.v1")
    assert changed["data"]["careplan_id"] == plan_id
    assert changed["data"]["location"] == {"latitude": 42.1, "longitude": 24.1}


def test_a_deceased_clients_running_plans_end(intake, world, rak, published, active_plan):
    client_id, plan_id = world["maria"], active_plan["id"]
    died = {"status": "deceased", "status_since": today_in_rakitovo()}
    answer = intake.patch(f"/clients/{client_id}", json=died, headers=rak)
    assert answer.status_code == 200, answer.text
    assert intake.get(f"/care-plans/{plan_id}", headers=rak).json()["status"] == "ended"
    [ended] = published("intake.careplan.ended.v1")
    assert (ended["data"]["careplan_id"], ended["data"]["reason"]) == (plan_id, "deceased")


# -- history and time --------------------------------------------------------------------------------------------


def test_a_plan_keeps_who_moved_it_from_when_and_why_and_the_note_stays_in_intake(
        intake, world, active_plan, rak, auth, published):
    note = "В болница в Пазарджик до края на месеца"
    created(act(intake, active_plan["id"], "suspend", rak, effective_on="2021-08-02", reason="hospital_stay",
                note=note))
    created(act(intake, active_plan["id"], "resume", rak, effective_on="2021-08-16"))
    worker = auth("worker", "BG-RAK", subject="mediator-7")
    consent(intake, world["maria"], worker, given=False, decided_on="2021-09-01")
    plan = created(intake.get(f"/care-plans/{active_plan['id']}", headers=rak))
    assert plan["created_by"] == "coordinator-rak"
    assert [(c["previous_status"], c["status"], c["effective_on"], c["reason"], c["note"], c["changed_by"])
            for c in plan["status_changes"]] == [
        ("draft", "active", "2021-07-05", None, None, "coordinator-rak"),
        ("active", "suspended", "2021-08-02", "hospital_stay", note, "coordinator-rak"),
        ("suspended", "active", "2021-08-16", None, None, "coordinator-rak"),
        ("active", "suspended", "2021-09-01", "consent_withdrawn", None, "mediator-7")]
    assert all(change["changed_at"] for change in plan["status_changes"])
    assert all(note not in json.dumps(event, ensure_ascii=False)
               for event in published("intake.careplan.suspended.v1"))


def test_plans_are_counted_by_their_status_on_a_day(intake, world, active_plan, rak, admin):
    created(act(intake, active_plan["id"], "suspend", rak, effective_on="2021-08-02", reason="hospital_stay"))
    created(act(intake, active_plan["id"], "resume", rak, effective_on="2021-08-16"))
    draft(intake, world["maria"], rak)

    def total(query):
        return created(intake.get(f"/care-plans?{query}", headers=rak))["total"]

    days = ("2021-07-04", "2021-07-05", "2021-08-01", "2021-08-02", "2021-08-15", "2021-08-16")
    assert [total(f"status=active&as_of={day}") for day in days] == [0, 1, 1, 0, 0, 1]
    assert [total(f"status=suspended&as_of={day}") for day in days] == [0, 0, 0, 1, 1, 0]
    assert total("status=draft&as_of=2021-07-04") == 2  # before it started, the active plan was a draft
    assert total("status=active") == 1  # without as_of: the status now
    assert_problem(intake.get("/care-plans?as_of=2021-08-10", headers=rak), 422, "as_of")


def test_plans_end_by_themselves_the_day_after_their_agreement_ends_once(
        intake, intake_runtime, world, active_plan, rak, published):
    suspended = draft(intake, world["maria"], rak, agreement_id=active_plan["agreement_id"])
    created(act(intake, suspended["id"], "activate", rak))
    created(act(intake, suspended["id"], "suspend", rak, effective_on="2021-08-02", reason="quarantine"))
    longer = sign(intake, world["maria"], rak, number="ПГ-018/2021", ends_on="2031-07-04",
                  outside_programme_period=True)
    running_on = created(act(intake, draft(intake, world["maria"], rak, agreement_id=longer["id"])["id"],
                             "activate", rak))
    without_agreement = created(act(intake, draft(intake, world["maria"], rak)["id"], "activate", rak))
    assert intake_runtime.spec.tasks.beat == {"end_plans_whose_agreement_ended": timedelta(days=1)}
    task = intake_runtime.celery().tasks["intake.end_plans_whose_agreement_ended"]
    assert task.delay().get() == 2
    for plan_id in (active_plan["id"], suspended["id"]):
        plan = created(intake.get(f"/care-plans/{plan_id}", headers=rak))
        assert (plan["status"], plan["status_since"], plan["status_reason"]) == (
            "ended", "2021-11-01", "agreement_ended")
        assert plan["status_changes"][-1]["changed_by"] == "intake"
    for plan in (running_on, without_agreement):
        assert created(intake.get(f"/care-plans/{plan['id']}", headers=rak))["status"] == "active"
    assert task.delay().get() == 0  # idempotent
    ended = published("intake.careplan.ended.v1")
    assert sorted(event["data"]["careplan_id"] for event in ended) == sorted([active_plan["id"], suspended["id"]])
    assert {(event["data"]["effective_on"], event["data"]["reason"]) for event in ended} == {
        ("2021-11-01", "agreement_ended")}


# -- simultaneous requests ---------------------------------------------------------------------------------------

TRIES = 10  # before the client lock, 7 (SQLite) and 9 (PostgreSQL) of 10 ended active without consent
WITHDRAWAL = {"purpose": "services", "given": False, "decided_on": "2021-07-01"}


def test_withdrawing_consent_while_the_plan_activates_never_leaves_it_running_without_consent(
        served_service, intake, world, rak, admin):
    """Both requests lock the client first, so one waits for the other: either the activation
    is refused, or the withdrawal finds the plan active and suspends it."""
    with httpx.Client(base_url=served_service("intake"), timeout=60) as http:
        unsafe = [attempt for attempt in range(TRIES) if _runs_without_consent(http, intake, rak, admin, attempt)]
    assert unsafe == []


def _runs_without_consent(http, intake, rak, admin, attempt) -> bool:
    """One try: a new client's plan activated as the client withdraws consent; whether it ended up running."""
    client_id = created(intake.post("/clients", headers=admin, json={
        "municipality": "BG-RAK", "given_name": "Мария", "family_name": f"Петрова-{attempt}",
        "confirm_new_person": True}))["id"]
    consent(intake, client_id, rak)
    plan_id = draft(intake, client_id, rak, lines=[CALL_LINE])["id"]
    answers = at_once([partial(http.post, f"/care-plans/{plan_id}/activate", headers=rak),
                       partial(http.post, f"/clients/{client_id}/consents", json=WITHDRAWAL, headers=rak)])
    assert [answer.status_code for answer in answers] in ([200, 201], [409, 201]), answers[0].text
    status = created(intake.get(f"/care-plans/{plan_id}", headers=rak))["status"]
    in_force = created(intake.get(f"/clients/{client_id}/consents", headers=rak))["in_force"]["services"]
    return status == "active" and not in_force["given"]
