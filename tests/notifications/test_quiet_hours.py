"""Quiet hours: no SMS or call in the local night; the message waits for the morning, in
each municipality's time zone and across daylight-saving changes."""
from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from prometheus_client import REGISTRY

from services.notifications.catalogue.rules import DEFAULT, Timing, quiet_until
from services.notifications.messages import service as messages
from services.notifications.messages.service import Draft
from tests.notifications.conftest import CLIENT
from tests.notifications.test_api import Texting
from tests.notifications.test_rules import messages_of


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(("instant", "zone", "until"), [
    ("2026-12-07T19:30", "Europe/Sofia", "2026-12-08T06:00"),  # 21:30 in Sofia: 08:00 tomorrow (UTC+2)
    ("2026-12-07T19:30", "Europe/Warsaw", None),  # 20:30 in Płock: not yet
    ("2026-12-07T05:59", "Europe/Sofia", "2026-12-07T06:00"),  # 07:59: a minute to go
    ("2026-12-07T06:00", "Europe/Sofia", None),  # 08:00: morning
    ("2026-03-28T22:00", "Europe/Kyiv", "2026-03-29T05:00"),  # the night clocks go forward: 08:00 is UTC+3
    ("2026-10-24T20:00", "Europe/Warsaw", "2026-10-25T07:00"),  # the night they go back: 08:00 is UTC+1
])
def test_the_night_ends_at_the_local_morning(instant, zone, until):
    assert quiet_until(utc(instant), zone, DEFAULT) == (utc(until) if until else None)


def test_quiet_hours_that_do_not_cross_midnight():
    siesta = Timing(quiet_from=time(13), quiet_until=time(15))
    assert quiet_until(utc("2026-12-07T12:00"), "Europe/Sofia", siesta) == utc("2026-12-07T13:00")
    assert quiet_until(utc("2026-12-07T14:00"), "Europe/Sofia", siesta) is None


def test_an_sms_due_at_night_waits_for_the_morning_and_a_log_line_does_not(database):
    night = utc("2026-12-07T21:30")  # 23:30 in Rakitovo
    drafts = [Draft(key=f"visit_reminder:{channel}", kind="visit_reminder", recipient=f"client:{CLIENT}",
                    municipality="BG-RAK", params={}, due_at=night, expires_at=night + timedelta(days=1),
                    channel=channel) for channel in ("sms", "email")]
    with database.transaction() as session:
        sms, email = (messages.queue(draft, now=night, session=session) for draft in drafts)
    waited, sent = (counted("sms", "waiting"), counted("email", "sent"))
    with database.transaction() as session:
        channels = {"sms": Texting(), "email": Texting()}
        assert messages.send(sms.id, now=night, channels=channels, address=lambda m: "+359", session=session) \
            == "waiting"
        assert messages.send(email.id, now=night, channels=channels, address=lambda m: "a@b", session=session) \
            == "sent"
    [waiting] = messages_of(database, channel="sms")
    assert (waiting.status, waiting.next_attempt_at, waiting.attempts) == ("queued", utc("2026-12-08T06:00"), 0)
    assert (counted("sms", "waiting"), counted("email", "sent")) == (waited + 1, sent + 1)  # for Prometheus


def counted(channel: str, outcome: str) -> float:
    return REGISTRY.get_sample_value("carecircle_messages_total", {"channel": channel, "outcome": outcome}) or 0.0
