"""Needs assessments through intake's HTTP API, on SQLite and PostgreSQL: templates
versioned per network, assessments scored against the version they were made with."""
from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from shared.testing import assert_problem, created
from tests.intake.data import MAZOVIA

DOMAINS = [{"code": code, "names": {"en": code.replace("_", " ")}, "min": 0, "max": 4}
           for code in ("self_care", "health", "housing", "income", "social_contacts")]
TEMPLATE = {"network": "BG-NNHM", "code": "social_assessment",
            "names": {"bg": "Индивидуална социална оценка", "en": "Individual social assessment"},
            "domains": DOMAINS}
SCORES = {"self_care": 1, "health": 2, "housing": 3, "income": 1, "social_contacts": 0}


@pytest.fixture
def world(intake, admin, client_maria):
    """Two networks; Rakitovo in the Bulgarian one, Pernik in none; Maria in Rakitovo."""
    created(intake.post("/networks", json=MAZOVIA, headers=admin))
    return {"maria": client_maria["id"]}


@pytest.fixture
def template(intake, admin, world) -> dict:
    return created(intake.post("/assessment-templates", json=TEMPLATE, headers=admin))


@pytest.fixture
def rak(auth):
    return auth("coordinator", "BG-RAK", subject="social-worker-12")


def assess(intake, client_id, headers, template, **overrides):
    body = {"template_id": template, "assessed_on": "2021-07-02", "scores": SCORES,
            "needs": ["help with bathing twice a week"], "notes": "lives alone, daughter abroad", **overrides}
    return intake.post(f"/clients/{client_id}/assessments", json=body, headers=headers)


# -- templates ----------------------------------------------------------------------------------------------


def test_posting_a_template_again_makes_its_next_version(intake, admin, auth, template):
    assert (template["network"], template["code"], template["version"]) == ("BG-NNHM", "social_assessment", 1)
    assert [d["code"] for d in template["domains"]] == [d["code"] for d in DOMAINS]
    second = created(intake.post("/assessment-templates", headers=admin,
                                 json={**TEMPLATE, "domains": DOMAINS[:2]}))
    assert second["version"] == 2 and second["id"] != template["id"]
    worker = auth("worker", "BG-RAK")  # templates hold nothing personal: anyone signed in reads them
    assert created(intake.get("/assessment-templates", headers=worker)) == [second]
    query = "?network=BG-NNHM&code=social_assessment&all_versions=true"
    assert created(intake.get(f"/assessment-templates{query}", headers=worker)) == [template, second]
    assert created(intake.get(f"/assessment-templates/{template['id']}", headers=worker)) == template
    assert created(intake.get("/assessment-templates?network=PL-MAZ", headers=worker)) == []


def test_each_network_versions_its_own_templates(intake, admin, template):
    polish = created(intake.post("/assessment-templates", json={**TEMPLATE, "network": "PL-MAZ"}, headers=admin))
    assert polish["version"] == 1
    assert created(intake.get("/assessment-templates?code=social_assessment", headers=admin)) == [template, polish]


@pytest.mark.parametrize(("overrides", "field"), [
    ({"domains": []}, "domains"),
    ({"domains": [DOMAINS[0], {**DOMAINS[1], "code": "self_care"}]}, "domains"),
    ({"domains": [{**DOMAINS[0], "min": 4, "max": 4}]}, "domains.0.max"),
    ({"domains": [DOMAINS[0], {**DOMAINS[1], "min": 5, "max": 1}]}, "domains.1.max"),
    ({"domains": [{**DOMAINS[0], "code": "Self Care"}]}, "domains.0.code"),
    ({"domains": [{**DOMAINS[0], "names": {}}]}, "domains.0.names"),
    ({"names": {"de": "Bewertung"}}, "names.de.[key]"),
    ({"network": "NO-SUCH"}, "network"),
    ({"code": ""}, "code"),
    ({"names": {"en": " "}}, "names.en"),
    ({"names": {"en": "Social\u200bassessment"}}, "names.en"),  # a zero-width space
    ({"domains": [{**DOMAINS[0], "names": {"en": "Self\x00care"}}]}, "domains.0.names.en"),
    ({"domains": [{**DOMAINS[0], "names": {"en": "Self\u202ecare"}}]}, "domains.0.names.en"),  # an override
    ({"domains": [{**DOMAINS[0], "max": True}]}, "domains.0.max"),  # strict: a number, not true
    ({"domains": [{**DOMAINS[0], "min": 0.5}]}, "domains.0.min"),
    ({"domains": [{**DOMAINS[0], "max": 1000}]}, "domains.0.max"),
])
def test_bad_templates_are_422_naming_the_field(intake, admin, world, overrides, field):
    assert_problem(intake.post("/assessment-templates", json={**TEMPLATE, **overrides}, headers=admin), 422, field)


