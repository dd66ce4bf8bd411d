"""What the demo instance holds: the networks, municipalities and programmes of
the five seed programmes (see ../shared/seeds), and believable clients, plans
and cases. Plain data, in ``data.json`` (one table per key: ``data.CLIENTS`` is
its "clients"); ``services.intake.demo`` loads it through the same service
functions as the API, so the events reach the other services.

Rows: settlements are (municipality, name, kind, marginalised community,
latitude, longitude); clients are (key, municipality, given name, family name,
birth date, sex, phone, language, settlement, target groups); assessments map a
client key to (scores by domain, needs); care plans map a client key to (the
agreement number under patronage_plus_rakitovo, the plan's lines); call plans map a client
key to the lines of a plan of "telephone friend" calls."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from services.intake.assessments.schemas import SUGGESTED_DOMAINS

_TABLES: dict[str, Any] = json.loads(Path(__file__).with_name("data.json").read_text(encoding="utf-8"))

# The template the demo assesses with: the domains suggested to every network.
ASSESSMENT_TEMPLATE = {**_TABLES["assessment_template"], "domains": SUGGESTED_DOMAINS}


def __getattr__(name: str) -> Any:
    """``data.CLIENTS`` -> the "clients" table of data.json."""
    try:
        return _TABLES[name.lower()]
    except KeyError:
        raise AttributeError(name) from None
