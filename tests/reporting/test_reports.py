"""Period progress reports through reporting's HTTP API, on SQLite and PostgreSQL: asked for,
made by the sweep a section at a time (Celery eager here; a real worker in
test_report_worker.py), read in every format and language, suppressed for the analyst,
frozen, and compared with the frozen one once late events arrive."""
from __future__ import annotations

import csv
import io
import json
import uuid
from datetime import UTC, date, datetime

import httpx
import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from services.reporting.models import Report, ReportSection
from services.reporting.reports import service as reports
from services.reporting.reports.document import Document, Table
from services.reporting.reports.pdf import as_pdf
from services.reporting.reports.rules import SECTIONS
from shared import testing
from shared.events import Envelope, intake as i
from shared.testing import assert_problem, indicator
from tests.reporting.generated import network

EVENTS = network(seed=21)
FIRST_HALF = {"from": "2021-01-01", "to": "2021-06-30"}


@pytest.fixture
def runtime(service_runtime):
    runtime = service_runtime("reporting")
    runtime.consumer().apply(EVENTS)
    return runtime


def sweep(runtime) -> None:
    runtime.celery().tasks["reporting.sweep_reports"].delay()


def asked(reporting, auth, body: dict, role: str = "coordinator", scope: str = "*") -> dict:
    answer = reporting.post("/reports", json=body, headers=auth(role, scope))
    assert answer.status_code == 202, answer.text
    assert answer.headers["Location"] == f"reports/{answer.json()['id']}"
    return answer.json()


def made(runtime, reporting, auth, body: dict, role: str = "coordinator", scope: str = "*") -> str:
    report = asked(reporting, auth, body, role, scope)
    sweep(runtime)
    assert reporting.get(f"/reports/{report['id']}", headers=auth(role, scope)).json()["status"] == "made"
    return report["id"]


def content(reporting, auth, report_id: str, format: str = "json", role: str = "coordinator", scope: str = "*"):
    answer = reporting.get(f"/reports/{report_id}/content", params={"format": format}, headers=auth(role, scope))
    assert answer.status_code == 200, answer.text
    return answer


def tables(report: dict) -> dict[str, dict]:
    return {table["code"]: table for table in report["tables"]}


def value(report: dict, section: str, row: str, column: int = 0):
    return dict(tables(report)[section]["rows"])[row][column]


def test_a_report_is_made_a_section_at_a_time_with_its_progress_shown(runtime, reporting, auth):
    report = asked(reporting, auth, {"municipality": "BG-MTR", **FIRST_HALF})
    assert (report["status"], report["progress"], report["language"]) == ("queued", 0, "bg")
    assert_problem(reporting.get(f"/reports/{report['id']}/content", headers=auth("coordinator", "*")), 409)
    report_id = uuid.UUID(report["id"])
    with runtime.database.transaction() as session:
        tasks = reports.sweep(now=datetime.now(UTC), session=session).tasks
    [(task, arguments)] = tasks
    parts = arguments["batch"]
    assert task == "make_report_part" and len(parts) == len(SECTIONS) - 1  # one town: no table by municipality
    with runtime.database.transaction() as session:
        assert reports.make_part(parts[0], now=datetime.now(UTC), session=session) == "made"
        assert reports.make_part(parts[0], now=datetime.now(UTC), session=session) == "skipped"  # never twice
    shown = reporting.get(f"/reports/{report_id}", headers=auth("coordinator", "*")).json()
    assert shown["status"] == "making" and shown["progress"] == round(100 / len(parts))
    for part in parts[1:]:
        with runtime.database.transaction() as session:
            reports.make_part(part, now=datetime.now(UTC), session=session)
    shown = reporting.get(f"/reports/{report_id}", headers=auth("coordinator", "*")).json()
    assert (shown["status"], shown["progress"]) == ("made", 100) and shown["made_at"]


