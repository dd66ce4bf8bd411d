"""A lifecycle as one table: ``(status, action) -> next status``. Care plans,
cases and a client's status each declare theirs once and move only through it,
so an illegal move is the same 409 everywhere, naming ``status``."""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from shared.errors import Conflict

# (current status, action, actions allowed from it) -> why the move is refused
Refusal = Callable[[str, str, Sequence[str]], str]


def _default_refusal(status: str, action: str, allowed: Sequence[str]) -> str:
    return f"cannot {action} from {status} (allowed: {', '.join(allowed) or 'none'})"


class Lifecycle:
    def __init__(self, transitions: Mapping[tuple[str, str], str], *, initial: str,
                 refusal: Refusal = _default_refusal) -> None:
        self.transitions = dict(transitions)
        self.initial = initial
        self._refusal = refusal
        self.statuses: tuple[str, ...] = tuple(dict.fromkeys(
            [initial, *(s for s, _ in self.transitions), *self.transitions.values()]))

    def allowed(self, status: str) -> list[str]:
        """The actions allowed from ``status``, in the table's order."""
        return [action for (source, action) in self.transitions if source == status]

    def may(self, status: str, action: str) -> bool:
        return (status, action) in self.transitions

    def is_final(self, status: str) -> bool:
        """Nothing leaves a final status."""
        return not self.allowed(status)

    def check(self, status: str, action: str) -> None:
        """A 409 naming ``status``, with the allowed actions, unless ``action`` may be taken now."""
        if not self.may(status, action):
            raise self.refused(status, action)

    def next(self, status: str, action: str) -> str:
        """The status after ``action``, or the 409 of ``check``."""
        self.check(status, action)
        return self.transitions[(status, action)]

    def refused(self, status: str, action: str) -> Conflict:
        allowed = self.allowed(status)
        return Conflict(self._refusal(status, action, allowed), field="status", current_status=status,
                        allowed_actions=allowed)
