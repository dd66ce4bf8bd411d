"""paginate: one page in the list's order, the total of every match, and a cursor that
continues the list (keyset paging) without skipping or repeating a row."""
from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from pydantic import ValidationError
from sqlalchemy import create_engine, insert, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from shared.db import UtcDateTime
from shared.errors import Invalid
from shared.paging import MAX_OFFSET, PageQuery, paginate, starting_within


class _Base(DeclarativeBase):
    pass


class Number(_Base):
    __tablename__ = "number"
    value: Mapped[int] = mapped_column(primary_key=True)
    parity: Mapped[str]  # "even" / "odd": a key with ties, broken by value
    day: Mapped[date]
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    ref: Mapped[uuid.UUID]


@pytest.fixture
def session():
    engine = create_engine("sqlite://")
    _Base.metadata.create_all(engine)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    with Session(engine) as session:
        session.execute(insert(Number), [
            {"value": v, "parity": "odd" if v % 2 else "even", "day": date(2026, 1, 1) + timedelta(days=v % 5),
             "at": start + timedelta(minutes=v % 7), "ref": uuid.UUID(int=v)} for v in range(1, 24)])
        yield session


def values(page) -> list[int]:
    return [n.value for n in page.items]


def test_a_page_holds_its_slice_and_the_total(session):
    page = paginate(session, select(Number), PageQuery(limit=5, offset=10), order=(Number.value.desc(),))
    assert (values(page), page.total, page.limit, page.offset) == ([13, 12, 11, 10, 9], 23, 5, 10)


def test_past_the_end_is_an_empty_page_with_the_total(session):
    page = paginate(session, select(Number).where(Number.value > 20), PageQuery(offset=50), order=(Number.value,))
    assert (page.items, page.total, page.next) == ([], 3, None)


def test_map_shapes_the_items_and_keeps_the_paging(session):
    page = paginate(session, select(Number), PageQuery(limit=2), order=(Number.value,)).map(lambda n: str(n.value))
    assert (page.items, page.total, page.limit, page.next is not None) == (["1", "2"], 23, 2, True)


ORDERS = {
    "ascending": (Number.value,),
    "descending": (Number.value.desc(),),
    "mixed, with ties": (Number.parity.desc(), Number.value),
    "dates and ids": (Number.day, Number.ref.desc()),
    "timestamps": (Number.at.desc(), Number.value),
}


@pytest.mark.parametrize("order", ORDERS.values(), ids=ORDERS.keys())
def test_following_next_walks_the_whole_list_once_in_its_order(session, order):
    expected = [n.value for n in session.scalars(select(Number).order_by(*order))]
    walked, after = [], None
    while True:
        page = paginate(session, select(Number), PageQuery(limit=4, after=after), order=order)
        assert page.total == 23
        walked += values(page)
        if page.next is None:
            break
        after = page.next
    assert walked == expected


def test_the_last_page_has_no_next(session):
    page = paginate(session, select(Number), PageQuery(limit=23), order=(Number.value,))
    assert (len(page.items), page.next) == (23, None)


def test_rows_added_before_the_cursor_do_not_shift_the_next_page(session):
    first = paginate(session, select(Number), PageQuery(limit=5), order=(Number.value.desc(),))
    session.execute(insert(Number), [{"value": 100, "parity": "even", "day": date(2026, 1, 1),
                                      "at": datetime(2026, 1, 1, tzinfo=UTC), "ref": uuid.uuid4()}])
    second = paginate(session, select(Number), PageQuery(limit=5, after=first.next), order=(Number.value.desc(),))
    assert values(first) + values(second) == list(range(23, 13, -1))


@pytest.mark.parametrize("cursor", ["bm90LWpzb24", "WyIxIl0", "WzFd", "WyIxIiwgIjIiLCAiMyJd", "WyJvZGQiLCAieCJd"],
                         ids=["not json", "one key short", "not strings", "one key too many", "not a number"])
def test_a_cursor_this_list_did_not_give_is_a_422_naming_after(session, cursor):
    with pytest.raises(Invalid) as refused:
        paginate(session, select(Number), PageQuery(after=cursor), order=(Number.parity, Number.value))
    assert refused.value.extra["field"] == "after"


@pytest.mark.parametrize("bad", [{"limit": 0}, {"limit": 201}, {"offset": -1}, {"offset": MAX_OFFSET + 1},
                                 {"after": ""}, {"after": "a b"}, {"after": "x" * 513},
                                 {"offset": 5, "after": "WyIxIl0"}])
def test_bounds(bad):
    with pytest.raises(ValidationError):
        PageQuery(**bad)


@pytest.mark.parametrize(("starts_from", "starts_before", "expected"), [
    (None, None, list(range(1, 24))),
    (5, None, list(range(5, 24))),
    (None, 5, [1, 2, 3, 4]),
    (5, 8, [5, 6, 7]),
])
def test_a_period_filter_applies_the_ends_given(session, starts_from, starts_before, expected):
    query = select(Number.value).where(*starting_within(Number.value, starts_from, starts_before))
    assert list(session.scalars(query.order_by(Number.value))) == expected
