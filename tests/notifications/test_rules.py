"""The rules, from events as notifications' handlers take them, on SQLite and PostgreSQL:
visit reminders within each municipality's lead time, notices of moved and cancelled visits,
day plans, follow-up reminders and overdue escalations, missed visits and two unanswered
check-in calls escalated with a call task; opt-outs and clients out of care."""
from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime, time, timedelta

import pytest

from services.notifications.channels.log import LogChannel
from services.notifications.escalations import service as escalations
from services.notifications.messages import service as messages
from services.notifications.models import Escalation, Message
from services.notifications.reminders import service as reminders
from shared import testing
from shared.db import Database
from shared.events.intake import (
    ClientUpdated,
    FollowUpRecorded,
    ServiceTypeRegistered,
)
from shared.events.scheduling import (
    CheckInUnanswered,
    GroupMemberJoined,
    GroupMemberLeft,
    PlannedSession,
    PlannedVisit,
    SessionsCancelled,
    SessionsPlanned,
    VisitCompleted,
    VisitMissed,
    VisitRescheduled,
    VisitsCancelled,
    VisitsPlanned,
)
from shared.localtime import at
from tests.notifications.conftest import CLIENT, deliver

NOW = datetime.now(UTC).replace(microsecond=0)


def planned(*starts: datetime, staff: str | None = "helper-1") -> tuple[VisitsPlanned, list[uuid.UUID]]:
    ids = [uuid.uuid4() for _ in starts]
    return VisitsPlanned(client_id=CLIENT, municipality="BG-RAK", visits=[
        PlannedVisit(visit_id=visit_id, service_type="home_help", staff_id=staff, starts_at=start,
                     ends_at=start + timedelta(hours=1)) for visit_id, start in zip(ids, starts, strict=True)]), ids


def messages_of(database: Database, **where) -> list[Message]:
    with database.unit_of_work(write=False) as session:
        found = [m for m in session.query(Message).order_by(Message.created_at, Message.key)
                 if all(getattr(m, name) == value for name, value in where.items())]
        session.expunge_all()
        return found


def sweep(database: Database, step, now: datetime = NOW) -> int:
    with database.transaction() as session:
        return step(now=now, session=session)


def test_a_visit_is_reminded_of_once_within_the_lead_time_in_the_clients_language(database, tmp_path, notifications,
                                                                                   admin):
    event, (soon, later) = planned(NOW + timedelta(hours=20), NOW + timedelta(days=3))
    deliver(database, event)
    assert sweep(database, reminders.queue_visit_reminders) == 1
    assert sweep(database, reminders.queue_visit_reminders) == 0  # once
    [reminder] = messages_of(database, kind="visit_reminder")
    assert (reminder.key.split(":")[1], reminder.recipient, reminder.language) == (str(soon), f"client:{CLIENT}", "bg")
    assert reminder.expires_at == NOW + timedelta(hours=20)

    log = tmp_path / "messages.jsonl"
    with database.transaction() as session:
        assert messages.send(reminder.id, now=NOW, channels={"log": LogChannel(testing.make_settings(
            message_log=str(log)))}, address=lambda m: pytest.fail("the log needs no address"),
            session=session) == "sent"
    assert "Домашна помощ" in json.loads(log.read_text(encoding="utf-8"))["body"]

    answer = notifications.put("/municipalities/BG-RAK/timing", headers=admin, json={
        "reminder_lead_hours": 96, "quiet_from": "21:00", "quiet_until": "08:00", "day_plan_at": "07:00"})
    assert answer.status_code == 200, answer.text
    assert sweep(database, reminders.queue_visit_reminders) == 1  # the later one is within four days now
    assert {m.key.split(":")[1] for m in messages_of(database, kind="visit_reminder")} == {str(soon), str(later)}


def test_a_moved_visit_is_announced_and_reminded_of_at_its_new_time(database):
    event, [visit_id] = planned(NOW + timedelta(hours=20))
    deliver(database, event)
    sweep(database, reminders.queue_visit_reminders)
    moved_to = NOW + timedelta(hours=22)
    deliver(database, VisitRescheduled(visit_id=visit_id, client_id=CLIENT, municipality="BG-RAK",
                                       service_type="home_help", staff_id="helper-2", starts_at=moved_to,
                                       ends_at=moved_to + timedelta(hours=1),
                                       previous_starts_at=NOW + timedelta(hours=20), previous_staff_id="helper-1"))
    [old] = messages_of(database, kind="visit_reminder")
    assert (old.status, old.failure) == ("cancelled", "visit_moved")
    [notice] = messages_of(database, kind="visit_changed")
    assert notice.status == "queued" and notice.params["starts_at"] == moved_to.isoformat()
    assert sweep(database, reminders.queue_visit_reminders) == 1
    assert [m.status for m in messages_of(database, kind="visit_reminder")] == ["cancelled", "queued"]


