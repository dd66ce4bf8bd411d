"""RS256 tokens verified with keys fetched from a JWKS URL, as from Keycloak."""
from __future__ import annotations

import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from shared.auth import TokenVerifier
from shared.errors import Unauthorized as AuthError
from shared.settings import Settings
from shared.testing import json_server


@pytest.fixture(scope="module")
def provider():
    """A tiny OIDC-like key endpoint on a real socket."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    keys = {"keys": [{**jwk, "kid": "k1", "use": "sig", "alg": "RS256"}]}
    with json_server(lambda path: keys) as (url, _):
        yield key, f"{url}/certs"


def _token(key, **overrides) -> str:
    claims = {"sub": "k-user", "realm_access": {"roles": ["coordinator"]}, "municipalities": ["BG-PER"],
              "iss": "https://keycloak.example/realms/care", "aud": "carecircle", "exp": int(time.time()) + 60}
    return jwt.encode({**claims, **overrides}, key, algorithm="RS256", headers={"kid": "k1"})


def test_rs256_token_from_the_provider_verifies(provider):
    key, url = provider
    settings = Settings(environment="production", jwt_jwks_url=url, jwt_issuer="https://keycloak.example/realms/care",
                        broker_url="amqp://x", database_url="postgresql://x/{service}")
    principal = TokenVerifier(settings).verify(_token(key))
    assert principal.roles == {"coordinator"}
    assert principal.can_access("BG-PER")


def test_a_token_signed_by_another_key_is_refused(provider):
    _key, url = provider
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    settings = Settings(environment="test", jwt_jwks_url=url, jwt_issuer="https://keycloak.example/realms/care")
    with pytest.raises(AuthError):
        TokenVerifier(settings).verify(_token(stranger))
