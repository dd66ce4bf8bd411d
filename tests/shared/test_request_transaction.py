"""The request owns the transaction: what a route changed is committed when it
answers and rolled back when it fails; a constraint broken at commit is a 409 that
shows nothing of the statement. Roles are checked by ``requires`` before the route runs.
A read is a read transaction, unless its route declares that it writes all the same."""
from __future__ import annotations

from typing import Annotated

import pytest
from fastapi import APIRouter, Depends
from fastapi.testclient import TestClient
from sqlalchemy import String, func, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from shared.auth import COORDINATORS, Principal, requires
from shared.db import Database
from shared.errors import Conflict
from shared.testing import assert_problem, bearer, make_settings
from shared.web import Db, ServiceContext, WritesWhenReading, create_service_app

SETTINGS = make_settings()


class Base(DeclarativeBase):
    pass


class Note(Base):
    __tablename__ = "note"
    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    text: Mapped[str] = mapped_column(String(100))


router = APIRouter()


@router.post("/notes/{code}", status_code=201)
def add_note(code: str, text: str, caller: Annotated[Principal, requires(COORDINATORS)], session: Db):
    session.add(Note(code=code, text=text))
    if text == "refuse":
        raise Conflict("refused after the change", field="text")
    return {"code": code}


@router.get("/notes")
def count_notes(session: Db):
    return {"count": session.scalar(select(func.count()).select_from(Note))}


def _writes(session: Session) -> bool:
    """Whether the session's transaction is a write (on SQLite: began with BEGIN IMMEDIATE)."""
    return session.connection().get_execution_options()["carecircle_writes"]


def _noted_read(session: Db, _: WritesWhenReading) -> Session:
    """A dependency that writes as its route reads (as an access log does)."""
    session.add(Note(code=f"read-{session.scalar(select(func.count()).select_from(Note))}", text="a read"))
    return session


@router.get("/transaction")
def plain_read(session: Db):
    return {"writes": _writes(session)}


@router.get("/noted-transaction")
def noted_read(session: Annotated[Session, Depends(_noted_read)]):
    return {"writes": _writes(session)}


@pytest.fixture
def api(tmp_path):
    database = Database(f"sqlite:///{tmp_path}/notes.db")
    Base.metadata.create_all(database.engine)
    app = create_service_app(ServiceContext("notes", SETTINGS, database, lambda: None), [router], title="notes")
    with TestClient(app, base_url="http://testserver/v1") as client:
        yield client


def _as(role: str) -> dict:
    return bearer(role, "*")


def test_what_a_route_changed_is_committed_when_it_answers(api):
    assert api.post("/notes/a", params={"text": "hello"}, headers=_as("coordinator")).status_code == 201
    assert api.get("/notes").json() == {"count": 1}


def test_a_route_that_fails_leaves_nothing(api):
    assert api.post("/notes/b", params={"text": "refuse"}, headers=_as("coordinator")).status_code == 409
    assert api.get("/notes").json() == {"count": 0}


def test_a_constraint_broken_at_commit_is_a_409_without_the_statement(api):
    assert api.post("/notes/c", params={"text": "first"}, headers=_as("coordinator")).status_code == 201
    answer = api.post("/notes/c", params={"text": "secret-canary"}, headers=_as("coordinator"))
    assert_problem(answer, 409)
    assert "secret-canary" not in answer.text and "INSERT" not in answer.text
    assert api.get("/notes").json() == {"count": 1}


@pytest.mark.parametrize(("headers", "status"), [({}, 401), (_as("worker"), 403), (_as("network_admin"), 201)])
def test_requires_checks_the_role_before_the_route_runs(api, headers, status):
    assert api.post("/notes/d", params={"text": "x"}, headers=headers).status_code == status
    assert api.get("/notes").json() == {"count": int(status == 201)}


def test_a_read_is_a_read_transaction_unless_its_route_declares_it_writes(api):
    assert api.get("/transaction").json() == {"writes": False}
    assert api.get("/noted-transaction").json() == {"writes": True}  # declared by a dependency of the route
    assert api.get("/noted-transaction").json() == {"writes": True}
    assert api.get("/notes").json() == {"count": 2}
