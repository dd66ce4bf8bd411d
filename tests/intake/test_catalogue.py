"""The catalogue through intake's HTTP API: networks, municipalities, settlements,
code lists, service types and programmes, on SQLite and PostgreSQL."""
from __future__ import annotations

import pytest

from shared.testing import assert_problem, created as _created
from tests.intake.data import HOME_HELP, HOME_HELPER, NNHM, PERNIK, RAKITOVO

MOSHINO = {"name": "кв. Мошино", "kind": "neighbourhood", "marginalised_community": True,
           "location": {"latitude": 42.6052, "longitude": 23.0378}}
PATRONAGE = {"code": "patronage_plus_rakitovo", "name": "Патронажна грижа + в община Ракитово",
             "funder": "ОП „Развитие на човешките ресурси“", "starts_on": "2021-07-01", "ends_on": "2022-06-30",
             "network": "BG-NNHM", "municipalities": ["BG-RAK"], "service_types": ["home_help"]}


def _data(envelopes: list[dict]) -> list[dict]:
    return [e["data"] for e in envelopes]


# -- every read needs a token; writes need the right role -------------------------------------------


@pytest.mark.parametrize("path", ["/networks", "/municipalities", "/municipalities/BG-RAK",
                                  "/municipalities/BG-RAK/settlements", "/code-lists/target_group",
                                  "/service-types", "/service-types/home_help", "/programmes",
                                  "/programmes/patronage_plus_rakitovo"])
def test_every_catalogue_read_needs_a_token(intake, path):
    assert intake.get(path).status_code == 401


@pytest.mark.parametrize(("path", "body"), [
    ("/networks", NNHM), ("/municipalities", PERNIK), ("/code-lists/staff_role", HOME_HELPER),
    ("/service-types", HOME_HELP), ("/programmes", PATRONAGE)])
@pytest.mark.parametrize("role", ["coordinator", "expert", "worker", "analyst"])
def test_only_the_network_admin_writes_the_network_wide_catalogue(intake, auth, path, body, role):
    assert intake.post(path, json=body, headers=auth(role, "*")).status_code == 403


# -- networks ----------------------------------------------------------------------------------------


def test_a_network_is_registered_and_listed_to_anyone_signed_in(intake, admin, auth):
    assert _created(intake.post("/networks", json=NNHM, headers=admin)) == NNHM
    assert intake.get("/networks", headers=auth("worker", "BG-RAK")).json() == [NNHM]
    assert_problem(intake.post("/networks", json=NNHM, headers=admin), 409, "code")
    assert_problem(intake.post("/networks", json={**NNHM, "code": "nnhm"}, headers=admin), 422, "code")
    assert_problem(intake.post("/networks", json={**NNHM, "name": "  "}, headers=admin), 422, "name")


# -- municipalities ----------------------------------------------------------------------------------


def test_a_municipality_has_translated_names_and_a_network(intake, admin, published, registered_municipalities):
    rakitovo = intake.get("/municipalities/BG-RAK", headers=admin).json()
    assert rakitovo == {k: RAKITOVO[k] for k in ("code", "name", "names", "language", "timezone", "network")}
    assert intake.get("/municipalities/BG-PER", headers=admin).json()["network"] is None
    events = {e["code"]: e for e in _data(published("intake.municipality.registered.v1"))}
    assert events["BG-RAK"] == {"code": "BG-RAK", "name": "Ракитово", "language": "bg",
                                "timezone": "Europe/Sofia", "network": "BG-NNHM"}
    assert events["BG-PER"]["network"] is None


@pytest.mark.parametrize(("change", "field"), [
    ({"network": "BG-NOPE"}, "network"),
    ({"network": "lower"}, "network"),
    ({"names": {"de": "Rakitowo"}}, "names.de.[key]"),
    ({"names": {"en": " "}}, "names.en"),
    ({"colour": "blue"}, "colour"),
])
def test_bad_municipalities_are_refused_naming_the_field(intake, admin, published, change, field):
    answer = intake.post("/municipalities", json={**RAKITOVO, "code": "BG-X1", **change}, headers=admin)
    assert_problem(answer, 422, field)
    assert published("intake.municipality.registered.v1") == []


def test_a_municipality_outside_your_scope_is_not_found(intake, auth, registered_municipalities):
    pernik = auth("coordinator", "BG-PER")
    assert intake.get("/municipalities/BG-PER", headers=pernik).json()["code"] == "BG-PER"
    answer = intake.get("/municipalities/BG-RAK", headers=pernik)
    assert answer.status_code == 404 and "Ракитово" not in answer.text
    assert intake.get("/municipalities/BG-NONE", headers=auth("network_admin", "*")).status_code == 404
    assert [m["code"] for m in intake.get("/municipalities", headers=pernik).json()] == ["BG-PER"]