def test_a_cancelled_visit_is_announced_only_when_a_coordinator_cancelled_it(database):
    event, [by_coordinator, replanned] = planned(NOW + timedelta(hours=5), NOW + timedelta(hours=6))
    deliver(database, event)
    sweep(database, reminders.queue_visit_reminders)
    deliver(database, VisitsCancelled(client_id=CLIENT, municipality="BG-RAK", visit_ids=[by_coordinator],
                                      reason="weather"),
            VisitsCancelled(client_id=CLIENT, municipality="BG-RAK", visit_ids=[replanned], reason="plan_changed"))
    assert [m.key.split(":")[1] for m in messages_of(database, kind="visit_cancelled")] == [str(by_coordinator)]
    assert {m.status for m in messages_of(database, kind="visit_reminder")} == {"cancelled"}
    assert sweep(database, reminders.queue_visit_reminders) == 0


def test_each_worker_gets_the_day_plan_once_after_its_hour(database):
    tomorrow = date.today() + timedelta(days=1)

    def sofia(clock: str) -> datetime:
        return at(tomorrow, time.fromisoformat(clock), "Europe/Sofia")
    event, _ = planned(sofia("09:00"), sofia("11:00"))
    other, _ = planned(sofia("10:00"), staff="helper-2")
    deliver(database, event, other)
    assert sweep(database, reminders.queue_day_plans, sofia("06:00")) == 0  # before the day-plan hour
    at_seven = sofia("07:01")
    assert sweep(database, reminders.queue_day_plans, at_seven) == 2
    assert sweep(database, reminders.queue_day_plans, at_seven + timedelta(hours=1)) == 2  # the same two, once each
    plans = messages_of(database, kind="day_plan")
    assert sorted((m.recipient, m.params["visits"]) for m in plans) == [("staff:helper-1", "2"),
                                                                        ("staff:helper-2", "1")]


def test_a_missed_visit_escalates_once_with_a_call_task(database, published):
    missed = VisitMissed(visit_id=uuid.uuid4(), client_id=CLIENT, municipality="BG-RAK", service_type="home_help",
                         staff_id="helper-1", starts_at=NOW - timedelta(hours=2), reason="not_checked_in")
    deliver(database, missed, missed)
    [raised] = published("notifications.escalation.raised.v1")
    assert (raised["data"]["kind"], raised["data"]["about"]) == ("visit_missed", f"visit:{missed.visit_id}")
    [told] = messages_of(database, kind="visit_missed")
    [call] = messages_of(database, channel="call")
    assert (told.recipient, call.recipient, call.kind) == ("coordinators:BG-RAK", f"client:{CLIENT}",
                                                           "missed_visit_call")
    assert raised["data"]["call_task_id"] == str(call.id)


def test_two_unanswered_check_in_calls_in_a_row_escalate(database, published):
    def unanswered(hours_ago: int) -> CheckInUnanswered:
        return CheckInUnanswered(visit_id=uuid.uuid4(), client_id=CLIENT, municipality="BG-RAK",
                                 staff_id="volunteer-1", called_at=NOW - timedelta(hours=hours_ago))

    answered = VisitCompleted(visit_id=uuid.uuid4(), client_id=CLIENT, municipality="BG-RAK",
                              service_type="phone_checkin", staff_id="volunteer-1",
                              started_at=NOW - timedelta(hours=47), ended_at=NOW - timedelta(hours=47))
    deliver(database, unanswered(72), answered, unanswered(24))
    assert published("notifications.escalation.raised.v1") == []  # someone was reached in between
    second = unanswered(1)
    deliver(database, second, unanswered(30))  # a late, older call changes nothing
    [raised] = published("notifications.escalation.raised.v1")
    assert (raised["data"]["kind"], raised["data"]["about"]) == ("checkin_unanswered", f"visit:{second.visit_id}")
    assert [m.kind for m in messages_of(database, channel="call")] == ["unanswered_checkin_visit"]


def test_a_follow_up_is_reminded_on_its_day_and_escalated_to_the_expert_once_overdue(database):
    today = NOW.astimezone().date()
    due_today = FollowUpRecorded(follow_up_id=uuid.uuid4(), case_id=uuid.uuid4(), municipality="BG-RAK",
                                 kind="call", due_on=today, done_on=None, assignee="mediator-1",
                                 supervising_expert="expert-1")
    overdue = due_today.model_copy(update={"follow_up_id": uuid.uuid4(), "due_on": today - timedelta(days=2)})
    deliver(database, due_today, overdue)
    noon = datetime.combine(today, datetime.min.time()).replace(tzinfo=UTC) + timedelta(hours=10)
    assert sweep(database, reminders.queue_follow_up_reminders, noon) == 1
    assert [m.recipient for m in messages_of(database, kind="followup_due")] == ["staff:mediator-1"]
    assert sweep(database, escalations.escalate_overdue_follow_ups, noon) == 1
    assert sweep(database, escalations.escalate_overdue_follow_ups, noon) == 0
    [told] = messages_of(database, kind="followup_overdue")
    assert told.recipient == "staff:expert-1"
    deliver(database, due_today.model_copy(update={"done_on": today}))
    assert [m.status for m in messages_of(database, kind="followup_due")] == ["cancelled"]


