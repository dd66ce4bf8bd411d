"""The channels a message goes out by, as plugins. Each kind is a class registered under
the entry-point group ``carecircle.channels`` (pyproject.toml), made from the settings;
a new kind (a messenger, a voice call) is a package that declares one, no code here.

A channel sends one ``Outgoing`` and answers ``Sent`` (the provider's id, if it gives one),
or raises ``ChannelError``: ``transient`` when trying again later may work (the provider
is down, busy or slow), else the message fails for the reason given."""
from __future__ import annotations

from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Protocol

from shared.settings import Settings

GROUP = "carecircle.channels"


@dataclass(frozen=True)
class Outgoing:
    message_id: str  # ours: the provider sees it where it can, so a retry is recognised
    to: str  # a phone number (E.164), an e-mail address, a person's name on a call list
    body: str
    subject: str | None = None


@dataclass(frozen=True)
class Sent:
    provider_id: str | None = None


class ChannelError(Exception):
    """``reason``: what happened, for the message's record; ``code``: why it failed, for its event."""

    def __init__(self, reason: str, *, transient: bool, code: str = "refused") -> None:
        super().__init__(reason)
        self.reason, self.transient, self.code = reason, transient, code


class Channel(Protocol):
    kind: str
    needs_address: bool  # False: the message stays with us (a list, a log), no address asked of intake

    def send(self, message: Outgoing) -> Sent: ...


def load_channels(settings: Settings) -> dict[str, Channel]:
    """Every channel kind installed, made from ``settings``, by kind."""
    channels = [point.load()(settings) for point in entry_points(group=GROUP)]
    return {channel.kind: channel for channel in channels}


def installed_kinds() -> frozenset[str]:
    """The channel kinds installed (whether or not configured)."""
    return frozenset(point.name for point in entry_points(group=GROUP))