# -- settlements -------------------------------------------------------------------------------------


def test_a_coordinator_registers_settlements_of_their_municipality(intake, auth, published, registered_municipalities):
    coordinator = auth("coordinator", "BG-PER")
    created = _created(intake.post("/municipalities/BG-PER/settlements", json=MOSHINO, headers=coordinator))
    assert {k: v for k, v in created.items() if k != "id"} == {**MOSHINO, "municipality": "BG-PER"}
    village = _created(intake.post("/municipalities/BG-PER/settlements",
                                   json={"name": "Богданов дол", "kind": "village"}, headers=coordinator))
    assert village["marginalised_community"] is False and village["location"] is None
    listed = intake.get("/municipalities/BG-PER/settlements", headers=auth("worker", "BG-PER")).json()
    assert [s["name"] for s in listed] == ["Богданов дол", "кв. Мошино"]
    [event] = [e for e in published("intake.settlement.registered.v1") if e["data"]["kind"] == "neighbourhood"]
    assert event["municipality"] == "BG-PER" and event["subject"] == created["id"]
    assert event["data"] == {"settlement_id": created["id"], "municipality": "BG-PER", "name": "кв. Мошино",
                             "kind": "neighbourhood", "marginalised_community": True,
                             "location": MOSHINO["location"]}


def test_settlements_are_written_and_read_only_in_your_scope(intake, auth, registered_municipalities):
    assert intake.post("/municipalities/BG-RAK/settlements", json=MOSHINO,
                       headers=auth("coordinator", "BG-PER")).status_code == 403
    assert intake.post("/municipalities/BG-PER/settlements", json=MOSHINO,
                       headers=auth("worker", "BG-PER")).status_code == 403
    _created(intake.post("/municipalities/BG-RAK/settlements", json=MOSHINO, headers=auth("coordinator", "BG-RAK")))
    answer = intake.get("/municipalities/BG-RAK/settlements", headers=auth("coordinator", "BG-PER"))
    assert answer.status_code == 404 and "Мошино" not in answer.text
    assert intake.post("/municipalities/BG-NONE/settlements", json=MOSHINO,
                       headers=auth("network_admin", "*")).status_code == 404


def test_a_settlement_name_is_unique_in_its_municipality(intake, admin, auth, registered_municipalities):
    _created(intake.post("/municipalities/BG-PER/settlements", json=MOSHINO, headers=admin))
    assert_problem(intake.post("/municipalities/BG-PER/settlements", json={**MOSHINO, "name": "КВ. МОШИНО"},
                               headers=admin), 409, "name")
    # The same name in another municipality is another place.
    _created(intake.post("/municipalities/BG-RAK/settlements", json=MOSHINO, headers=admin))


@pytest.mark.parametrize(("change", "field"), [
    ({"location": {"latitude": 90.5, "longitude": 23.0}}, "location.latitude"),
    ({"location": {"latitude": 42.6, "longitude": -180.01}}, "location.longitude"),
    ({"location": {"latitude": 42.6}}, "location.longitude"),
    ({"kind": "city"}, "kind"),
    ({"name": ""}, "name"),
    ({"ethnicity": "roma"}, "ethnicity"),
    ({"marginalised_community": 1}, "marginalised_community"),  # strict: only true or false
    ({"marginalised_community": "yes"}, "marginalised_community"),
])
def test_bad_settlements_are_refused_naming_the_field(intake, admin, change, field, registered_municipalities):
    answer = intake.post("/municipalities/BG-PER/settlements", json={**MOSHINO, **change}, headers=admin)
    assert_problem(answer, 422, field)


def test_the_docs_say_marginalised_community_is_about_the_place(intake):
    schema = intake.get("http://testserver/intake/openapi.json").json()["components"]["schemas"]["SettlementCreate"]
    description = schema["properties"]["marginalised_community"]["description"]
    assert "PLACE" in description and "never" in description and "ethnicity" in description


# -- code lists --------------------------------------------------------------------------------------


