"""Who reads which clients, and the codes of what a read showed: pure rules."""
from __future__ import annotations

from typing import Literal

# What a read showed of a client, as the access log names it.
Reading = Literal[
    "client",               # the client's record (also as a change answers it)
    "client_search",        # a row of a search or list page
    "household",            # a member of a household shown with it
    "duplicate_candidate",  # a likely duplicate a registration was refused for (409)
    "consent",              # their consent decisions and notes
    "assessment",           # their assessments: scores, needs, notes
    "care_plan",            # a care plan with its status history and notes
    "case",                 # a case about them (or their household): title, description, follow-ups
    "overdue_follow_up",    # an overdue follow-up listed with their name
    "access_log",           # who read their data (the data-protection officer's query)
    "contact",              # their phone or e-mail, asked by notifications to send them a message
]
