"""A local stand-in for what notifications talks to when sending an SMS, for tests and
benchmarks: an SMS provider in the Twilio Messages API's shape (``POST
/2010-04-01/Accounts/{account}/Messages.json``) and intake's contact lookups (``GET
/intake/v1/clients/{id}/contact``, and ``POST /intake/v1/clients/contacts`` for a batch).
It answers as scripted (``outage``: so many 503s first) and counts each message id it
accepted, honouring the ``Idempotency-Key`` as a provider with idempotent requests does: a
request repeated for a message it has accepted is answered with the same id and counted
apart, never accepted twice."""
from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ADDRESS = "+359888100201"


class SmsStandIn(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        """A client gone mid-request (a worker killed on purpose) is no error of the stand-in's."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.accepted: dict[str, int] = {}  # message id -> times accepted as new (never more than 1)
        self.repeated = 0  # requests answered from the idempotency key
        self.outage = 0  # how many requests to answer 503 before accepting again
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def take(self, key: str) -> int:
        """The status for a message request with ``key``, counted."""
        with self.lock:
            if self.outage > 0:
                self.outage -= 1
                return 503
            if key in self.accepted:
                self.repeated += 1
            else:
                self.accepted[key] = 1
            return 201

    def count(self, keys: set[str]) -> int:
        with self.lock:
            return sum(1 for key in keys if key in self.accepted)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as a provider's API
    disable_nagle_algorithm = True  # headers and body as two writes must not wait for an ACK
    server: SmsStandIn

    def do_GET(self) -> None:
        self._answer(200, {"address": ADDRESS, "channel": "sms"})

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path.endswith("/clients/contacts"):  # intake's lookup for a batch
            self._answer(200, {"contacts": [{**wanted, "address": ADDRESS, "refused": None}
                                            for wanted in json.loads(body)["wanted"]]})
            return
        key = self.headers.get("Idempotency-Key", "")
        status = self.server.take(key)
        self._answer(status, {"sid": f"SM{key.replace('-', '')}", "status": "queued"} if status == 201 else
                     {"code": 20503, "message": "Service unavailable"})

    def _answer(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *_args) -> None:
        pass


@contextmanager
def sms_stand_in() -> Iterator[SmsStandIn]:
    """The stand-in, serving in a thread until the block ends."""
    server = SmsStandIn()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
