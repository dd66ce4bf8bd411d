"""JWT bearer tokens: roles and the municipalities a caller may act in.

HS256 with a shared secret for embedded runs and tests; RS256 keys fetched
from a JWKS URL for an OIDC provider such as Keycloak.
"""
from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any

import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import SecretStr

from shared.errors import Forbidden, Unauthorized
from shared.settings import Settings

ALL_MUNICIPALITIES = "*"


class Role(StrEnum):
    NETWORK_ADMIN = "network_admin"
    COORDINATOR = "coordinator"
    EXPERT = "expert"
    WORKER = "worker"
    ANALYST = "analyst"
    FUNDER = "funder"  # a programme's funder: aggregates only, as the analyst
    DATA_PROTECTION_OFFICER = "data_protection_officer"
    NOTIFIER = "notifier"  # the notifications service's own token: a client's contact at send time
    EVENT_READER = "event_reader"  # a service's own token: another service's replay feed of its events


class RoleGroup(frozenset[str]):
    """Roles that may do one kind of thing, named once (``requires(COORDINATORS)``)."""

    def __new__(cls, *roles: Role) -> RoleGroup:
        return super().__new__(cls, (r.value for r in roles))


NETWORK_ADMINS = RoleGroup(Role.NETWORK_ADMIN)
# Who writes clients, agreements and care plans of their municipalities.
COORDINATORS = RoleGroup(Role.NETWORK_ADMIN, Role.COORDINATOR)
# Who works with clients in person: registers the people and households they find, records
# consents and assessments, opens and moves cases.
FIELD_STAFF = RoleGroup(Role.NETWORK_ADMIN, Role.COORDINATOR, Role.WORKER)
# Who may read personal data: everyone but the analyst, who sees aggregates only, and the
# data-protection officer. (Intake narrows a worker's reading to the clients they serve.)
PERSONAL_DATA_READERS = RoleGroup(Role.NETWORK_ADMIN, Role.COORDINATOR, Role.EXPERT, Role.WORKER)
# Who reads aggregates (reporting).
AGGREGATE_READERS = RoleGroup(Role.NETWORK_ADMIN, Role.COORDINATOR, Role.EXPERT, Role.ANALYST, Role.FUNDER)
# Who reads them exactly, small counts included: those who may read the people behind them.
# The analyst and the funder see counts under the suppression threshold suppressed.
EXACT_AGGREGATE_READERS = RoleGroup(Role.NETWORK_ADMIN, Role.COORDINATOR, Role.EXPERT)
# Who reads the log of who read a person's data (the data-protection officer reads nothing else).
ACCESS_LOG_READERS = RoleGroup(Role.NETWORK_ADMIN, Role.DATA_PROTECTION_OFFICER)
# Who asks how a client is reached, to send them a message: the notifications service only.
NOTIFIERS = RoleGroup(Role.NOTIFIER)
# Who reads a service's replay feed (what it published: ids and codes): the other services only.
EVENT_READERS = RoleGroup(Role.EVENT_READER)


def serves_only_assigned(roles: frozenset[str]) -> bool:
    """Whether a caller with ``roles`` sees only their own work and the clients they serve: one
    whose only role that reads personal data is the worker's (a worker who is also a
    coordinator reads as one)."""
    return roles & PERSONAL_DATA_READERS == {Role.WORKER.value}


@dataclass(frozen=True)
class Principal:
    subject: str
    roles: frozenset[str]
    municipalities: frozenset[str]

    @property
    def all_municipalities(self) -> bool:
        return ALL_MUNICIPALITIES in self.municipalities

    def has_role(self, group: RoleGroup) -> bool:
        return bool(self.roles & group)

    def require_role(self, group: RoleGroup) -> None:
        if not self.roles & group:
            raise Forbidden(f"requires one of the roles: {', '.join(r for r in Role if r in group)}")

    def can_access(self, municipality: str) -> bool:
        return self.all_municipalities or municipality in self.municipalities

    def require_municipality(self, municipality: str) -> None:
        if not self.can_access(municipality):
            raise Forbidden(f"municipality {municipality} is outside your scope")


