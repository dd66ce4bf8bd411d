"""Loads scheduling's demo data through its own service functions, so that its events reach
the other services as a user's would: the staff of the seed programmes (Rakitovo's five home
helpers and medical specialist, the health mediators and their expert, Pernik's centre team,
Lubny's volunteers, Mazovia's animators). Needs intake's catalogue first (municipalities and
staff roles, from intake's events); loaded whole or not at all."""
from __future__ import annotations

import json
import uuid
from pathlib import Path

from sqlalchemy import select

from services.scheduling.models import Staff
from services.scheduling.staff.schemas import AvailabilityWindow, StaffCreate
from services.scheduling.staff.service import register_staff
from shared.db import Database

DATA = json.loads(Path(__file__).with_name("data.json").read_text(encoding="utf-8"))


def load_demo_staff(*, database: Database) -> bool:
    """Loads once: does nothing if any member of staff exists. Returns whether it loaded."""
    with database.transaction() as session:
        if session.scalars(select(Staff.id).limit(1)).first() is not None:
            return False
        for staff_id, municipality, subject, name, roles, hours, week in DATA["staff"]:
            register_staff(StaffCreate(
                municipality=municipality, subject=subject, display_name=name, roles=roles,
                contracted_hours_per_week=hours,
                availability=[AvailabilityWindow(day=day, start=start, end=end) for day, start, end in
                              DATA["weeks"][week]]), staff_id=uuid.UUID(staff_id), session=session)
    return True
