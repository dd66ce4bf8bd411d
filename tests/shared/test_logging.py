"""Log lines of shared/logging.py, plain (``make run``) and JSON: the record's fields
are shown, an exception's message never is (it may quote personal data)."""
from __future__ import annotations

import json
import logging

import pytest

from shared.logging import JsonFormatter, PlainFormatter

PERSONAL = "Мария Петрова, 0888 123 401"


def _record_with_exception() -> logging.LogRecord:
    try:
        raise ValueError(PERSONAL)  # the source line shows the name PERSONAL, not its value
    except ValueError as exc:
        record = logging.makeLogRecord({"msg": "request answered", "levelname": "ERROR", "exc_info": (
            type(exc), exc, exc.__traceback__), "route": "/v1/clients", "status": 500})
    return record


@pytest.mark.parametrize("formatter", [PlainFormatter(), JsonFormatter("intake")])
def test_a_line_shows_its_fields_and_an_exception_without_its_message(formatter):
    line = formatter.format(_record_with_exception())
    assert "Мария" not in line and "0888" not in line
    assert "ValueError" in line and "_record_with_exception" in line  # the type and where


def test_plain_lines_show_the_records_fields_as_key_value():
    assert PlainFormatter().format(_record_with_exception()).splitlines()[0].endswith(
        "request answered route=/v1/clients status=500")


def test_json_lines_carry_the_fields():
    line = json.loads(JsonFormatter("intake").format(_record_with_exception()))
    assert (line["route"], line["status"], line["service"]) == ("/v1/clients", 500, "intake")