class TokenVerifier:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._jwks = jwt.PyJWKClient(settings.jwt_jwks_url) if settings.jwt_jwks_url else None

    def verify(self, token: str) -> Principal:
        try:
            claims = jwt.decode(token, **self._key_for(token), audience=self.settings.jwt_audience,
                                issuer=self.settings.jwt_issuer, options={"require": ["exp", "sub"]})
        except jwt.PyJWTError as exc:
            raise Unauthorized(f"invalid token: {exc}") from exc
        return _principal(claims)

    def _key_for(self, token: str) -> dict[str, Any]:
        if self._jwks is not None:
            return {"key": self._jwks.get_signing_key_from_jwt(token).key, "algorithms": ["RS256"]}
        return {"key": self.settings.jwt_secret.get_secret_value(), "algorithms": ["HS256"]}


def _principal(claims: dict[str, Any]) -> Principal:
    return Principal(
        subject=str(claims["sub"]),
        roles=_strings("roles", _roles(claims)),
        municipalities=_strings("municipalities", claims.get("municipalities")),
    )


def _roles(claims: dict[str, Any]) -> Any:
    """The built-in issuer's ``roles``, else Keycloak's realm roles (``realm_access.roles``)."""
    if "roles" in claims:
        return claims["roles"]
    realm = claims.get("realm_access")
    return realm.get("roles") if isinstance(realm, dict) else None


def _strings(name: str, value: Any) -> frozenset[str]:
    """A claim that must be a list of strings. Anything else (missing, a bare string, which
    would read as its letters, numbers, objects) is a token not made for this API: 401."""
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise Unauthorized(f"invalid token: the {name} claim is not a list of strings")
    return frozenset(value)


def issue_token(settings: Settings, *, roles: list[str], municipalities: list[str],
                subject: str | None = None, ttl_minutes: int | None = None) -> str:
    """The built-in issuer of embedded runs, tests and ``carecircle token``."""
    now = int(time.time())
    claims = {
        "sub": subject or f"user-{uuid.uuid4().hex[:8]}",
        "roles": roles,
        "municipalities": municipalities,
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "iat": now,
        "exp": now + 60 * (ttl_minutes or settings.token_ttl_minutes),
    }
    return jwt.encode(claims, settings.jwt_secret.get_secret_value(), algorithm="HS256")


_bearer = HTTPBearer(auto_error=False)


def current_principal(request: Request,
                      credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> Principal:
    if credentials is None:
        raise Unauthorized("a bearer token is required")
    return request.app.state.verifier.verify(credentials.credentials)


def requires(group: RoleGroup) -> Any:
    """The dependency of a route that needs one of ``group``'s roles (else 403):
    ``caller: Annotated[Principal, requires(COORDINATORS)]``."""
    def check(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
        principal.require_role(group)
        return principal
    return Depends(check)


# The caller of a route: any valid token, or one with a role of the named group.
Caller = Annotated[Principal, Depends(current_principal)]
NetworkAdmin = Annotated[Principal, requires(NETWORK_ADMINS)]
Coordinator = Annotated[Principal, requires(COORDINATORS)]
FieldStaff = Annotated[Principal, requires(FIELD_STAFF)]
Notifier = Annotated[Principal, requires(NOTIFIERS)]
EventReader = Annotated[Principal, requires(EVENT_READERS)]
PersonalDataReader = Annotated[Principal, requires(PERSONAL_DATA_READERS)]
AggregateReader = Annotated[Principal, requires(AGGREGATE_READERS)]
AccessLogReader = Annotated[Principal, requires(ACCESS_LOG_READERS)]


class ServiceToken:
    """A service's own bearer token for a named call to another service: the one configured
    (where an OIDC provider issues tokens), else one signed here for ``role``, renewed a
    minute before it expires."""

    MINUTES = 10

    def __init__(self, settings: Settings, *, role: Role, subject: str, configured: SecretStr | None) -> None:
        self.settings, self.role, self.subject, self.configured = settings, role, subject, configured
        self._token, self._until = "", 0.0

    def __call__(self) -> str:
        if self.configured is not None:
            return self.configured.get_secret_value()
        if time.monotonic() >= self._until:
            self._token = issue_token(self.settings, roles=[self.role.value], municipalities=[ALL_MUNICIPALITIES],
                                      subject=self.subject, ttl_minutes=self.MINUTES)
            self._until = time.monotonic() + (self.MINUTES - 1) * 60
        return self._token
