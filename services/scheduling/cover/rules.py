"""Who may cover a visit of an absent member, in order, with no database: those free then
first (those who do not usually work then, or would go over their hours, after them: a
coordinator may agree it with them), then those with more of the absent member's skills,
then the nearer (in bands of DISTANCE_BAND_KM: a village further matters little), then
those who know the client (more visits), then the exact distance."""
from __future__ import annotations

import math
import uuid
from dataclasses import dataclass

from services.scheduling.visits.assignment import NOT_AVAILABLE, OVER_CONTRACTED_HOURS

DISTANCE_BAND_KM = 5
OFFERED = (None, NOT_AVAILABLE, OVER_CONTRACTED_HOURS)  # away, booked or without the role: not offered
SHOWN = 5  # substitutes listed per visit


@dataclass(frozen=True)
class Substitute:
    staff_id: uuid.UUID
    reason: str | None  # None: free then; else why only with the coordinator's override
    skills_in_common: int
    distance_km: float | None  # from their base to the visit's place; None where either is unknown
    visits_with_client: int


def ranked(substitutes: list[Substitute]) -> list[Substitute]:
    """The offered substitutes, best first."""
    return sorted((s for s in substitutes if s.reason in OFFERED), key=_rank)


def _rank(substitute: Substitute) -> tuple:
    distance = math.inf if substitute.distance_km is None else substitute.distance_km
    band = math.inf if substitute.distance_km is None else distance // DISTANCE_BAND_KM
    return (substitute.reason is not None, -substitute.skills_in_common, band, -substitute.visits_with_client,
            distance, substitute.staff_id)