def test_a_report_whose_worker_died_is_finished_by_the_next_without_making_a_section_twice(runtime, reporting, auth):
    report_id = uuid.UUID(asked(reporting, auth, {"municipality": "BG-MTR", **FIRST_HALF})["id"])
    with runtime.database.transaction() as session:
        [(_, arguments)] = reports.sweep(now=datetime.now(UTC), session=session).tasks
        reports.make_part(arguments["batch"][0], now=datetime.now(UTC), session=session)
    with runtime.database.transaction() as session:  # the worker is gone: its lease runs out
        assert reports.sweep(now=datetime.now(UTC), session=session).tasks == []  # not yet
        session.get(Report, report_id).lease_until = datetime(2000, 1, 1, tzinfo=UTC)
    with runtime.database.transaction() as session:
        [(_, again)] = reports.sweep(now=datetime.now(UTC), session=session).tasks
    assert again["batch"] == arguments["batch"][1:]


def test_the_report_holds_the_indicators_of_its_period(runtime, reporting, auth):
    report_id = made(runtime, reporting, auth, {"network": "bg-health", **FIRST_HALF})
    report = content(reporting, auth, report_id).json()
    figures = reporting.get("/indicators", params={"network": "bg-health", **FIRST_HALF},
                            headers=auth("coordinator", "*")).json()
    assert value(report, "clients", "Обслужени потребители") == indicator(figures, "clients_served")
    assert value(report, "visits", "Предоставени часове") == indicator(figures, "hours_delivered")
    by_municipality = dict(tables(report)["municipalities"]["rows"])
    assert by_municipality["Общо"][0] == indicator(figures, "clients_served")
    assert set(by_municipality) == {"Bg-Bgs", "Bg-Mtr", "Общо"}  # a network's report sums its municipalities
    age_bands = [label for label, _ in tables(report)["clients_by_age_band"]["rows"]]
    assert age_bands[:5] == ["0-17", "18-53", "54-64", "65-79", "80+"]  # every band, in order


def test_every_format_opens_and_says_the_same(runtime, reporting, auth):
    report_id = made(runtime, reporting, auth, {"municipality": "PL-WAW", **FIRST_HALF})
    report = content(reporting, auth, report_id).json()
    served = value(report, "clients", "Klienci objęci usługami")
    assert report["language"] == "pl" and report["title"] == "Sprawozdanie z postępu za okres"

    lines = list(csv.reader(io.StringIO(content(reporting, auth, report_id, "csv").content.decode("utf-8-sig"))))
    assert ["Klienci", "", "Klienci objęci usługami", str(served)] in lines

    answer = content(reporting, auth, report_id, "xlsx")
    assert answer.headers["content-disposition"].endswith('.xlsx"')
    book = load_workbook(io.BytesIO(answer.content))
    assert book.sheetnames[0] == "Sprawozdanie z postępu za okres"
    sheets = {sheet["A1"].value: sheet for sheet in book.worksheets}  # a sheet's name is its title, cut short
    clients = {row[0]: row[1] for row in sheets["Klienci"].iter_rows(values_only=True)}
    assert clients["Klienci objęci usługami"] == served
    assert sheets["Wizyty i godziny według rodzaju usługi"]._charts  # the hours drawn as bars

    pdf = PdfReader(io.BytesIO(content(reporting, auth, report_id, "pdf").content))
    text = " ".join(page.extract_text() for page in pdf.pages)
    assert "Sprawozdanie z postępu za okres" in text and "Klienci objęci usługami" in text and "Gmina" in text
    assert pdf.metadata.title == "Sprawozdanie z postępu za okres"


@pytest.mark.parametrize(("language", "title"), [("uk", "Звіт про хід виконання за період"),
                                             ("en", "Period progress report"),
                                             ("bg", "Отчет за напредъка за периода")])
def test_a_report_in_the_language_asked_for(runtime, reporting, auth, language, title):
    report_id = made(runtime, reporting, auth, {"municipality": "PL-WAW", "quarter": "2021-Q1", "language": language})
    assert content(reporting, auth, report_id).json()["title"] == title
    text = PdfReader(io.BytesIO(content(reporting, auth, report_id, "pdf").content)).pages[0].extract_text()
    assert title in text