@pytest.mark.parametrize("role", ["coordinator", "expert", "worker", "analyst"])
def test_only_the_network_admin_writes_templates(intake, auth, world, role):
    assert intake.post("/assessment-templates", json=TEMPLATE, headers=auth(role, "*")).status_code == 403


def test_an_unknown_template_is_not_found(intake, admin, world):
    assert intake.get("/assessment-templates/00000000-0000-4000-8000-000000000000", headers=admin).status_code == 404
    assert intake.get("/assessment-templates").status_code == 401


# -- assessments --------------------------------------------------------------------------------------------------


def test_an_assessment_is_recorded_by_its_assessor_and_published_without_its_content(
        intake, world, template, rak, published):
    assessment = created(assess(intake, world["maria"], rak, template["id"]))
    assert (assessment["assessor"], assessment["recorded_by"]) == ("social-worker-12", "social-worker-12")
    assert (assessment["template"], assessment["template_version"]) == ("social_assessment", 1)
    assert assessment["scores"] == SCORES and assessment["needs"] == ["help with bathing twice a week"]
    path = f"/clients/{world['maria']}/assessments"
    assert created(intake.get(path, headers=rak)) == [assessment]
    assert created(intake.get(f"{path}/{assessment['id']}", headers=rak)) == assessment
    [event] = published("intake.assessment.recorded.v1")
    assert event["data"] == {"assessment_id": assessment["id"], "client_id": world["maria"], "municipality": "BG-RAK",
                             "template": "social_assessment", "template_version": 1, "assessed_on": "2021-07-02"}
    text = json.dumps(event, ensure_ascii=False)
    assert not any(private in text for private in ("bathing", "daughter", "Петрова", "self_care"))


def test_an_assessment_keeps_the_template_version_it_was_made_with(intake, admin, world, template, rak):
    first = created(assess(intake, world["maria"], rak, template["id"]))
    second_version = created(intake.post("/assessment-templates", headers=admin, json={
        **TEMPLATE, "domains": [*DOMAINS, {"code": "safety", "names": {"en": "Safety"}, "min": 1, "max": 5}]}))
    later = created(assess(intake, world["maria"], rak, second_version["id"], assessed_on="2021-12-01",
                           scores={**SCORES, "safety": 5}))
    listed = created(intake.get(f"/clients/{world['maria']}/assessments", headers=rak))
    assert [(a["id"], a["template_version"]) for a in listed] == [(later["id"], 2), (first["id"], 1)]
    assert "safety" not in created(intake.get(f"/clients/{world['maria']}/assessments/{first['id']}",
                                              headers=rak))["scores"]


@pytest.mark.parametrize(("overrides", "fields"), [
    ({"scores": {k: v for k, v in SCORES.items() if k != "income"}}, ["scores.income"]),
    ({"scores": {**SCORES, "mood": 2}}, ["scores.mood"]),
    ({"scores": {**SCORES, "health": 5}}, ["scores.health"]),
    ({"scores": {**SCORES, "housing": -1, "mood": 1}}, ["scores.housing", "scores.mood"]),  # every error named
    ({"scores": {**SCORES, "health": "a lot"}}, ["scores.health"]),
    ({"assessed_on": (date.today() + timedelta(days=2)).isoformat()}, ["assessed_on"]),
    ({"template_id": "00000000-0000-4000-8000-000000000000"}, ["template_id"]),
    ({"needs": [""]}, ["needs.0"]),
    ({"notes": "x" * 5001}, ["notes"]),
    ({"scores": {**SCORES, "health": True}}, ["scores.health"]),  # strict: a score, not true
    ({"scores": {**SCORES, "health": 2.0, "income": 1e-300}}, ["scores.health", "scores.income"]),
    ({"assessed_on": "1999-12-31"}, ["assessed_on"]),
    ({"assessed_on": "0021-07-02"}, ["assessed_on"]),
    ({"needs": ["help with\nbathing"]}, ["needs.0"]),  # one need a line
    ({"needs": ["help \u202ewith bathing"]}, ["needs.0"]),
    ({"notes": "lives alone\x00"}, ["notes"]),
    ({"notes": "lives\u200balone"}, ["notes"]),
])
def test_bad_assessments_are_422_naming_each_field(intake, world, template, rak, published, overrides, fields):
    answer = assess(intake, world["maria"], rak, template["id"], **overrides)
    for field in fields:
        assert_problem(answer, 422, field)
    assert published("intake.assessment.recorded.v1") == []


