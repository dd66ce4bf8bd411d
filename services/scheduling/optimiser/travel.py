"""Travel times and distances between places, as matrices for the optimiser. By default the
great-circle distance times a municipality's road factor, at its speed; where a routing
engine serves the municipality (an OSRM server's table service), its matrix instead."""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import httpx
import numpy as np

Point = tuple[float, float]  # latitude, longitude
UNKNOWN_SECONDS = 15 * 60  # to or from a place with no coordinates
SETTLING_SECONDS = 5 * 60  # parking, the gate, the stairs: once a journey
ROAD_FACTOR = 1.3  # roads wind: how much longer than the straight line, unless a municipality says
SPEED_KMH = 40.0


class Travel(Protocol):
    def matrices(self, places: Sequence[Point | None]) -> tuple[np.ndarray, np.ndarray]:
        """(seconds, metres) from each place to each, whole numbers."""
        ...


def distance_km(a: Point, b: Point) -> float:
    """Great-circle distance (haversine)."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371 * math.asin(math.sqrt(h))


@dataclass(frozen=True)
class GreatCircle:
    road_factor: float = ROAD_FACTOR
    speed_kmh: float = SPEED_KMH

    def matrices(self, places: Sequence[Point | None]) -> tuple[np.ndarray, np.ndarray]:
        known = np.array([place is not None for place in places])
        points = np.radians(np.array([place or (0.0, 0.0) for place in places], dtype=float)).reshape(-1, 2)
        lat, lon = points[:, 0:1], points[:, 1:2]
        h = np.sin((lat.T - lat) / 2) ** 2 + np.cos(lat) * np.cos(lat.T) * np.sin((lon.T - lon) / 2) ** 2
        metres = 2 * 6371_000 * np.arcsin(np.sqrt(np.clip(h, 0, 1))) * self.road_factor
        seconds = np.where(metres > 0, metres / (self.speed_kmh / 3.6) + SETTLING_SECONDS, 0)  # next door: none
        return _with_unknown(np.ceil(seconds), np.rint(metres), known)


@dataclass(frozen=True)
class Osrm:
    """An OSRM server's table service (``/table/v1/driving``), e.g. http://osrm:5000."""

    url: str
    timeout: float = 30.0

    def matrices(self, places: Sequence[Point | None]) -> tuple[np.ndarray, np.ndarray]:
        known = np.array([place is not None for place in places])
        located = [place for place in places if place is not None]
        coordinates = ";".join(f"{lon},{lat}" for lat, lon in located)
        answer = httpx.get(f"{self.url.rstrip('/')}/table/v1/driving/{coordinates}",
                           params={"annotations": "duration,distance"}, timeout=self.timeout)
        answer.raise_for_status()
        body = answer.json()
        seconds, metres = np.zeros((len(places),) * 2), np.zeros((len(places),) * 2)
        where = np.flatnonzero(known)
        seconds[np.ix_(where, where)] = np.array(body["durations"], dtype=float) + SETTLING_SECONDS
        metres[np.ix_(where, where)] = np.array(body["distances"], dtype=float)
        return _with_unknown(np.ceil(seconds), np.rint(metres), known)


def _with_unknown(seconds: np.ndarray, metres: np.ndarray, known: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """No travel from a place to itself; a set time, and no distance, to or from a place unknown."""
    unknown = ~known[:, None] | ~known[None, :]
    seconds[unknown], metres[unknown] = UNKNOWN_SECONDS, 0
    np.fill_diagonal(seconds, 0)
    np.fill_diagonal(metres, 0)
    return seconds.astype(np.int64), metres.astype(np.int64)
