"""Who a message goes to, with no database: recipients are references, never addresses
(``client:<id>``, ``staff:<subject>``, ``coordinators:<municipality>``), and a client
out of care hears nothing more."""
from __future__ import annotations

import uuid

IN_CARE = "active"  # intake's other statuses (inactive, moved, deceased): nothing goes out


def client(client_id: uuid.UUID) -> str:
    return f"client:{client_id}"


def staff(subject: str) -> str:
    return f"staff:{subject}"


def coordinators(municipality: str) -> str:
    return f"coordinators:{municipality}"


def is_client(recipient: str) -> bool:
    return recipient.startswith("client:")


def client_id_of(recipient: str) -> uuid.UUID | None:
    kind, _, rest = recipient.partition(":")
    try:
        return uuid.UUID(rest) if kind == "client" else None
    except ValueError:
        return None


def why_not(opted_out: bool | None, status: str | None, *, task: bool = False) -> str | None:
    """Why nothing may go to someone (``opted_out``, ``not_in_care``), or None; ``None`` for
    what is not known of them. A ``task`` about them for staff (a call to make) minds their
    status but not their opt-out."""
    if opted_out and not task:
        return "opted_out"
    return "not_in_care" if status is not None and status != IN_CARE else None
