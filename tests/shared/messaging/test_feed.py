"""A service's replay feed over HTTP on a socket, on SQLite and PostgreSQL: what it published,
oldest first, page by page, to a service's token only; and a consumer that started after the
events were published catching up from it, once however often it reads."""
from __future__ import annotations

import threading
import time

import httpx
import pytest
from sqlalchemy import func, select

from services.registry import SERVICES, service_spec
from services.reporting.models import Client
from services.reporting.rebuild import forget_everything
from services.scheduling.models import Municipality
from shared import testing
from shared.bootstrap import Runtime, broker_factory
from shared.feed import FeedReader, catch_up, last_read, producers, until_caught_up
from shared.testing import assert_problem, bearer

READER = bearer("event_reader", "*", subject="reporting")
RAKITOVO = {"code": "BG-RAK", "name": "Ракитово", "language": "bg", "timezone": "Europe/Sofia"}


@pytest.fixture
def intake_url(served_service) -> str:
    """Intake on a socket, with a municipality and three clients registered: eight events."""
    url = served_service("intake")
    admin = bearer("network_admin", "*", subject="admin")
    # A generous timeout: once in CI the first request to a fresh server took over httpx's 5 s.
    assert httpx.post(f"{url}/municipalities", headers=admin, json=RAKITOVO, timeout=30).status_code == 201
    for name in ("Мария", "Гергана", "Стефка"):
        assert httpx.post(f"{url}/clients", headers=admin, timeout=30, json={
            "municipality": "BG-RAK", "given_name": name, "family_name": "Петрова"}).status_code == 201
    return url


def registered(reporting: Runtime) -> dict[str, int]:
    """Reporting's clients per municipality."""
    with reporting.database.unit_of_work() as session:
        return dict(session.execute(select(Client.municipality, func.count()).group_by(Client.municipality)).all())


def pages_of(url: str, size: int) -> list[list[str]]:
    pages, after = [], 0
    while True:
        page = httpx.get(f"{url}/events", params={"after": after, "limit": size}, headers=READER, timeout=30).json()
        if not page["events"]:
            return pages
        pages.append([event["id"] for event in page["events"]])
        after = page["next"]


def test_the_feed_serves_what_was_published_oldest_first_page_by_page(intake_url, published):
    pages = pages_of(intake_url, 2)
    written = [event["id"] for event in published("intake.municipality.registered.v1")]
    clients = [event["id"] for event in published("intake.client.registered.v1")]
    served = [event_id for page in pages for event_id in page]
    assert all(len(page) <= 2 for page in pages) and len(served) == len(set(served))
    assert [e for e in served if e in written + clients][-3:] == clients  # in the order written
    assert set(written + clients) <= set(served)


def test_the_feed_is_for_services_tokens_and_checks_its_query(intake_url):
    for headers, status in (({}, 401), (bearer("network_admin", "*"), 403), (bearer("analyst", "*"), 403)):
        assert_problem(httpx.get(f"{intake_url}/events", headers=headers), status)
    for query, field in (({"limit": 0}, "query.limit"), ({"limit": 1001}, "query.limit"),
                         ({"after": -1}, "query.after"), ({"after": "x"}, "query.after")):
        assert_problem(httpx.get(f"{intake_url}/events", params=query, headers=READER), 422, field)


def test_a_consumer_that_started_late_catches_up_once(intake_url, service_runtime):
    reporting = service_runtime("reporting")
    feed = FeedReader(testing.make_settings(intake_url=intake_url), "intake", reader="reporting", page=3)

    def counted() -> dict[str, int]:
        return registered(reporting)

    assert counted() == {}
    position = catch_up(reporting.consumer(), feed)
    assert counted() == {"BG-RAK": 3} and last_read(reporting.consumer(), "intake") == position
    assert catch_up(reporting.consumer(), feed) == position  # goes on from where it was: nothing new
    assert catch_up(reporting.consumer(), feed, after=0) == position  # read again from the start: nothing twice
    assert counted() == {"BG-RAK": 3}


def test_catching_up_waits_for_a_producer_that_does_not_answer_yet():
    tries, stop = [], threading.Event()

    def catch_up_all() -> None:
        tries.append(1)
        if len(tries) < 3:
            raise httpx.ConnectError("not yet")
    started = time.monotonic()
    until_caught_up(catch_up_all, stop)
    assert len(tries) == 3 and time.monotonic() - started >= 3.0  # waited 1 s, then 2 s
    stop.set()
    until_caught_up(lambda: (_ for _ in ()).throw(httpx.ConnectError("down")), stop)  # stopped: gives up at once


def test_reporting_rebuilt_from_the_feeds_reaches_the_same_figures(intake_url, service_runtime):
    reporting = service_runtime("reporting")
    feed = FeedReader(testing.make_settings(intake_url=intake_url), "intake", reader="reporting")
    catch_up(reporting.consumer(), feed)
    before = registered(reporting)
    with reporting.database.transaction() as session:
        forget_everything(session=session)
    assert registered(reporting) == {}
    catch_up(reporting.consumer(), feed)
    assert registered(reporting) == before == {"BG-RAK": 3}


def test_a_service_catches_up_with_every_service_it_consumes(intake_url, served_service, service_runtime):
    assert {name: producers(service_runtime(name).consumer()) for name in SERVICES} == {
        "intake": ["scheduling"], "scheduling": ["intake"], "notifications": ["intake", "scheduling"],
        "reporting": ["intake", "notifications", "scheduling"]}
    reporting = service_runtime("reporting")
    settings = testing.make_settings(reporting.database.url, intake_url=intake_url,
                                     scheduling_url=served_service("scheduling"),
                                     notifications_url=served_service("notifications"))
    positions = Runtime(service_spec("reporting"), settings, broker_factory(settings)).catch_up()
    assert list(positions) == ["intake", "notifications", "scheduling"] and positions["intake"] > 0
    assert registered(reporting) == {"BG-RAK": 3}


def test_scheduling_started_after_intake_finds_the_municipalities_registered_before(intake_url, service_runtime):
    scheduling = service_runtime("scheduling")
    with scheduling.database.unit_of_work() as session:
        assert session.scalars(select(Municipality.code)).all() == []
    catch_up(scheduling.consumer(), FeedReader(testing.make_settings(intake_url=intake_url), "intake",
                                               reader="scheduling"))
    with scheduling.database.unit_of_work() as session:
        assert [(m.code, m.timezone) for m in session.scalars(select(Municipality))] == [("BG-RAK", "Europe/Sofia")]
