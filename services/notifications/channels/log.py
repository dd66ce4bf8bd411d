"""The log channel of embedded runs and demos: each message a JSON line in a file
(``CARECIRCLE_MESSAGE_LOG``), where a developer reads what would have gone out. The
service's own log names the message by id only: a body may hold personal details."""
from __future__ import annotations

import json
import logging
import threading
from pathlib import Path

from services.notifications.channels import Outgoing, Sent
from shared.settings import Settings

log = logging.getLogger(__name__)
_lock = threading.Lock()  # one line at a time from the worker's threads


class LogChannel:
    kind = "log"
    needs_address = False

    def __init__(self, settings: Settings) -> None:
        self.path = Path(settings.message_log)

    def send(self, message: Outgoing) -> Sent:
        line = json.dumps({"message_id": message.message_id, "to": message.to, "subject": message.subject,
                           "body": message.body}, ensure_ascii=False)
        with _lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as file:
                file.write(line + "\n")
        log.info("message %s written to the message log", message.message_id)
        return Sent(provider_id=f"log:{message.message_id}")
