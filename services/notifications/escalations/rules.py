"""An escalation's life, with no database: open until someone takes it (acknowledged), then
resolved; one may be resolved at once. Two unanswered check-in calls in a row escalate."""
from __future__ import annotations

from shared.lifecycle import Lifecycle

OPEN, ACKNOWLEDGED, RESOLVED = "open", "acknowledged", "resolved"
LIFECYCLE = Lifecycle({
    (OPEN, "acknowledge"): ACKNOWLEDGED,
    (OPEN, "resolve"): RESOLVED,
    (ACKNOWLEDGED, "resolve"): RESOLVED,
}, initial=OPEN)

UNANSWERED_IN_A_ROW = 2
# What each kind asks of whom on the call list: a call to the client, or going to see them.
CALL_TASKS = {"visit_missed": "missed_visit_call", "checkin_unanswered": "unanswered_checkin_visit"}
