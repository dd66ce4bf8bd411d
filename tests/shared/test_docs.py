"""The README's configuration table names every setting there is."""
from pathlib import Path

from shared.settings import Settings

README = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_documented():
    missing = [f"CARECIRCLE_{name.upper()}" for name in Settings.model_fields
               if f"`CARECIRCLE_{name.upper()}`" not in README]
    assert missing == []


def test_quick_start_is_the_two_commands():
    assert "make run" in README and "make test" in README