def test_the_analyst_sees_small_counts_suppressed_in_every_format(runtime, reporting, auth):
    report_id = made(runtime, reporting, auth, {"municipality": "BG-MTR", **FIRST_HALF}, role="analyst", scope="BG-MTR")
    exact = content(reporting, auth, report_id).json()
    seen = content(reporting, auth, report_id, role="analyst", scope="BG-MTR").json()
    shown = [value for table in seen["tables"] for _, values in table["rows"] for value in values]
    assert None in shown and not any(isinstance(v, int) and 0 < v < 5 for v in shown)
    assert any(isinstance(v, int) and 0 < v < 5 for table in exact["tables"] for _, values in table["rows"]
               for v in values)
    assert "Стойности под 5 не се показват" in " ".join(seen["notes"])
    lines = content(reporting, auth, report_id, "csv", role="analyst", scope="BG-MTR").content.decode("utf-8-sig")
    assert not any(row[3] in {"1", "2", "3", "4"} for row in csv.reader(io.StringIO(lines)) if len(row) == 4)


def test_a_frozen_report_never_changes_and_the_next_shows_what_late_events_changed(runtime, reporting, auth):
    body = {"municipality": "BG-MTR", **FIRST_HALF}
    frozen_id = made(runtime, reporting, auth, body)
    assert reporting.post(f"/reports/{frozen_id}/freeze", headers=auth("coordinator", "BG-MTR")).json()["frozen_at"]
    before = content(reporting, auth, frozen_id).content
    assert_problem(reporting.post(f"/reports/{frozen_id}/remake", headers=auth("coordinator", "BG-MTR")), 409)
    assert_problem(reporting.post(f"/reports/{frozen_id}/freeze", headers=auth("coordinator", "BG-MTR")), 409)

    late = Envelope.wrap(i.ClientRegistered(client_id=uuid.uuid4(), municipality="BG-MTR", sex="female"),
                         municipality="BG-MTR").model_copy(update={"time": datetime(2021, 3, 3, 10, tzinfo=UTC)})
    runtime.consumer().apply([late])
    assert content(reporting, auth, frozen_id).content == before  # the snapshot stays as it was

    next_report = made(runtime, reporting, auth, body)
    assert reporting.get(f"/reports/{next_report}", headers=auth("coordinator", "*")).json()["compared_with"] == \
        frozen_id
    shown = content(reporting, auth, next_report).json()
    was = value(json.loads(before), "clients", "Регистрирани потребители")
    assert {"section": "Потребители", "figure": "Регистрирани потребители", "key": "Общо", "was": was,
            "now": was + 1} in shown["changes"]
    assert shown["changes_title"].startswith("Промени спрямо заключения отчет от")
    pdf = PdfReader(io.BytesIO(content(reporting, auth, next_report, "pdf").content))
    assert "Промени спрямо заключения отчет" in " ".join(page.extract_text() for page in pdf.pages)


def test_a_report_not_frozen_is_made_again_with_late_events(runtime, reporting, auth):
    report_id = made(runtime, reporting, auth, {"municipality": "BG-MTR", **FIRST_HALF})
    before = value(content(reporting, auth, report_id).json(), "clients", "Регистрирани потребители")
    late = Envelope.wrap(i.ClientRegistered(client_id=uuid.uuid4(), municipality="BG-MTR")).model_copy(
        update={"time": datetime(2021, 2, 2, 10, tzinfo=UTC)})
    runtime.consumer().apply([late])
    again = reporting.post(f"/reports/{report_id}/remake", headers=auth("coordinator", "BG-MTR"))
    assert again.status_code == 202 and again.json()["status"] == "queued"
    sweep(runtime)
    assert value(content(reporting, auth, report_id).json(), "clients", "Регистрирани потребители") == before + 1


def test_a_programme_report_says_which_tables_are_the_whole_municipality(runtime, reporting, auth):
    report_id = made(runtime, reporting, auth, {"municipality": "BG-BGS", "programme": "patronage", **FIRST_HALF})
    report = content(reporting, auth, report_id).json()
    assert ("Програма", "patronage") in [tuple(line) for line in report["heading"]]
    notes = {table["code"]: table["note"] for table in report["tables"]}
    assert notes["staff"] == "За цялата община: не се отчита по програми." and notes["clients"] is None
    figures = reporting.get("/indicators", params={"municipality": "BG-BGS", "programme": "patronage", **FIRST_HALF},
                            headers=auth("coordinator", "*")).json()
    assert value(report, "clients", "Активни планове за грижа") == indicator(figures, "care_plans_active")


