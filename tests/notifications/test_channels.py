"""Notifications' channels against real local servers: an HTTP server standing in for the SMS
provider (the Twilio Messages API's shape), an SMTP server (aiosmtpd), the message log file;
the kinds found through their entry points; and what a text costs as SMS."""
from __future__ import annotations

import base64
import json
import threading
import time
from dataclasses import astuple
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar
from urllib.parse import parse_qs

import pytest
from aiosmtpd.controller import Controller

from services.notifications.channels import ChannelError, Outgoing, installed_kinds, load_channels
from services.notifications.channels.email import SmtpChannel
from services.notifications.channels.lists import CallListChannel, InboxChannel
from services.notifications.channels.log import LogChannel
from services.notifications.channels.sms import HttpSmsChannel, segments
from shared import testing
from shared.settings import Settings

MESSAGE = Outgoing(message_id="3b1f6c0e-msg", to="+359888100201", body="Утре в 10:00 ще дойде Гергана.",
                   subject="Посещение")


class Provider(BaseHTTPRequestHandler):
    """The SMS provider's stand-in: answers as ``Provider.answers`` says, remembers each request."""

    answers: ClassVar[list[tuple[int, dict, float]]] = []
    seen: ClassVar[list[dict]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        Provider.seen.append({"path": self.path, "form": parse_qs(body), "auth": self.headers["Authorization"],
                              "key": self.headers["Idempotency-Key"]})
        status, answer, delay = Provider.answers.pop(0) if Provider.answers else (201, {"sid": "SM1"}, 0.0)
        time.sleep(delay)
        payload = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def provider():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Provider)
    Provider.answers, Provider.seen = [], []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def settings(**values) -> Settings:
    return Settings(environment="test", jwt_secret="s" * 32, **values)


def sms(provider: str) -> HttpSmsChannel:
    return HttpSmsChannel(settings(sms_url=provider, sms_account="AC42", sms_token="tok", sms_sender="CareCircle",
                                   sms_status_callback="https://carecircle.example/notifications/v1/receipts"))


def test_an_sms_goes_to_the_provider_in_its_shape_and_answers_its_id(provider):
    Provider.answers = [(201, {"sid": "SM9f2", "status": "queued"}, 0.0)]
    assert sms(provider).send(MESSAGE).provider_id == "SM9f2"
    [request] = Provider.seen
    assert request["path"] == "/2010-04-01/Accounts/AC42/Messages.json"
    assert request["form"] == {"To": ["+359888100201"], "From": ["CareCircle"], "Body": [MESSAGE.body],
                               "StatusCallback": ["https://carecircle.example/notifications/v1/receipts"]}
    assert request["auth"] == "Basic " + base64.b64encode(b"AC42:tok").decode()
    assert request["key"] == MESSAGE.message_id


@pytest.mark.parametrize(("answer", "transient"), [
    ((503, {"message": "down"}, 0.0), True),
    ((429, {"message": "slow down"}, 0.0), True),
    ((400, {"code": 21211, "message": "invalid 'To' +359888100201"}, 0.0), False),
])
def test_a_provider_error_is_transient_or_not_and_never_repeats_the_number(provider, answer, transient):
    Provider.answers = [answer]
    with pytest.raises(ChannelError) as raised:
        sms(provider).send(MESSAGE)
    assert raised.value.transient is transient
    assert "+359" not in raised.value.reason


def test_a_provider_that_does_not_answer_in_time_is_a_transient_error(provider, monkeypatch):
    monkeypatch.setattr("services.notifications.channels.sms.TIMEOUT", 0.2)
    Provider.answers = [(201, {"sid": "late"}, 1.0)]
    with pytest.raises(ChannelError) as raised:
        sms(provider).send(MESSAGE)
    assert raised.value.transient


def test_a_provider_that_is_not_there_is_a_transient_error():
    with pytest.raises(ChannelError) as raised:
        sms(f"http://127.0.0.1:{testing.free_port()}").send(MESSAGE)
    assert raised.value.transient


class Mailbox:
    def __init__(self) -> None:
        self.received: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.received.append(envelope.content)
        return "250 OK"


def test_an_email_goes_through_smtp_with_our_message_id():
    mailbox, port = Mailbox(), testing.free_port()
    server = Controller(mailbox, hostname="127.0.0.1", port=port)
    server.start()
    try:
        sent = SmtpChannel(settings(smtp_port=port, smtp_sender="patronage@rakitovo.example")).send(
            Outgoing(message_id="m-7", to="maria@example.org", body=MESSAGE.body, subject=MESSAGE.subject))
    finally:
        server.stop()
    [raw] = mailbox.received
    mail = message_from_bytes(raw)
    assert (mail["To"], mail["From"], mail["Message-ID"]) == ("maria@example.org", "patronage@rakitovo.example",
                                                                sent.provider_id)
    assert "m-7" in sent.provider_id and mail.get_payload(decode=True).decode().strip() == MESSAGE.body


def test_an_smtp_server_that_is_not_there_is_a_transient_error():
    with pytest.raises(ChannelError) as raised:
        SmtpChannel(settings(smtp_port=testing.free_port())).send(MESSAGE)
    assert raised.value.transient


def test_the_log_channel_writes_a_line_a_message(tmp_path):
    channel = LogChannel(settings(message_log=str(tmp_path / "log" / "messages.jsonl")))
    channel.send(MESSAGE)
    channel.send(Outgoing(message_id="2", to="Гергана", body="Обадете се на г-жа Петрова"))
    lines = (tmp_path / "log" / "messages.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["message_id"] for line in lines] == ["3b1f6c0e-msg", "2"]
    assert json.loads(lines[0])["body"] == MESSAGE.body


def test_the_channel_kinds_are_found_through_their_entry_points():
    channels = load_channels(settings())
    assert {kind: type(channel) for kind, channel in channels.items()} == {
        "log": LogChannel, "sms": HttpSmsChannel, "email": SmtpChannel, "inbox": InboxChannel,
        "call": CallListChannel}
    assert installed_kinds() == set(channels)
    assert {kind for kind, channel in channels.items() if channel.needs_address} == {"sms", "email"}


@pytest.mark.parametrize(("text", "encoding", "units", "count"), [
    ("a" * 160, "GSM-7", 160, 1),
    ("a" * 161, "GSM-7", 161, 2),
    ("a" * 306, "GSM-7", 306, 2),
    ("a" * 307, "GSM-7", 307, 3),
    ("€" * 80, "GSM-7", 160, 1),  # the extension's characters take two septets
    ("Jutro o 10:00", "GSM-7", 13, 1),
    ("Zażółć gęślą jaźń", "UCS-2", 17, 1),  # Polish letters outside GSM
    ("б" * 70, "UCS-2", 70, 1),
    ("б" * 71, "UCS-2", 71, 2),
    ("б" * 134, "UCS-2", 134, 2),
    ("б" * 135, "UCS-2", 135, 3),
    ("😀" * 35, "UCS-2", 70, 1),  # outside the basic plane: two code units
])
def test_what_a_text_costs_as_sms(text, encoding, units, count):
    assert astuple(segments(text)) == (encoding, units, count)
