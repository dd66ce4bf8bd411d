"""Municipality scope: queries narrowed to the token's municipalities, and a
record outside them answered as not found."""
from __future__ import annotations

import pytest
from sqlalchemy import String, create_engine, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from shared.auth import Principal
from shared.errors import NotFound
from shared.scope import get_in_scope, in_scope


class Base(DeclarativeBase):
    pass


class Record(Base):
    __tablename__ = "record"
    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_code: Mapped[str] = mapped_column(String(32))


def _caller(*municipalities: str) -> Principal:
    return Principal(subject="u", roles=frozenset({"coordinator"}), municipalities=frozenset(municipalities))


@pytest.fixture
def session():
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        session.add_all([Record(id=1, municipality_code="BG-RAK"), Record(id=2, municipality_code="BG-PER"),
                         Record(id=3, municipality_code="PL-WAR")])
        session.flush()
        yield session


@pytest.mark.parametrize(("municipalities", "expected"), [
    (("BG-RAK",), [1]), (("BG-RAK", "PL-WAR"), [1, 3]), (("*",), [1, 2, 3]), ((), [])])
def test_a_query_in_scope_sees_only_the_callers_municipalities(session, municipalities, expected):
    query = in_scope(select(Record.id).order_by(Record.id), _caller(*municipalities), Record.municipality_code)
    assert list(session.scalars(query)) == expected


def test_a_record_outside_the_scope_is_not_found_like_an_unknown_one(session):
    assert get_in_scope(session, Record, 2, _caller("BG-PER"), what="record").id == 2
    for key in (2, 99):
        with pytest.raises(NotFound) as missing:
            get_in_scope(session, Record, key, _caller("BG-RAK"), what="record")
        assert missing.value.detail == f"record {key} was not found"