def test_text_is_stored_in_nfc_and_notes_keep_their_lines(intake, admin, world, rak):
    decomposed, composed = "Cafe\u0301", "Caf\u00e9"  # an e and a combining acute accent: é
    template = created(intake.post("/assessment-templates", headers=admin, json={
        **TEMPLATE, "names": {"en": decomposed}, "domains": [{**DOMAINS[0], "names": {"en": decomposed}}]}))
    assert template["names"] == {"en": composed} and template["domains"][0]["names"] == {"en": composed}
    assessment = created(assess(intake, world["maria"], rak, template["id"], scores={"self_care": 1},
                                needs=[f"{decomposed} visits"], notes=f"lives alone\n\t{decomposed}"))
    assert (assessment["needs"], assessment["notes"]) == ([f"{composed} visits"], f"lives alone\n\t{composed}")
    assert created(intake.get(f"/clients/{world['maria']}/assessments", headers=rak)) == [assessment]


def test_the_template_is_one_of_the_clients_network(intake, admin, world, rak):
    polish = created(intake.post("/assessment-templates", json={**TEMPLATE, "network": "PL-MAZ"}, headers=admin))
    assert_problem(assess(intake, world["maria"], rak, polish["id"]), 422, "template_id")


def test_an_assessment_is_not_before_the_client_was_born(intake, admin, world, template, rak):
    born = created(intake.post("/clients", headers=admin, json={
        "municipality": "BG-RAK", "given_name": "Иван", "family_name": "Георгиев", "birth_date": "2021-08-01"}))
    assert_problem(assess(intake, born["id"], rak, template["id"]), 422, "assessed_on")


def test_who_records_and_reads_assessments(intake, world, template, rak, auth):
    assessment = created(assess(intake, world["maria"], rak, template["id"]))
    path = f"/clients/{world['maria']}/assessments"
    for role in ("expert", "analyst"):
        assert assess(intake, world["maria"], auth(role, "BG-RAK"), template["id"]).status_code == 403
    assert assess(intake, world["maria"], auth("worker", "BG-PER"), template["id"]).status_code == 404
    for role in ("worker", "expert"):
        assert intake.get(path, headers=auth(role, "BG-RAK")).status_code == 200
    pernik = auth("coordinator", "BG-PER")
    assert assess(intake, world["maria"], pernik, template["id"]).status_code == 404
    for read in (path, f"{path}/{assessment['id']}"):
        answer = intake.get(read, headers=pernik)
        assert answer.status_code == 404 and "bathing" not in answer.text
        assert intake.get(read, headers=auth("analyst", "BG-RAK")).status_code == 403
    assert intake.get(f"{path}/00000000-0000-4000-8000-000000000000", headers=rak).status_code == 404


# -- who assessed, who recorded -----------------------------------------------------------------------------------


def test_a_worker_registers_a_family_they_found_and_assesses_it(intake, world, template, auth):
    mediator = auth("worker", "BG-RAK", subject="mediator-7")
    family = created(intake.post("/households", json={"municipality": "BG-RAK", "label": "Юсеинови"},
                                 headers=mediator))
    found = created(intake.post("/clients", headers=mediator, json={
        "municipality": "BG-RAK", "given_name": "Фатме", "family_name": "Юсеинова", "household_id": family["id"]}))
    assert found["registered_by"] == "mediator-7"
    assessment = created(assess(intake, found["id"], mediator, template["id"]))
    assert (assessment["assessor"], assessment["recorded_by"]) == ("mediator-7", "mediator-7")
    named_themselves = created(assess(intake, found["id"], mediator, template["id"], assessor="mediator-7"))
    assert named_themselves["assessor"] == "mediator-7"


def test_a_worker_cannot_name_another_assessor(intake, world, template, auth, published):
    answer = assess(intake, world["maria"], auth("worker", "BG-RAK", subject="mediator-7"), template["id"],
                    assessor="mediator-8")
    assert_problem(answer, 403, "assessor")
    assert published("intake.assessment.recorded.v1") == []


@pytest.mark.parametrize("role", ["coordinator", "network_admin"])
def test_a_coordinator_records_on_the_assessors_behalf(intake, world, template, auth, role):
    recorder = auth(role, "BG-RAK", subject="coordinator-3")
    assessment = created(assess(intake, world["maria"], recorder, template["id"], assessor="mediator-7"))
    assert (assessment["assessor"], assessment["recorded_by"]) == ("mediator-7", "coordinator-3")
    assert created(intake.get(f"/clients/{world['maria']}/assessments", headers=recorder)) == [assessment]


@pytest.mark.parametrize("assessor", ["", "Мария Иванова", "mediator 7", "-mediator", "x" * 201, 7])
def test_an_assessor_is_a_token_subject_not_free_text(intake, world, template, rak, assessor):
    assert_problem(assess(intake, world["maria"], rak, template["id"], assessor=assessor), 422, "assessor")
