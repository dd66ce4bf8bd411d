"""JSON log lines that carry the service name and the current trace id."""
from __future__ import annotations

import json
import logging
import sys
import traceback
from datetime import UTC, datetime

from shared.tracing import current_trace_id

_STANDARD_ATTRS = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


def traceback_without_messages(exc: BaseException) -> str:
    """Python's traceback of ``exc`` (frames and source lines; locals never), each exception
    of the chain named by its type alone, the first cause first. Messages are left out:
    they quote values (a name in an f-string, the row in a database's error detail),
    which may be personal data."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or (None if current.__suppress_context__ else current.__context__)
    return "\nwhich led to:\n".join(
        "Traceback (most recent call last):\n" + "".join(traceback.format_tb(e.__traceback__))
        + f"{type(e).__module__}.{type(e).__qualname__}" for e in reversed(chain))


def where_raised(exc: BaseException) -> str:
    """``RuntimeError at services/x.py:12 in handle``: a failure named without its message."""
    frames = traceback.extract_tb(exc.__traceback__)
    place = f" at {frames[-1].filename}:{frames[-1].lineno} in {frames[-1].name}" if frames else ""
    return f"{type(exc).__name__}{place}"


class _WithoutMessages(logging.Formatter):
    """Every logged exception, whoever logs it, is written without its message."""

    def formatException(self, ei) -> str:  # noqa: N802 - logging's name
        return traceback_without_messages(ei[1]) if ei[1] is not None else ""


class PlainFormatter(_WithoutMessages):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802 - logging's name
        """The line, then the record's own fields (``extra=``) as key=value."""
        return " ".join([super().formatMessage(record), *(f"{k}={v}" for k, v in _extras(record).items())])


def _extras(record: logging.LogRecord) -> dict:
    return {k: v for k, v in vars(record).items() if k not in _STANDARD_ATTRS}


class JsonFormatter(_WithoutMessages):
    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "service": self.service,
            "logger": record.name,
            "message": record.getMessage(),
            "trace_id": current_trace_id(),
        }
        line.update(_extras(record))
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str, ensure_ascii=False)


def configure_logging(service: str, level: str = "INFO", as_json: bool = True) -> None:
    handler = logging.StreamHandler(sys.stderr)
    if as_json:
        handler.setFormatter(JsonFormatter(service))
    else:
        handler.setFormatter(PlainFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    logging.getLogger("pika").setLevel(logging.WARNING)
