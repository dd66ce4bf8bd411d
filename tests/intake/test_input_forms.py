"""What intake's OpenAPI document says it takes is what it takes (issue 8, point 11), through
its HTTP API on SQLite and PostgreSQL: a day is YYYY-MM-DD and nothing else, a PATCH field
that may not be null is not offered null, a window's start is not after its end, an empty
search is refused, and a length is counted and worded in characters."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from shared.testing import assert_problem, created

ISO_DAY = "Input should be a day written YYYY-MM-DD"
NOT_NULL = "may be left out, not set to null"
# Epoch seconds (which pydantic's own date reads), a moment, the basic ISO form, a day without zeros.
NOT_DAYS = ["0", "1700000000", "2021-07-01T00:00:00", "20210701", "2021-7-1"]

# Each PATCH body of intake: the fields that may be left out but not be null (every other
# field of the body may be null, and its schema says so).
NOT_NULLABLE = {
    "CarePlanUpdate": {"starts_on", "lines"},
    "CaseUpdate": {"title", "category", "priority"},
    "FollowUpUpdate": {"description"},
    "ClientUpdate": {"given_name", "family_name", "sex", "preferred_language", "new_household_label",
                     "target_groups", "status", "status_since"},
    "CodeUpdate": {"names", "active"},
    "ServiceTypeUpdate": {"names", "staff_roles", "default_duration_minutes", "active"},
}
# Each day a list takes as a query parameter: (path, its other parameters, the parameter).
DAY_PARAMETERS = [
    ("/agreements", "", "signed_from"),
    ("/agreements", "", "signed_to"),
    ("/agreements", "", "as_of"),
    ("/care-plans", "status=active&", "as_of"),
    ("/follow-ups/overdue", "", "as_of"),
]


@pytest.fixture
def document(intake) -> dict:
    return intake.get("http://testserver/intake/openapi.json").json()


@pytest.fixture
def records(intake, admin, client_maria, case_categories, home_help, target_groups) -> dict[str, str]:
    """A record of each kind a PATCH changes, by the name of its PATCH body: the path to it."""
    maria = client_maria["id"]
    plan = created(intake.post(f"/clients/{maria}/care-plans", json={"starts_on": "2021-07-05"}, headers=admin))
    case = created(intake.post("/cases", headers=admin, json={
        "municipality": "BG-RAK", "client_id": maria, "origin": "walk_in", "category": "other",
        "title": "Няма личен лекар"}))
    follow_up = created(intake.post(f"/cases/{case['id']}/follow-ups", headers=admin, json={
        "kind": "call", "description": "Обаждане", "due_on": str(date.today() + timedelta(days=7))}))
    return {"CarePlanUpdate": f"/care-plans/{plan['id']}", "CaseUpdate": f"/cases/{case['id']}",
            "FollowUpUpdate": f"/cases/{case['id']}/follow-ups/{follow_up['id']}", "ClientUpdate": f"/clients/{maria}",
            "CodeUpdate": "/code-lists/target_group/disability", "ServiceTypeUpdate": "/service-types/home_help",
            "client": f"/clients/{maria}"}


def _refused(answer, field: str, message: str) -> None:
    assert_problem(answer, 422, field)
    assert message in [e["message"] for e in answer.json()["errors"] if e["field"] == field], answer.text


def _nullable(schema: dict) -> bool:
    return {"type": "null"} in schema.get("anyOf", [])


# -- a day is YYYY-MM-DD ---------------------------------------------------------------------------


def test_the_days_lists_take_are_documented(document):
    documented = [(path, parameter["name"], parameter.get("description", ""))
                  for path, operations in document["paths"].items() for parameter in operations.get("get", {})
                  .get("parameters", []) if parameter["in"] == "query"
                  and any(s.get("format") == "date" for s in parameter["schema"].get("anyOf", [parameter["schema"]]))]
    assert sorted((path, name) for path, name, _ in documented) == sorted(
        (f"/v1{path}", name) for path, _, name in DAY_PARAMETERS)
    descriptions = {(path, name): description for path, name, description in documented}
    for name in ("signed_from", "signed_to", "as_of"):
        assert "inclusive" in descriptions["/v1/agreements", name]
    assert "inclusive" in descriptions["/v1/care-plans", "as_of"]
    assert "time zone" in descriptions["/v1/follow-ups/overdue", "as_of"]


@pytest.mark.parametrize(("path", "others", "name"), DAY_PARAMETERS)
def test_a_day_in_a_query_is_yyyy_mm_dd(intake, admin, registered_municipalities, path, others, name):
    for value in NOT_DAYS:
        _refused(intake.get(f"{path}?{others}{name}={value}", headers=admin), f"query.{name}", ISO_DAY)
    assert intake.get(f"{path}?{others}{name}={date.today()}", headers=admin).status_code == 200


def test_a_day_in_a_body_is_yyyy_mm_dd(intake, admin, records, programmes):
    client, plan = records["client"], records["CarePlanUpdate"]
    follow_ups = records["FollowUpUpdate"].rsplit("/", 1)[0]
    bodies = [
        ("post", "/clients", {"municipality": "BG-RAK", "given_name": "Иван", "family_name": "Иванов"}, "birth_date"),
        ("patch", client, {}, "status_since"),
        ("post", "/programmes", {}, "starts_on"),
        ("post", f"{client}/consents", {"purpose": "services", "given": True}, "decided_on"),
        ("post", f"{client}/agreements", {}, "signed_on"),
        ("post", f"{client}/care-plans", {}, "starts_on"),
        ("patch", plan, {}, "ends_on"),
        ("post", f"{plan}/suspend", {"reason": "hospital_stay"}, "effective_on"),
        ("post", follow_ups, {"kind": "call", "description": "Обаждане"}, "due_on"),
    ]
    for method, path, body, name in bodies:
        for value in [0, 1_700_000_000, "0", "2021-07-01T00:00:00"]:
            _refused(intake.request(method, path, json={**body, name: value}, headers=admin), name, ISO_DAY)


# -- PATCH: what may be null is what the schema offers ------------------------------------------------


def test_each_patch_body_offers_null_only_where_null_is_taken(document):
    schemas = document["components"]["schemas"]
    patched = set()
    for path, operations in document["paths"].items():
        if "patch" not in operations:
            continue
        name = operations["patch"]["requestBody"]["content"]["application/json"]["schema"]["$ref"].split("/")[-1]
        properties = schemas[name]["properties"]
        assert {field for field, schema in properties.items() if not _nullable(schema)} == NOT_NULLABLE[name], path
        patched.add(name)
    assert patched == set(NOT_NULLABLE)


def test_a_plan_line_says_in_its_schema_that_each_day_comes_once(intake, admin, document, records):
    days = document["components"]["schemas"]["LineUpdate"]["properties"]["preferred_days"]
    assert (days["uniqueItems"], days["maxItems"]) == (True, 7)
    twice = {"lines": [{"service_type": "home_help", "per_week": 2, "preferred_days": ["mon", "mon"]}]}
    _refused(intake.patch(records["CarePlanUpdate"], json=twice, headers=admin), "lines.0.preferred_days",
             "Value error, each day may appear once")


def test_null_where_a_patch_does_not_take_it_is_422_naming_the_field(intake, admin, records):
    for body, fields in NOT_NULLABLE.items():
        for field in sorted(fields):
            _refused(intake.patch(records[body], json={field: None}, headers=admin), field, NOT_NULL)
    plan = intake.get(records["CarePlanUpdate"], headers=admin).json()
    assert plan["starts_on"] == "2021-07-05"


def test_null_where_a_patch_takes_it_clears_the_field(intake, admin, records):
    case = intake.patch(records["CaseUpdate"], json={"description": "Без лична карта"}, headers=admin).json()
    assert case["description"] == "Без лична карта"
    cleared = intake.patch(records["CaseUpdate"], json={"description": None, "assignee": None}, headers=admin)
    assert (cleared.status_code, cleared.json()["description"]) == (200, None), cleared.text
    client = intake.patch(records["ClientUpdate"], json={"phone": None, "address": None}, headers=admin)
    assert (client.status_code, client.json()["phone"], client.json()["address"]) == (200, None, None), client.text


# -- a window's start is not after its end --------------------------------------------------------------


def test_signed_from_after_signed_to_is_422_naming_signed_to(intake, admin, registered_municipalities):
    answer = intake.get("/agreements?signed_from=2022-01-01&signed_to=2021-12-31", headers=admin)
    _refused(answer, "query.signed_to", "Value error, must not be before signed_from (2022-01-01)")
    one_day = intake.get("/agreements?signed_from=2021-12-31&signed_to=2021-12-31", headers=admin)
    assert one_day.status_code == 200, one_day.text


# -- a search for nothing -----------------------------------------------------------------------------------


def test_an_empty_search_is_refused_by_the_schema(intake, admin, document, registered_municipalities):
    [q] = [p for p in document["paths"]["/v1/clients"]["get"]["parameters"] if p["name"] == "q"]
    assert q["schema"]["anyOf"][0]["minLength"] == 1
    _refused(intake.get("/clients?q=", headers=admin), "query.q", "String should have at least 1 character")


def test_no_string_query_parameter_takes_the_empty_string(document):
    def takes_empty(schema: dict) -> bool:
        return (schema.get("type") == "string" and schema.get("minLength", 0) == 0 and "enum" not in schema
                and schema.get("format") not in ("uuid", "date", "date-time")
                and re.search(schema.get("pattern", ""), "") is not None)

    taking = {(path, parameter["name"]) for path, operations in document["paths"].items()
              for operation in operations.values() for parameter in operation.get("parameters", [])
              if parameter["in"] == "query" and any(map(takes_empty, parameter["schema"].get(
                  "anyOf", [parameter["schema"]])))}
    assert taking == set()


# -- lengths in characters ----------------------------------------------------------------------------------


def test_a_length_is_worded_in_characters(intake, admin, records):
    long_name = {"municipality": "BG-RAK", "given_name": "М" * 101, "family_name": "Петрова"}
    _refused(intake.post("/clients", json=long_name, headers=admin), "given_name",
             "String should have at most 100 characters")
    _refused(intake.patch(records["CaseUpdate"], json={"title": "Д" * 201}, headers=admin), "title",
             "String should have at most 200 characters")
    _refused(intake.patch(records["CaseUpdate"], json={"title": ""}, headers=admin), "title",
             "String should have at least 1 character")
