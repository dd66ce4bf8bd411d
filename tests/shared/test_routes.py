"""What every route of every service checks against what it declares (shared/routes.py):
a query parameter it does not read is a 422 naming it, and a 405 names every method of the path."""
from __future__ import annotations

from typing import Annotated

import pytest
from fastapi import Depends, FastAPI, Query

from shared.paging import PageQuery
from shared.routes import query_names
from shared.testing import assert_problem, created

UNKNOWN = "unknown query parameter"
SOMEONE = "7d4c6f0e-8a57-4b7e-9a53-1f7e2c1d9b10"


def _unknown(answer, *names: str) -> None:
    assert_problem(answer, 422)
    assert answer.json()["errors"] == [{"field": f"query.{name}", "message": UNKNOWN} for name in names]


@pytest.fixture
def intake(service_client):
    return service_client("intake")


@pytest.mark.parametrize(("path", "query"), [
    ("/clients", {"signed_from": "2021-01-01"}),         # a filter of agreements, not of clients
    ("/care-plans", {"statuses": "active"}),              # a typing error of `status`
    ("/cases", {"municipalities": "BG-RAK"}),
    ("/networks", {"network": "BG-NNHM"}),                # a route that takes no parameter at all
    ("/code-lists/target_group", {"include_retired": "true"}),
])
def test_an_unknown_query_parameter_of_intake_is_a_422_naming_it(intake, admin, path, query):
    _unknown(intake.get(path, params=query, headers=admin), *query)


def test_a_filter_on_a_client_route_that_has_none_is_refused(intake, admin):
    _unknown(intake.get(f"/clients/{SOMEONE}/consents", params={"as_of": "2021-07-01"}, headers=admin), "as_of")
    _unknown(intake.get(f"/clients/{SOMEONE}/assessments", params={"signed_from": "2021-01-01"}, headers=admin),
             "signed_from")


@pytest.mark.parametrize("service", ["scheduling", "notifications"])
def test_an_unknown_query_parameter_of_another_service_is_a_422(service_client, admin, service):
    api = service_client(service)
    _unknown(api.get("/municipalities", params={"code": "BG-RAK", "as_of": "2021-07-01"}, headers=admin),
             "code", "as_of")
    _unknown(api.get(f"http://testserver/{service}/healthz", params={"verbose": "1"}), "verbose")


def test_scheduling_and_reporting_take_what_they_declare_and_nothing_else(service_client, admin):
    scheduling, reporting = service_client("scheduling"), service_client("reporting")
    assert created(scheduling.get("/service-types", params={"include_inactive": "true"}, headers=admin)) == []
    _unknown(scheduling.get("/service-types", params={"include_retired": "true"}, headers=admin), "include_retired")
    assert reporting.get("/indicators", params={"month": "2021-07"}, headers=admin).status_code == 200
    _unknown(reporting.get("/indicators", params={"month": "2021-07", "municipality_code": "BG-RAK"},
                           headers=admin), "municipality_code")


def test_declared_parameters_pass_from_the_route_its_dependencies_and_its_filter_model(intake, admin):
    page = created(intake.get("/clients", params={"q": "Мария", "limit": 5, "offset": 0}, headers=admin))
    assert (page["items"], page["limit"]) == ([], 5)
    assert created(intake.get("/code-lists/target_group", params={"include_inactive": "true"}, headers=admin)) == []


class _Filters(PageQuery):
    status: str | None = None


def _since(since: str | None = None) -> str | None:
    return since


def test_the_keys_a_route_reads_include_its_dependencies_and_query_models():
    app = FastAPI()

    @app.get("/things")
    def things(filters: Annotated[_Filters, Query()], since: Annotated[str | None, Depends(_since)],
               sort: str = "name") -> None:
        return None

    [route] = [r for r in app.routes if getattr(r, "path", None) == "/things"]
    assert sorted(query_names(route.dependant)) == ["after", "limit", "offset", "since", "sort", "status"]


# -- 405: the Allow header names every method of the path -------------------------------------


@pytest.mark.parametrize(("method", "path", "allowed"), [
    ("DELETE", "/clients", "GET, POST"),                 # two routes on one path: both methods
    ("PUT", f"/care-plans/{SOMEONE}", "GET, PATCH"),
    ("GET", f"/care-plans/{SOMEONE}/activate", "POST"),
    ("POST", "http://testserver/intake/healthz", "GET"),
])
def test_a_method_the_path_does_not_take_is_a_405_naming_those_it_takes(intake, admin, method, path, allowed):
    answer = intake.request(method, path, headers=admin)
    assert_problem(answer, 405)
    assert answer.headers["allow"] == allowed


def test_a_path_outside_every_service_is_a_problem_too(intake):
    assert_problem(intake.get("http://testserver/intake%0A/v1/networks"), 404)
    assert_problem(intake.get("http://testserver/nowhere"), 404)
