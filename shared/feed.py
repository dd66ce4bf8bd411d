"""A service's replay feed: every event it published, in the order it wrote them (the
outbox's ``seq``), for the services that consume them to rebuild a read model or to catch up
when they start after the events were published. Events carry ids and codes only; the feed
is read with a service's own token (role ``event_reader``).

    GET /v1/events?after=<seq>&limit=<n>   ->   {"events": [envelope, ...], "next": <seq>}

A reader asks again with ``after=next`` until a page comes back empty. A consumer catches up
by applying each page as it applies a batch from its queue (``Consumer.apply``): its inbox
makes an event it has seen already a duplicate, so a catch-up that overlaps the queue, or
runs twice, changes nothing twice. It remembers how far it read each feed (``feed_position``)
and goes on from there. Rows committed out of ``seq`` order are why a catch-up starts after
the consumer's queue exists: what the feed did not show yet comes by the queue."""
from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Annotated, Any

import httpx
from fastapi import APIRouter, Query, Response
from pydantic import BaseModel
from sqlalchemy import insert, select, update

from shared.auth import EventReader, Role, ServiceToken
from shared.events import Envelope
from shared.messaging.consumer import Consumer
from shared.messaging.tables import feed_position, outbox
from shared.settings import Settings
from shared.web import Db

MAX_PAGE = 1000
TIMEOUT = httpx.Timeout(30.0, connect=3.0)
CATCH_UP_WAITS = (1.0, 2.0, 5.0, 15.0, 60.0)  # seconds between tries while a producer does not answer
log = logging.getLogger(__name__)

router = APIRouter(tags=["operations"])


class FeedPage(BaseModel):
    events: list[dict[str, Any]]  # CloudEvents envelopes, as published
    next: int  # ask with after=next for the page after this one


@router.get("/events", response_model=FeedPage,
            summary="What this service published, oldest first: its replay feed (services' own tokens only)")
def events(caller: EventReader, session: Db, after: Annotated[int, Query(ge=0)] = 0,
           limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 500) -> Response:
    rows = session.execute(select(outbox.c.seq, outbox.c.body).where(outbox.c.seq > after)
                           .order_by(outbox.c.seq).limit(limit)).all()
    last = rows[-1].seq if rows else after
    # The envelopes as stored (already JSON): a page of a thousand is not parsed to be written again.
    return Response('{"events":[' + ",".join(row.body for row in rows) + f'],"next":{last}}}',
                    media_type="application/json")


class FeedReader:
    """Reads ``producer``'s feed for ``reader`` (the service asking), page by page."""

    def __init__(self, settings: Settings, producer: str, *, reader: str, page: int = MAX_PAGE) -> None:
        self.producer, self.page = producer, page
        self.url = f"{settings.url_of(producer)}/events"
        self.token = ServiceToken(settings, role=Role.EVENT_READER, subject=reader,
                                  configured=settings.event_reader_token)

    def pages(self, after: int = 0) -> Iterator[tuple[list[Envelope], int]]:
        """Each page's envelopes and its position, until the end of the feed (one connection
        for the reading, closed when it ends)."""
        with httpx.Client(timeout=TIMEOUT) as client:
            while True:
                answer = client.get(self.url, params={"after": after, "limit": self.page},
                                    headers={"Authorization": f"Bearer {self.token()}"})
                answer.raise_for_status()
                page = FeedPage.model_validate_json(answer.content)
                if not page.events:
                    return
                yield [Envelope.model_validate(event) for event in page.events], page.next
                after = page.next


def catch_up(consumer: Consumer, feed: FeedReader, *, after: int | None = None) -> int:
    """Applies the events of ``feed`` that ``consumer`` handles, a page a transaction, from
    where it last read (or ``after``); the feed's position reached, remembered."""
    reached = last_read(consumer, feed.producer) if after is None else after
    for envelopes, position in feed.pages(reached):
        if handled := [envelope for envelope in envelopes if consumer.handlers.handles(envelope.type)]:
            consumer.apply(handled)
        _remember(consumer, feed.producer, position)
        reached = position
    return reached


def last_read(consumer: Consumer, producer: str) -> int:
    with consumer.database.unit_of_work(write=False) as session:
        return session.scalar(select(feed_position.c.position).where(
            feed_position.c.consumer == consumer.name, feed_position.c.producer == producer)) or 0


def _remember(consumer: Consumer, producer: str, position: int) -> None:
    """After the page was applied: a crash in between reads it again, and the inbox absorbs it."""
    mine = (feed_position.c.consumer == consumer.name, feed_position.c.producer == producer)
    row = {"consumer": consumer.name, "producer": producer, "position": position, "read_at": datetime.now(UTC)}
    with consumer.database.transaction() as session:
        # On the session's connection: a Core statement, whose result counts the rows.
        if not session.connection().execute(update(feed_position).where(*mine).values(row)).rowcount:
            session.execute(insert(feed_position).values(row))


def until_caught_up(catch_up_all: Callable[[], object], stop: threading.Event) -> None:
    """Runs ``catch_up_all`` once it succeeds (a producer's API may start after this
    consumer), waiting longer after each failure, until ``stop``."""
    for wait in itertools.chain(CATCH_UP_WAITS, itertools.repeat(CATCH_UP_WAITS[-1])):
        try:
            log.info("caught up from the replay feeds: %s", catch_up_all())
            return
        except Exception as exc:  # noqa: BLE001 - a producer not up yet, a copy racing: try again
            log.warning("catching up from the replay feeds failed, trying again in %s s: %s", wait,
                        type(exc).__name__)
        if stop.wait(wait):
            return


def producers(consumer: Consumer) -> list[str]:
    """The services whose events ``consumer`` handles (the first word of each type), itself aside."""
    return sorted({event_type.split(".", 1)[0] for event_type in consumer.handlers.types} - {consumer.name})
