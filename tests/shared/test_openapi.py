"""Each service's OpenAPI document lists the error answers of every operation
(shared/openapi.py): problem details, under the statuses that can happen to it."""
from __future__ import annotations

import pytest

from services.registry import SERVICES
from shared.openapi import error_statuses

PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}

# (service, method, path): the error statuses its document lists, in order.
KNOWN = [
    ("intake", "post", "/v1/clients", ["400", "401", "403", "409", "413", "422", "503"]),
    ("intake", "get", "/v1/clients", ["401", "403", "422", "503"]),
    ("intake", "get", "/v1/clients/{client_id}", ["401", "403", "404", "422", "503"]),
    ("intake", "patch", "/v1/care-plans/{plan_id}", ["400", "401", "403", "404", "409", "413", "422", "503"]),
    ("intake", "post", "/v1/care-plans/{plan_id}/activate", ["401", "403", "404", "409", "422", "503"]),
    ("scheduling", "get", "/v1/service-types", ["401", "403", "422", "503"]),
    ("notifications", "get", "/v1/municipalities", ["401", "403", "422", "503"]),
    ("reporting", "get", "/v1/indicators", ["401", "403", "422", "503"]),
    ("reporting", "get", "/healthz", ["422", "503"]),
]


def _document(service_client, service: str) -> dict:
    return service_client(service).get(f"http://testserver/{service}/openapi.json").json()


def _errors(operation: dict) -> list[str]:
    return sorted(status for status in operation["responses"] if status >= "400")


@pytest.mark.parametrize(("service", "method", "path", "statuses"), KNOWN)
def test_known_operations_list_their_error_answers_as_problems(service_client, service, method, path, statuses):
    operation = _document(service_client, service)["paths"][path][method]
    assert _errors(operation) == statuses
    for status in statuses:
        assert operation["responses"][status]["content"] == PROBLEM, status
    assert "Retry-After" in operation["responses"]["503"]["headers"]


@pytest.mark.parametrize("service", SERVICES)
def test_every_operation_lists_what_applies_to_it_and_shares_one_problem_schema(service_client, service):
    document = _document(service_client, service)
    schemas = document["components"]["schemas"]
    assert schemas["Problem"]["required"] == ["type", "title", "status"]
    assert "HTTPValidationError" not in schemas  # FastAPI's own 422, of another shape
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            wanted = {str(status) for status in error_statuses(method, operation)}
            assert wanted <= set(operation["responses"]), (method, path)
            assert "422" in wanted and "503" in wanted


def test_a_status_a_route_declares_keeps_its_description_and_its_own_content(service_client):
    document = _document(service_client, "intake")
    conflict = document["paths"]["/v1/care-plans/{plan_id}/activate"]["post"]["responses"]["409"]
    assert conflict["description"].startswith("Not allowed from the plan's current status")
    assert conflict["content"] == PROBLEM
    not_ready = document["paths"]["/readyz"]["get"]["responses"]["503"]
    assert list(not_ready["content"]) == ["application/json"]  # its report of each check, not a problem