def test_an_opted_out_client_gets_no_reminder_but_staff_still_get_the_call_task(database, notifications, admin):
    answer = notifications.put(f"/clients/{CLIENT}/preferences", headers=admin, json={"opted_out": True})
    assert answer.status_code == 200, answer.text
    event, _ = planned(NOW + timedelta(hours=3))
    deliver(database, event)
    sweep(database, reminders.queue_visit_reminders)
    [reminder] = messages_of(database, kind="visit_reminder")
    assert (reminder.status, reminder.failure) == ("cancelled", "opted_out")
    deliver(database, VisitMissed(visit_id=uuid.uuid4(), client_id=CLIENT, municipality="BG-RAK",
                                  service_type="home_help", starts_at=NOW, reason="client_absent"))
    assert [m.status for m in messages_of(database, channel="call")] == ["queued"]


def test_a_client_who_moved_away_is_sent_nothing_more(database):
    event, _ = planned(NOW + timedelta(hours=3))
    deliver(database, event)
    sweep(database, reminders.queue_visit_reminders)
    deliver(database, ClientUpdated(client_id=CLIENT, municipality="BG-RAK", settlement_id=None, target_groups=[],
                                    language="bg", status="moved"))
    [reminder] = messages_of(database, kind="visit_reminder")
    assert (reminder.status, reminder.failure) == ("cancelled", "not_in_care")
    assert len(messages_of(database, channel="call")) == 0
    assert sweep(database, reminders.queue_visit_reminders) == 0
    with database.unit_of_work(write=False) as session:
        assert session.query(Escalation).count() == 0


def test_a_groups_members_are_reminded_of_its_next_session_once(database):
    group, soon, later = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    member, gone, newcomer = CLIENT, uuid.uuid4(), uuid.uuid4()
    today = date.today()
    deliver(database, SessionsPlanned(group_id=group, municipality="BG-RAK", sessions=[
        PlannedSession(session_id=soon, starts_at=NOW + timedelta(hours=5)),
        PlannedSession(session_id=later, starts_at=NOW + timedelta(days=6))]),
        GroupMemberJoined(group_id=group, client_id=member, municipality="BG-RAK", on=today - timedelta(days=30)),
        GroupMemberJoined(group_id=group, client_id=gone, municipality="BG-RAK", on=today - timedelta(days=30)),
        GroupMemberLeft(group_id=group, client_id=gone, municipality="BG-RAK", on=today - timedelta(days=1)),
        GroupMemberJoined(group_id=group, client_id=newcomer, municipality="BG-RAK", on=today + timedelta(days=3)))
    assert sweep(database, reminders.queue_session_reminders) == 1
    assert sweep(database, reminders.queue_session_reminders) == 0
    [reminder] = messages_of(database, kind="session_reminder")
    assert (reminder.recipient, reminder.expires_at) == (f"client:{member}", NOW + timedelta(hours=5))
    deliver(database, SessionsCancelled(group_id=group, municipality="BG-RAK", session_ids=[later],
                                        reason="cancelled"))
    assert sweep(database, reminders.queue_session_reminders, NOW + timedelta(days=5, hours=12)) == 0


def test_a_centre_appointment_has_its_own_reminder_and_a_phone_call_none(database):
    deliver(database, *[ServiceTypeRegistered(code=code, names={"en": code}, mode=mode, staff_roles=["x"],
                                              default_duration_minutes=30, unit="visit")
                        for code, mode in (("counselling", "centre"), ("telephone_friend", "phone"))])
    at_centre, by_phone = (VisitsPlanned(client_id=CLIENT, municipality="BG-RAK", visits=[PlannedVisit(
        visit_id=uuid.uuid4(), service_type=code, staff_id="helper-1", starts_at=NOW + timedelta(hours=3),
        ends_at=NOW + timedelta(hours=4))]) for code in ("counselling", "telephone_friend"))
    deliver(database, at_centre, by_phone)
    assert sweep(database, reminders.queue_visit_reminders) == 1
    [reminder] = messages_of(database)
    assert (reminder.kind, reminder.key.split(":")[1]) == ("appointment_reminder",
                                                           str(at_centre.visits[0].visit_id))
