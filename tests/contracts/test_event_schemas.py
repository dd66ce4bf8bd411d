"""Every event's JSON schema is snapshotted: a change to a contract shows up
here and must be made deliberately (a breaking change is a new version).

Set UPDATE_SNAPSHOTS=1 to write the snapshots after such a change."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from shared.events import Envelope, registered_types

SNAPSHOTS = Path(__file__).parent / "snapshots"


def _schema(model) -> str:
    return json.dumps(model.model_json_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


CONTRACTS = {**registered_types(), "envelope": Envelope}


@pytest.mark.parametrize("name", sorted(CONTRACTS))
def test_schema_matches_its_snapshot(name):
    snapshot = SNAPSHOTS / f"{name}.json"
    current = _schema(CONTRACTS[name])
    if os.environ.get("UPDATE_SNAPSHOTS"):
        snapshot.parent.mkdir(exist_ok=True)
        snapshot.write_text(current, encoding="utf-8")
    assert snapshot.exists(), f"no snapshot for {name}: run with UPDATE_SNAPSHOTS=1"
    assert current == snapshot.read_text(encoding="utf-8")


def test_every_snapshot_has_a_contract():
    """A removed event type must be removed here on purpose too."""
    assert sorted(p.stem for p in SNAPSHOTS.glob("*.json")) == sorted(CONTRACTS)


def test_type_names_follow_the_convention_and_source():
    for event_type, model in registered_types().items():
        service, _entity, _verb, version = event_type.split(".")
        assert service in {"intake", "scheduling", "notifications", "reporting"}
        assert version.startswith("v") and model.source() == service
