import jwt
import pytest

from shared.auth import Role, RoleGroup, TokenVerifier, issue_token
from shared.errors import Forbidden, Unauthorized as AuthError
from shared.settings import Settings

SECRET = "unit-test-secret-of-at-least-32-bytes"
SETTINGS = Settings(environment="test", jwt_secret=SECRET)


def test_an_issued_token_verifies_with_its_roles_and_municipalities():
    token = issue_token(SETTINGS, roles=["coordinator"], municipalities=["BG-RAK"], subject="maria")
    principal = TokenVerifier(SETTINGS).verify(token)
    assert principal.subject == "maria"
    assert principal.can_access("BG-RAK")
    assert not principal.can_access("BG-PER")
    principal.require_role(RoleGroup(Role.COORDINATOR, Role.NETWORK_ADMIN))
    with pytest.raises(Forbidden):
        principal.require_role(RoleGroup(Role.NETWORK_ADMIN))
    with pytest.raises(Forbidden, match="BG-PER"):
        principal.require_municipality("BG-PER")


def test_star_means_every_municipality():
    token = issue_token(SETTINGS, roles=["network_admin"], municipalities=["*"])
    assert TokenVerifier(SETTINGS).verify(token).can_access("ANY-CODE")


@pytest.mark.parametrize("tamper", ["other secret", "expired", "wrong audience"])
def test_bad_tokens_are_refused(tamper):
    claims = {"sub": "x", "roles": ["network_admin"], "municipalities": ["*"],
              "iss": "carecircle", "aud": "carecircle", "exp": 4_000_000_000}
    secret = SECRET
    if tamper == "other secret":
        secret = "not-the-secret-but-also-32-bytes-long"
    elif tamper == "expired":
        claims["exp"] = 1
    else:
        claims["aud"] = "someone-else"
    token = jwt.encode(claims, secret, algorithm="HS256")
    with pytest.raises(AuthError):
        TokenVerifier(SETTINGS).verify(token)


def test_keycloak_realm_roles_are_read():
    claims = {"sub": "k", "realm_access": {"roles": ["analyst"]}, "municipalities": ["PL-PLO"],
              "iss": "carecircle", "aud": "carecircle", "exp": 4_000_000_000}
    principal = TokenVerifier(SETTINGS).verify(jwt.encode(claims, SECRET, algorithm="HS256"))
    assert principal.roles == {"analyst"}