def test_code_lists_are_data(intake, admin, auth, published):
    body = {"code": "over_65_unable_to_self_care",
            "names": {"bg": "Лица над 65 г. в невъзможност за самообслужване", "en": "65+ unable to self-care"}}
    assert _created(intake.post("/code-lists/target_group", json=body, headers=admin)) == {
        **body, "kind": "target_group", "active": True}
    _created(intake.post("/code-lists/case_category", json={"code": "identity_documents",
                                                            "names": {"bg": "Лични документи"}}, headers=admin))
    analyst = auth("analyst", "BG-RAK")
    assert [c["code"] for c in intake.get("/code-lists/target_group", headers=analyst).json()] == [body["code"]]
    assert [c["code"] for c in intake.get("/code-lists/case_category", headers=analyst).json()] == [
        "identity_documents"]
    assert intake.get("/code-lists/staff_role", headers=analyst).json() == []
    assert _data(published("intake.code.registered.v1"))[0] == {"kind": "target_group", **body}


def test_a_code_is_renamed_and_retired(intake, admin, published):
    _created(intake.post("/code-lists/staff_role", json=HOME_HELPER, headers=admin))
    renamed = intake.patch("/code-lists/staff_role/home_helper", json={"names": {"pl": "Opiekun domowy"}},
                           headers=admin)
    assert renamed.status_code == 200 and renamed.json()["names"] == {"pl": "Opiekun domowy"}
    retired = intake.patch("/code-lists/staff_role/home_helper", json={"active": False}, headers=admin).json()
    assert retired["active"] is False
    assert intake.get("/code-lists/staff_role", headers=admin).json() == []
    assert intake.get("/code-lists/staff_role?include_inactive=true", headers=admin).json() == [retired]
    intake.patch("/code-lists/staff_role/home_helper", json={"active": False}, headers=admin)  # no change
    assert _data(published("intake.code.changed.v1")) == [
        {"kind": "staff_role", "code": "home_helper", "names": {"pl": "Opiekun domowy"}, "active": True},
        {"kind": "staff_role", "code": "home_helper", "names": {"pl": "Opiekun domowy"}, "active": False},
    ]
    # A retired staff role can no longer be given to a service type; registering it again is a conflict.
    assert_problem(intake.post("/service-types", json={**HOME_HELP, "staff_roles": ["home_helper"]}, headers=admin),
                   422, "staff_roles.0")
    assert_problem(intake.post("/code-lists/staff_role", json=HOME_HELPER, headers=admin), 409, "code")


@pytest.mark.parametrize(("body", "field"), [
    ({"code": "Over 65", "names": {"en": "65+"}}, "code"),
    ({"code": "over_65", "names": {}}, "names"),
    ({"code": "over_65", "names": {"de": "Über 65"}}, "names.de.[key]"),
    ({"code": "over_65", "names": {"bg": ""}}, "names.bg"),
    ({"code": "over_65"}, "names"),
])
def test_bad_codes_are_refused_naming_the_field(intake, admin, body, field):
    assert_problem(intake.post("/code-lists/target_group", json=body, headers=admin), 422, field)


def test_unknown_code_lists_and_codes_are_not_found(intake, admin):
    assert intake.get("/code-lists/colours", headers=admin).status_code == 404
    assert intake.post("/code-lists/colours", json=HOME_HELPER, headers=admin).status_code == 404
    assert intake.patch("/code-lists/staff_role/nobody", json={"active": False}, headers=admin).status_code == 404
    assert intake.patch("/code-lists/staff_role/x", json={"active": False},
                        headers={"Authorization": admin["Authorization"][:-2]}).status_code == 401


# -- service types ------------------------------------------------------------------------------------


def test_a_service_type_is_registered_and_published(intake, auth, published, home_help):
    assert home_help == {**HOME_HELP, "active": True}
    worker = auth("worker", "BG-RAK")
    assert intake.get("/service-types", headers=worker).json() == [home_help]
    assert intake.get("/service-types/home_help", headers=worker).json() == home_help
    assert intake.get("/service-types/nothing", headers=worker).status_code == 404
    assert _data(published("intake.servicetype.registered.v1")) == [HOME_HELP]


@pytest.mark.parametrize(("change", "field"), [
    ({"names": {"bg": "Домашна помощ"}}, "names"),  # English is required
    ({"names": {"en": "Home help", "ro": "Ajutor"}}, "names.ro.[key]"),
    ({"code": "Home Help"}, "code"),
    ({"mode": "teleport"}, "mode"),
    ({"unit": "day"}, "unit"),
    ({"default_duration_minutes": 4}, "default_duration_minutes"),
    ({"default_duration_minutes": 601}, "default_duration_minutes"),
    ({"default_duration_minutes": True}, "default_duration_minutes"),  # strict: an integer, not true
    ({"default_duration_minutes": 60.5}, "default_duration_minutes"),
    ({"default_duration_minutes": "60"}, "default_duration_minutes"),
    ({"staff_roles": []}, "staff_roles"),
    ({"staff_roles": ["home_helper", "astronaut"]}, "staff_roles.1"),
    ({"staff_roles": ["Home Helper"]}, "staff_roles.0"),
])
def test_bad_service_types_are_refused_naming_the_field(intake, admin, published, home_help, change, field):
    answer = intake.post("/service-types", json={**HOME_HELP, "code": "other", **change}, headers=admin)
    assert_problem(answer, 422, field)
    assert len(published("intake.servicetype.registered.v1")) == 1


