"""A token that verifies but whose claims are malformed is a 401 on every service, never a 500,
and never read loosely: ``municipalities: "BG-RAK"`` is not the scope {"B", "G", "-", ...}."""
from __future__ import annotations

import time

import jwt
import pytest
from fastapi.routing import APIRoute

from services.registry import SERVICES, service_spec
from shared.testing import JWT_SECRET, assert_problem

VALID = {"sub": "someone", "roles": ["network_admin"], "municipalities": ["*"]}
MALFORMED = {
    "roles as a bare string": {"roles": "network_admin"},
    "roles with a number": {"roles": [7]},
    "roles with an object": {"roles": [{"name": "network_admin"}]},
    "roles as an object": {"roles": {"network_admin": True}},
    "roles missing": {"roles": None},
    "realm_access without roles": {"roles": None, "realm_access": {}},
    "realm_access roles as a bare string": {"roles": None, "realm_access": {"roles": "network_admin"}},
    "realm_access as a list": {"roles": None, "realm_access": ["network_admin"]},
    "municipalities as a bare string": {"municipalities": "BG-RAK"},
    "municipalities as a bare star": {"municipalities": "*"},
    "municipalities nested": {"municipalities": [["BG-RAK"]]},
    "municipalities with a number": {"municipalities": [42]},
    "municipalities as an object": {"municipalities": {"BG-RAK": True}},
    "municipalities missing": {"municipalities": None},
}


def _token(**claims) -> dict:
    """Signed with the test secret, so it verifies; a claim given as None is left out."""
    now = int(time.time())
    body = {**VALID, "iss": "carecircle", "aud": "carecircle", "iat": now, "exp": now + 600, **claims}
    token = jwt.encode({k: v for k, v in body.items() if v is not None}, JWT_SECRET, algorithm="HS256")
    return {"Authorization": f"Bearer {token}"}


def _guarded_path(service: str) -> str:
    """A GET route of the service's API with nothing in its path: every one needs a token."""
    routes = [route for router in service_spec(service).routers for route in router.routes]
    return next(r.path for r in routes if isinstance(r, APIRoute) and "GET" in r.methods and "{" not in r.path)


@pytest.mark.parametrize("backend", ["sqlite"])  # no database is involved: the token is refused first
@pytest.mark.parametrize("service", SERVICES)
def test_malformed_claims_are_401_on_every_service(service_client, service):
    api, path = service_client(service), _guarded_path(service)
    assert api.get(path, headers=_token()).status_code in (200, 422)  # verified (a route may want its query)
    for case, claims in MALFORMED.items():
        answer = api.get(path, headers=_token(**claims))
        assert_problem(answer, 401)
        assert "claim" in answer.json()["detail"], case


@pytest.mark.parametrize("backend", ["sqlite"])
def test_keycloak_realm_roles_still_give_their_rights(service_client):
    answer = service_client("intake").get("/municipalities", headers=_token(
        roles=None, realm_access={"roles": ["analyst", "offline_access"]}))
    assert answer.status_code == 200
