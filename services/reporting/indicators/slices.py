"""Which records a figure counts and how it breaks them down, the one home of those rules.

A figure is a query over one kind of record (``Facts`` names, for it, the columns through
which the filters and the breakdown reach it); ``Frame`` narrows it to the municipalities of
one time zone, the period's instants in that zone and the filters, and groups it by the
dimension asked for. A dimension a record does not have makes the figure ``NotApplicable``.
Attributes of the client (settlement, sex, age band, target groups) are the client's as their
latest event tells; an age is the one reached in the period's last year.
"""
from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, case, exists, literal, select
from sqlalchemy.orm import aliased

from services.reporting.indicators.rules import Period
from services.reporting.indicators.schemas import Dimension
from services.reporting.models import Agreement, Client, ClientTargetGroup, Staff, StaffRole

TOTAL = "total"  # the key of a figure not broken down
CLIENT_ATTRIBUTES = ("settlement", "sex", "age_band")  # a client has one of each


class NotApplicable(Exception):
    """The figure's records have no such dimension (a message has no target group)."""


@dataclass(frozen=True)
class Facts:
    """How one kind of record reaches the dimensions: ``base`` the table the query reads,
    and for each dimension the column that holds it (None: the record has none). A programme
    that the record does not name is reached through its client's agreements."""

    base: Any
    municipality: Any
    client: Any = None
    programme: Any = None
    service_type: Any = None
    staff: Any = None  # a worker's token subject: their roles
    kind: Any = None
    channel: Any = None
    several: frozenset[str] = frozenset()  # dimensions a record has several values of, through a join


@dataclass(frozen=True)
class Measure:
    """A figure as an aggregate over records: its ``value``, of the records that meet
    ``conditions`` (and its own ``only``). Figures of one ``family`` (the same records,
    conditions and joins) are worked out together, in one query."""

    facts: Facts
    value: Any
    conditions: tuple[Any, ...] = ()
    joins: tuple[tuple[Any, Any], ...] = ()
    family: str | None = None
    only: Any = None


@dataclass(frozen=True)
class AgeBands:
    """Bands from their lower bounds: (18, 65) makes 0-17, 18-64 and 65+."""

    bounds: Sequence[int]

    def labels(self) -> list[str]:
        edges = [0, *self.bounds]
        return [f"{low}-{high - 1}" for low, high in itertools.pairwise(edges)] + [f"{edges[-1]}+"]

    def of(self, age: Any) -> Any:
        labels = self.labels()
        return case(*[(age < bound, label) for bound, label in zip(self.bounds, labels, strict=False)],
                    else_=labels[-1])