def test_reports_are_read_by_who_may_see_all_their_municipalities(runtime, reporting, auth):
    report_id = made(runtime, reporting, auth, {"network": "bg-health", **FIRST_HALF})
    assert_problem(reporting.get(f"/reports/{report_id}", headers=auth("coordinator", "BG-MTR")), 404)
    assert_problem(reporting.get(f"/reports/{report_id}/content", headers=auth("analyst", "BG-MTR")), 404)
    assert_problem(reporting.post(f"/reports/{report_id}/freeze", headers=auth("analyst", "*")), 403)
    mine = asked(reporting, auth, {"network": "bg-health", **FIRST_HALF}, scope="BG-MTR")
    assert mine["municipalities"] == ["BG-MTR"]  # a coordinator's network report is their town's
    listed = reporting.get("/reports", headers=auth("coordinator", "BG-MTR")).json()
    assert [r["id"] for r in listed["items"]] == [mine["id"]]
    assert reporting.get("/reports", params={"municipality": "BG-BGS"}, headers=auth("analyst", "*")).json()[
        "total"] == 1


@pytest.mark.parametrize(("body", "field"), [
    ({"municipality": "BG-MTR"}, "from"), ({"municipality": "BG-MTR", "month": "2021-13"}, "month"),
    ({"municipality": "BG-MTR", "month": "2021-07", "language": "de"}, "language"),
    ({"municipality": "BG-MTR", "month": "2021-07", "programme": "nothing"}, "programme"),
    ({"municipality": "BG-MTR", "month": "2021-07", "colour": "red"}, "colour"),
    ({"municipality": "bg", "month": "2021-07"}, "municipality"),
])
def test_a_bad_request_is_422_naming_the_field(runtime, reporting, auth, body, field):
    assert_problem(reporting.post("/reports", json=body, headers=auth("coordinator", "*")), 422, field)


def test_an_unknown_report_or_format_is_answered_plainly(runtime, reporting, auth):
    assert_problem(reporting.get(f"/reports/{uuid.uuid4()}", headers=auth("coordinator", "*")), 404)
    report_id = made(runtime, reporting, auth, {"municipality": "BG-MTR", "month": "2021-03"})
    answer = reporting.get(f"/reports/{report_id}/content?format=docx", headers=auth("coordinator", "*"))
    assert_problem(answer, 422, "query.format")


def test_two_coordinators_freezing_at_once_freeze_it_once(runtime, served_service):
    url = served_service("reporting")
    admin = testing.bearer("coordinator", "*")
    report_id = httpx.post(f"{url}/reports", headers=admin, json={"municipality": "BG-MTR", "month": "2021-03"},
                           timeout=30).json()["id"]
    sweep(runtime)
    answers = testing.at_once([lambda: httpx.post(f"{url}/reports/{report_id}/freeze", headers=admin, timeout=30)] * 2)
    assert sorted(answer.status_code for answer in answers) == [200, 409]
    with runtime.database.unit_of_work() as session:
        report = session.get(Report, uuid.UUID(report_id))
        assert report.status == "frozen" and session.scalars(select(ReportSection)).first() is not None


def test_the_period_a_report_covers_is_whole_days(runtime, reporting, auth):
    report = asked(reporting, auth, {"municipality": "BG-MTR", "quarter": "2021-Q3"})
    assert report["period"] == {"first": date(2021, 7, 1).isoformat(), "last": date(2021, 9, 30).isoformat()}


def test_a_network_of_many_municipalities_still_makes_a_pdf():
    """Fifty municipalities, six figures each: the chart draws the first figure, a page high at most."""
    rows = [(f"Община {n}", [n, n * 2, n * 3, 1.5, n, None]) for n in range(50)]
    table = Table("municipalities", "По общини", ["a", "b", "c", "d", "e", "f"], ["", *"abcdef"],
                  [*rows, ("Общо", [1, 2, 3, 4, 5, 6])], chart=True, by="municipality")
    pages = PdfReader(io.BytesIO(as_pdf(Document("bg", "Отчет", [("Мрежа", "x")], [table])))).pages
    assert len(pages) >= 2 and "Община 49" in " ".join(page.extract_text() for page in pages)
