"""A request body over ``max_body_bytes`` (1 MiB by default) is a 413 problem before
authentication and routing: at once when its Content-Length says so, and cut at the limit
when it streams (chunked). Over a real socket, with and without a token."""
from __future__ import annotations

import socket
from collections.abc import Iterator

import httpx
import pytest

from shared.settings import Settings
from shared.testing import assert_problem

MiB = 1024 * 1024
LIMIT = Settings.model_fields["max_body_bytes"].default
HUGE = 300 * MiB


@pytest.fixture
def clients_url(served_service) -> httpx.URL:
    return httpx.URL(f"{served_service('intake')}/clients")


def _headers(token: bool, admin: dict, **more: str) -> dict:
    return {**(admin if token else {}), "Content-Type": "application/json", **more}


def _answer_before_the_rest(url: httpx.URL, headers: dict, body: bytes = b"") -> bytes:
    """The status code answered to a request of which only ``body`` was sent: a server that
    waited for the rest of it would leave this waiting until the timeout."""
    lines = [f"POST {url.raw_path.decode()} HTTP/1.1", f"Host: {url.host}", *(f"{k}: {v}" for k, v in headers.items())]
    with socket.create_connection((url.host, url.port), timeout=10) as conn:
        conn.sendall("\r\n".join(lines).encode() + b"\r\n\r\n" + body)
        return conn.makefile("rb").readline().split()[1]


def _chunked(size: int, piece: int = 64 * 1024) -> Iterator[bytes]:
    for _ in range(size // piece):
        yield b"x" * piece


@pytest.mark.parametrize("backend", ["sqlite"])  # refused before any database work
@pytest.mark.parametrize("token", [True, False], ids=["token", "no-token"])
def test_a_declared_length_over_the_limit_is_413_before_a_byte_is_read(clients_url, admin, token):
    assert _answer_before_the_rest(clients_url, _headers(token, admin, **{"Content-Length": str(HUGE)})) == b"413"


@pytest.mark.parametrize("backend", ["sqlite"])
@pytest.mark.parametrize("token", [True, False], ids=["token", "no-token"])
def test_a_streamed_body_is_cut_with_413_once_it_passes_the_limit(clients_url, admin, token):
    sent = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for chunk in _chunked(LIMIT + 128 * 1024))
    headers = _headers(token, admin, **{"Transfer-Encoding": "chunked"})
    assert _answer_before_the_rest(clients_url, headers, sent) == b"413"


@pytest.mark.parametrize("backend", ["sqlite"])
@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "chunked"])
@pytest.mark.parametrize("token", [True, False], ids=["token", "no-token"])
def test_a_client_sending_a_large_body_gets_the_413_problem(clients_url, admin, declared, token):
    size = 16 * MiB
    headers = _headers(token, admin, **({"Content-Length": str(size)} if declared else {}))
    answer = httpx.post(clients_url, content=_chunked(size), headers=headers, timeout=60)
    assert_problem(answer, 413)
    assert answer.json()["detail"] == f"the request body is larger than {LIMIT} bytes"


@pytest.mark.parametrize("backend", ["sqlite"])
@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "chunked"])
def test_a_body_up_to_the_limit_reaches_the_route(clients_url, admin, declared):
    body = b'{"municipality": "BG-RAK", "notes": "' + b"x" * (LIMIT - 100) + b'"}'
    content = body if declared else iter([body[:MiB // 2], body[MiB // 2:]])
    answer = httpx.post(clients_url, content=content, headers=_headers(True, admin), timeout=60)
    assert_problem(answer, 422)  # read whole and validated: no names given