@dataclass(frozen=True)
class Frame:
    """One query's setting: the period, the municipalities of one time zone and its window."""

    period: Period
    municipalities: Sequence[str]
    start: datetime
    end: datetime  # the instant after the period
    filters: Mapping[str, Any] = field(default_factory=dict)
    by: Dimension | None = None
    age_bands: AgeBands = AgeBands((18, 65))

    def during(self, column: Any) -> ColumnElement[bool]:
        """An instant within the period."""
        return (column >= self.start) & (column < self.end)

    def on_days(self, column: Any) -> ColumnElement[bool]:
        """A day within the period."""
        return column.between(self.period.first, self.period.last)

    def figure(self, value: Any, facts: Facts, *conditions: Any, joins: Sequence[tuple[Any, Any]] = (),
               family: str | None = None, only: Any = None) -> Measure:
        """``value`` aggregated over the records that meet ``conditions`` (and ``only``)."""
        return Measure(facts, value, conditions, tuple(joins), family, only)

    def measured(self, measures: Sequence[Measure]) -> Select:
        """``(key, value, ...)`` rows: each of a family's measures per key, in one query."""
        first = measures[0]
        values = [m.value if m.only is None else m.value.filter(m.only) for m in measures]
        key, query = self._keyed(select().select_from(first.facts.base), first.facts, first.joins)
        query = self._narrowed(query.add_columns(key.label("key"), *values), first.facts, first.conditions)
        return query if self.by is None else query.group_by(key)

    def single_valued(self, facts: Facts) -> bool:
        """Whether each record has one value of the breakdown: then its values add up to the total."""
        by = self.by
        return by is not None and by not in facts.several and not (
            by in ("target_group", "staff_role") or (by == "programme" and facts.programme is None))

    def rows(self, columns: Sequence[Any], facts: Facts, *conditions: Any,
             joins: Sequence[tuple[Any, Any]] = ()) -> Select:
        """``(key, *columns)`` rows, one per record, for a figure worked out in Python (a median)."""
        key, query = self._keyed(select().select_from(facts.base), facts, joins)
        return self._narrowed(query.add_columns(key.label("key"), *columns), facts, conditions)

    # -- the breakdown ---------------------------------------------------------------------------

    def _keyed(self, query: Select, facts: Facts, joins: Sequence[tuple[Any, Any]]) -> tuple[Any, Select]:
        for target, on in joins:
            query = query.join(target, on, isouter=True)
        if self.by is None:
            return literal(TOTAL), query
        return self._key(self.by, facts, query)

    def _key(self, by: Dimension, facts: Facts, query: Select) -> tuple[Any, Select]:
        if by in ("target_group", "staff_role") or (by == "programme" and facts.programme is None):
            table, column, on = self._many(by, facts)
            return column, query.join(table, on, isouter=True)
        if by in CLIENT_ATTRIBUTES:  # joined once, rather than looked up for each record
            told = aliased(Client)
            return self._attribute(by, told), query.join(told, told.client_id == _required(facts.client, by),
                                                         isouter=True)
        return self._one(by, facts), query

    def _one(self, by: str, facts: Facts) -> Any:
        """The expression of a dimension the record has one value of."""
        if by in CLIENT_ATTRIBUTES:
            return self._of_client(by, _required(facts.client, by))
        return _required(getattr(facts, by), by)

    def _of_client(self, by: str, client: Any) -> Any:
        """The client's attribute, looked up by ``client`` (an alias: the record may be the client)."""
        told = aliased(Client)
        return select(self._attribute(by, told)).where(told.client_id == client).scalar_subquery()

    def _attribute(self, by: str, told: Any) -> Any:
        """A client's settlement, sex or age band (the age reached in the period's last year)."""
        if by == "age_band":
            return case((told.birth_year.is_(None), None),
                        else_=self.age_bands.of(self.period.last.year - told.birth_year))
        return {"settlement": told.settlement_id, "sex": told.sex}[by]

    def _many(self, by: str, facts: Facts) -> tuple[Any, Any, Any]:
        """A dimension a record may have several values of: the table to join, its column, how."""
        if by == "target_group":
            groups = aliased(ClientTargetGroup)
            return groups, groups.code, groups.client_id == _required(facts.client, by)
        if by == "programme":
            held = select(Agreement.client_id, Agreement.programme).distinct().subquery()
            return held, held.c.programme, held.c.client_id == _required(facts.client, by)
        roles = select(Staff.subject, StaffRole.role).join(StaffRole, StaffRole.staff_id == Staff.staff_id).subquery()
        return roles, roles.c.role, roles.c.subject == _required(facts.staff, by)

    # -- the filters ------------------------------------------------------------------------------

    def _narrowed(self, query: Select, facts: Facts, conditions: Sequence[Any]) -> Select:
        query = query.where(facts.municipality.in_(list(self.municipalities)), *conditions)
        for name, value in self.filters.items():
            query = query.where(self._only(name, value, facts))
        return query

    def _only(self, name: str, value: Any, facts: Facts) -> ColumnElement[bool]:
        if name in ("target_group", "staff_role") or (name == "programme" and facts.programme is None):
            table, column, on = self._many(name, facts)  # type: ignore[arg-type]
            return exists().select_from(table).where(on, column == value)
        return self._one(name, facts) == value


def _required(column: Any, dimension: str) -> Any:
    if column is None:
        raise NotApplicable(dimension)
    return column

