"""Message texts through notifications' API on SQLite and PostgreSQL (edited, previewed, reset),
and how a text is filled in, on its own."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.notifications.catalogue.service import keep_municipality
from services.notifications.templates import rules
from shared.events.intake import MunicipalityRegistered
from shared.testing import assert_problem, created

PATH = "/templates/visit_reminder"


@pytest.fixture
def rakitovo(service_runtime):
    with service_runtime("notifications").database.transaction() as session:
        keep_municipality(MunicipalityRegistered(code="BG-RAK", name="Ракитово", language="bg",
                                                 timezone="Europe/Sofia"), as_of=datetime.now(UTC), session=session)


def test_every_kind_has_a_default_text_in_each_language(notifications, auth):
    listed = created(notifications.get("/templates", headers=auth("coordinator", "BG-RAK")))
    assert {(t["kind"], t["language"]) for t in listed} == {(k, lang) for k in rules.KINDS for lang in rules.LANGUAGES}
    assert not any(t["edited"] for t in listed)


def test_a_preview_writes_the_moment_in_the_language_and_zone_and_counts_the_sms(notifications, auth, rakitovo):
    preview = created(notifications.post(f"{PATH}/bg/preview", headers=auth("coordinator", "BG-RAK"),
                                         json={"municipality": "BG-RAK"}))
    assert "понеделник 7 декември, 10:00" in preview["text"]  # 08:00 UTC in Sofia
    assert preview["sms"]["encoding"] == "UCS-2" and preview["sms"]["segments"] == 2
    assert preview["warning"] == "costs 2 SMS (UCS-2)"
    english = created(notifications.post(f"{PATH}/en/preview", headers=auth("coordinator", "BG-RAK"), json={}))
    assert "Monday 7 December, 08:00" in english["text"] and english["sms"]["encoding"] == "GSM-7"


def test_a_network_admin_edits_a_text_and_resets_it(notifications, admin, auth):
    short = {"subject": "Посещение", "body": "Утре: $starts_at."}
    saved = created(notifications.put(f"{PATH}/bg", headers=admin, json=short))
    assert (saved["body"], saved["edited"], saved["updated_by"]) == ("Утре: $starts_at.", True, "admin")
    preview = created(notifications.post(f"{PATH}/bg/preview", headers=admin, json={}))
    assert preview["sms"]["segments"] == 1 and preview["warning"] is None
    assert created(notifications.get(f"{PATH}/bg", headers=admin))["body"] == "Утре: $starts_at."
    assert_problem(notifications.put(f"{PATH}/bg", headers=auth("coordinator", "BG-RAK"), json=short), 403)
    reset = created(notifications.delete(f"{PATH}/bg", headers=admin))
    assert (reset["edited"], reset["body"]) == (False, rules.KINDS["visit_reminder"].texts["bg"][1])


@pytest.mark.parametrize(("body", "field"), [
    ({"subject": "x", "body": "Здравейте, $client_name"}, "body"),  # no such value: names stay in intake
    ({"subject": "$group", "body": "ok"}, "subject"),
    ({"subject": "x", "body": "Струва 5 $"}, "body"),
    ({"subject": "x", "body": "${starts_at.__class__}"}, "body"),
    ({"subject": "x", "body": ""}, "body"),
    ({"subject": "x", "body": "x" * 1001}, "body"),
])
def test_a_text_with_a_placeholder_it_cannot_fill_is_refused(notifications, admin, body, field):
    assert_problem(notifications.put(f"{PATH}/bg", headers=admin, json=body), 422, field)


def test_an_unknown_kind_or_language_is_named(notifications, admin):
    assert_problem(notifications.get("/templates/birthday/bg", headers=admin), 404)
    assert_problem(notifications.get(f"{PATH}/de", headers=admin), 422, "path.language")
    assert_problem(notifications.post(f"{PATH}/bg/preview", headers=admin, json={"municipality": "XX-NONE"}), 422,
                   "municipality")


@pytest.mark.parametrize("language", rules.LANGUAGES)
def test_every_default_text_fills_in_every_placeholder(language):
    for kind, spec in rules.KINDS.items():
        subject, body = spec.texts[language]
        assert rules.text_error(kind, subject) is None and rules.text_error(kind, body) is None
        filled = rules.fill(body, kind, rules.sample(kind), language=language, zone="Europe/Kyiv")
        assert "$" not in filled


def test_a_dollar_sign_is_written_doubled_and_a_day_in_the_language():
    assert rules.fill("$$5 до $due_on", "followup_due", {"due_on": datetime(2026, 12, 24).date()}, language="uk",
                      zone="Europe/Kyiv") == "$5 до 24 грудня 2026\u202fр."  # CLDR: a narrow no-break space


@pytest.mark.parametrize(("language", "written"), [
    ("bg", "клиентът не е бил вкъщи"), ("uk", "клієнта не було вдома"), ("pl", "klienta nie było w domu"),
    ("en", "the client was not at home")])
def test_why_a_visit_was_missed_is_written_in_the_language(language, written):
    assert rules.fill("$reason", "visit_missed", {"reason": "client_absent"}, language=language,
                      zone="Europe/Sofia") == written
    assert set(rules.REASONS) == {"not_checked_in", "unstaffed", "client_absent", "client_refused", "worker_unable"}
