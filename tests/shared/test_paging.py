"""paginate: one page in the query's order, and the total of every match."""
from __future__ import annotations

import pytest
from pydantic import ValidationError
from sqlalchemy import Column, Integer, MetaData, Table, create_engine, insert, select
from sqlalchemy.orm import Session

from shared.paging import MAX_OFFSET, PageQuery, paginate

numbers = Table("number", MetaData(), Column("value", Integer, primary_key=True))


@pytest.fixture
def session():
    engine = create_engine("sqlite://")
    numbers.metadata.create_all(engine)
    with Session(engine) as session:
        session.execute(insert(numbers), [{"value": v} for v in range(1, 24)])
        yield session


def test_a_page_holds_its_slice_and_the_total(session):
    page = paginate(session, select(numbers.c.value).order_by(numbers.c.value.desc()), PageQuery(limit=5, offset=10))
    assert (page.items, page.total, page.limit, page.offset) == ([13, 12, 11, 10, 9], 23, 5, 10)


def test_past_the_end_is_an_empty_page_with_the_total(session):
    page = paginate(session, select(numbers.c.value).where(numbers.c.value > 20).order_by(numbers.c.value),
                    PageQuery(offset=50))
    assert (page.items, page.total) == ([], 3)


def test_map_shapes_the_items_and_keeps_the_paging(session):
    page = paginate(session, select(numbers.c.value).order_by(numbers.c.value), PageQuery(limit=2)).map(str)
    assert (page.items, page.total, page.limit) == (["1", "2"], 23, 2)


@pytest.mark.parametrize("bad", [{"limit": 0}, {"limit": 201}, {"offset": -1}, {"offset": MAX_OFFSET + 1}])
def test_bounds(bad):
    with pytest.raises(ValidationError):
        PageQuery(**bad)