def test_a_service_type_is_registered_once(intake, admin, home_help):
    assert_problem(intake.post("/service-types", json=HOME_HELP, headers=admin), 409, "code")


def test_a_service_type_changes_and_retires(intake, admin, published, home_help):
    changed = intake.patch("/service-types/home_help", json={
        "names": {"en": "Hourly home help"}, "staff_roles": ["home_helper", "home_helper"],
        "default_duration_minutes": 90}, headers=admin)
    assert changed.status_code == 200, changed.text
    assert changed.json() == {**HOME_HELP, "names": {"en": "Hourly home help"}, "staff_roles": ["home_helper"],
                              "default_duration_minutes": 90, "active": True}
    intake.patch("/service-types/home_help", json={"active": False}, headers=admin)
    assert intake.get("/service-types", headers=admin).json() == []
    assert intake.get("/service-types/home_help", headers=admin).json()["active"] is False
    assert [e["active"] for e in _data(published("intake.servicetype.changed.v1"))] == [True, False]
    assert _data(published("intake.servicetype.changed.v1"))[0]["default_duration_minutes"] == 90


@pytest.mark.parametrize(("body", "field", "status"), [
    ({"unit": "visit"}, "unit", 422),  # a different unit is a different service type
    ({"mode": "phone"}, "mode", 422),
    ({"names": {"bg": "Само български"}}, "names", 422),
    ({"staff_roles": ["astronaut"]}, "staff_roles.0", 422),
    ({"default_duration_minutes": 0}, "default_duration_minutes", 422),
    ({"default_duration_minutes": True}, "default_duration_minutes", 422),
    ({"active": "false"}, "active", 422),  # strict: a text is not a yes or no
    ({"active": 0}, "active", 422),
])
def test_bad_service_type_changes_are_refused(intake, admin, auth, published, home_help, body, field, status):
    assert_problem(intake.patch("/service-types/home_help", json=body, headers=admin), status, field)
    assert intake.get("/service-types/home_help", headers=admin).json() == home_help
    assert published("intake.servicetype.changed.v1") == []


def test_only_the_network_admin_changes_service_types(intake, auth, home_help):
    answer = intake.patch("/service-types/home_help", json={"active": False}, headers=auth("coordinator", "*"))
    assert answer.status_code == 403
    assert intake.patch("/service-types/nothing", json={"active": False},
                        headers=auth("network_admin", "*")).status_code == 404


# -- programmes ----------------------------------------------------------------------------------------


def test_a_programme_is_registered_and_read_where_it_runs(intake, admin, auth, published, home_help):
    created = _created(intake.post("/programmes", json=PATRONAGE, headers=admin))
    assert created == PATRONAGE
    rakitovo = auth("coordinator", "BG-RAK")
    assert intake.get("/programmes", headers=rakitovo).json() == [created]
    assert intake.get(f"/programmes/{PATRONAGE['code']}", headers=rakitovo).json() == created
    pernik = auth("coordinator", "BG-PER")
    assert intake.get("/programmes", headers=pernik).json() == []
    hidden = intake.get(f"/programmes/{PATRONAGE['code']}", headers=pernik)
    assert hidden.status_code == 404 and "Ракитово" not in hidden.text
    assert _data(published("intake.programme.registered.v1")) == [
        {k: v for k, v in PATRONAGE.items() if k != "network"}]
    assert_problem(intake.post("/programmes", json=PATRONAGE, headers=admin), 409, "code")


def test_a_programme_in_several_municipalities_is_seen_from_each(intake, admin, auth, home_help):
    both = {**PATRONAGE, "code": "integrated", "network": None, "municipalities": ["BG-PER", "BG-RAK", "BG-PER"]}
    assert _created(intake.post("/programmes", json=both, headers=admin))["municipalities"] == ["BG-PER", "BG-RAK"]
    for municipality in ("BG-PER", "BG-RAK"):
        assert [p["code"] for p in intake.get("/programmes", headers=auth("worker", municipality)).json()] == [
            "integrated"]


@pytest.mark.parametrize(("change", "field"), [
    ({"ends_on": "2021-06-30"}, "ends_on"),
    ({"network": "BG-NOPE"}, "network"),
    ({"municipalities": ["BG-RAK", "BG-NONE"]}, "municipalities.1"),
    ({"municipalities": []}, "municipalities"),
    ({"service_types": ["teleportation"]}, "service_types.0"),
    ({"starts_on": "1 July"}, "starts_on"),
    ({"starts_on": "0021-07-01"}, "starts_on"),  # a typing error, not a programme of the year 21
    ({"ends_on": "2201-06-30"}, "ends_on"),
    ({"name": ""}, "name"),
    ({"funder": " "}, "funder"),  # may be left out (unknown), never blank
])
def test_bad_programmes_are_refused_naming_the_field(intake, admin, published, home_help, change, field):
    assert_problem(intake.post("/programmes", json={**PATRONAGE, **change}, headers=admin), 422, field)
    assert published("intake.programme.registered.v1") == []


def test_a_programme_pays_only_for_active_service_types(intake, admin, home_help):
    intake.patch("/service-types/home_help", json={"active": False}, headers=admin)
    assert_problem(intake.post("/programmes", json=PATRONAGE, headers=admin), 422, "service_types.0")
    one_day = {**PATRONAGE, "starts_on": "2022-01-01", "ends_on": "2022-01-01"}
    intake.patch("/service-types/home_help", json={"active": True}, headers=admin)
    assert _created(intake.post("/programmes", json=one_day, headers=admin))["ends_on"] == "2022-01-01"


# -- names are lines of text, stored in NFC ---------------------------------------------------------------

HIDDEN = {"NUL": "\x00", "right-to-left override": "\u202e", "zero-width space": "\u200b"}
NAMED = {  # where a name goes: (path, the body with the name, the field that holds it)
    "network": ("/networks", lambda name: {**NNHM, "name": name}, "name"),
    "translation": ("/municipalities", lambda name: {**PERNIK, "names": {"en": name}}, "names.en"),
    "settlement": ("/municipalities/BG-PER/settlements", lambda name: {**MOSHINO, "name": name}, "name"),
    "code": ("/code-lists/staff_role", lambda name: {**HOME_HELPER, "names": {"bg": name}}, "names.bg"),
    "service type": ("/service-types", lambda name: {**HOME_HELP, "names": {"en": name}}, "names.en"),
    "funder": ("/programmes", lambda name: {**PATRONAGE, "funder": name}, "funder"),
}


@pytest.mark.parametrize("hidden", HIDDEN.values(), ids=HIDDEN)
@pytest.mark.parametrize(("path", "body", "field"), NAMED.values(), ids=NAMED)
def test_a_control_or_invisible_character_in_a_name_is_a_422_naming_the_field(intake, admin, path, body, field,
                                                                               hidden):
    answer = intake.post(path, json=body(f"Ракитово{hidden} 2"), headers=admin)
    assert_problem(answer, 422, field)
    assert f"U+{ord(hidden):04X}" in answer.text and hidden not in answer.text  # the code point, not the text


def test_a_name_typed_decomposed_is_stored_composed(intake, admin, registered_municipalities):
    decomposed, composed = "Cafe\u0301 Мрежа", "Caf\u00e9 Мрежа"  # an e and a combining acute accent: é
    network = _created(intake.post("/networks", json={"code": "BG-CAF", "name": decomposed}, headers=admin))
    assert network["name"] == composed
    assert network in intake.get("/networks", headers=admin).json()
    settlement = _created(intake.post("/municipalities/BG-PER/settlements", headers=admin,
                                      json={"name": decomposed, "kind": "village"}))
    assert intake.get("/municipalities/BG-PER/settlements", headers=admin).json() == [settlement]
    assert settlement["name"] == composed


# -- the events carry codes and place names, never anything about a person -----------------------------


def test_catalogue_events_carry_only_the_declared_fields(intake, admin, published, home_help):
    _created(intake.post("/municipalities/BG-RAK/settlements", json=MOSHINO, headers=admin))
    _created(intake.post("/programmes", json=PATRONAGE, headers=admin))
    for event_type in ("intake.municipality.registered.v1", "intake.settlement.registered.v1",
                       "intake.code.registered.v1", "intake.servicetype.registered.v1",
                       "intake.programme.registered.v1"):
        envelopes = published(event_type)
        assert envelopes, event_type
        for envelope in envelopes:
            assert envelope["source"] == "intake" and envelope["type"] == event_type
            assert not {"ethnicity", "phone", "address", "given_name", "family_name"} & set(envelope["data"])
