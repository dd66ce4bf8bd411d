#!/usr/bin/env python
"""Benchmark of intake's client registry: registrations and searches as it grows.

On a fresh database of its own (PostgreSQL by default, dropped at the end), N clients
(500,000) are registered in several municipalities of Bulgaria, Ukraine and Poland:
realistic bg/uk/pl names in Cyrillic and in Latin letters, birth dates (some unknown),
E.164 phones (some none). Everything goes through the service layer as the API calls it
(``register_client``, its duplicate check included), except the last 1,000, which go
through HTTP to the app served on a socket (shared/testing.py ``served``):

  start    the first S registrations (10,000), one transaction each, timed with the commit
  bulk     the next ones, in transactions of --batch; a coordinator confirmed each new person
           (``confirm_new_person``), so the duplicate check is skipped: the same writes, faster
  end      the S before the last 1,000, one transaction each, timed, duplicate check included
  http     the last 1,000 through POST /intake/v1/clients, one at a time

A registration answered 409 (likely duplicates) is timed as such, then sent again
confirmed (untimed), so every person is registered. Then searches, by a coordinator of
the person's municipality, through the service (``search_clients``, in a read unit of
work) and through HTTP (GET /intake/v1/clients?q=):

  cyrillic  the person's names as registered in Cyrillic ("Йорданка Кехайова")
  latin     their official Latin spelling (Bulgarian Streamlined System, Ukrainian 2010),
            or the names as registered in Latin letters
  phone     their number in the national spelling ("0888 123 456")
  family    the family name alone, in Latin letters ("Petrova"): many match it

Each prints p50/p95/p99 in ms and how many of the searches found the person. Targets:
search p95 under 20 ms; registration p95 at the end at most 20% above the start.

Usage (from the repository root):

    .venv/bin/python bench/intake.py                        # 500,000 clients on PostgreSQL
    .venv/bin/python bench/intake.py --clients 50000
    .venv/bin/python bench/intake.py --clients 50000 --database sqlite

The script uses only what the service layer has had since before search by index, so it
also measures an older checkout: ``git worktree add /tmp/before <commit>`` and
``PYTHONPATH=/tmp/before .venv/bin/python bench/intake.py --clients 50000``.

Exit status: 0 when it ran (targets met or not), 1 when it could not run, 130 when interrupted.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

try:
    import shared  # noqa: F401
except ImportError:  # run from a checkout without the package installed
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
from sqlalchemy import text

from services.intake.catalogue.schemas import MunicipalityCreate
from services.intake.catalogue.service import register_municipality
from services.intake.clients.schemas import ClientCreate, ClientFilters
from services.intake.clients.service import register_client, search_clients
from services.registry import service_spec
from shared import testing
from shared.auth import Principal
from shared.bootstrap import Runtime, broker_factory
from shared.errors import Conflict
from shared.migrations import upgrade
from shared.web import mount_services

TARGET_SEARCH_P95_MS = 20.0
TARGET_GROWTH = 0.20  # registration p95, end over start
HTTP_REGISTRATIONS = 1000
SEARCHES = 300  # per kind and way

# (code, name, language, time zone, share of the clients)
MUNICIPALITIES = [
    ("BG-SOF", "Столична", "bg", "Europe/Sofia", 0.16), ("BG-PDV", "Пловдив", "bg", "Europe/Sofia", 0.12),
    ("BG-BGS", "Бургас", "bg", "Europe/Sofia", 0.08), ("BG-PER", "Перник", "bg", "Europe/Sofia", 0.06),
    ("BG-RAK", "Ракитово", "bg", "Europe/Sofia", 0.03), ("BG-MTR", "Малко Търново", "bg", "Europe/Sofia", 0.02),
    ("UA-KYI", "Київ", "uk", "Europe/Kyiv", 0.18), ("UA-LUB", "Лубни", "uk", "Europe/Kyiv", 0.07),
    ("PL-WAW", "Warszawa", "pl", "Europe/Warsaw", 0.20), ("PL-PLO", "Płock", "pl", "Europe/Warsaw", 0.08),
]
REGIONS = {"BG": "bg", "UA": "uk", "PL": "pl"}

# Given names (female, male) and family names (male form) per language, most common first.


def words(text: str) -> list[str]:
    return text.split()


BG_FEMALE = words("Мария Иванка Елена Йорданка Цветанка Радка Стефка Величка Димитрина Пенка Гергана Донка Надежда "
                  "Росица Снежана Веселина Петя Зорница Десислава Христина Анка Янка Живка Юлия Щилияна")
BG_MALE = words("Иван Георги Димитър Петър Христо Стоян Никола Тодор Васил Атанас Йордан Костадин Ангел Кирил Любомир "
                "Стефан Емил Асен Живко Цветан Янко Юлиан Щерьо Гьоре Жельо")
BG_FAMILY = words("Петров Иванов Георгиев Димитров Стоянов Николов Христов Тодоров Йорданов Ангелов Маринов Костадинов "
                  "Атанасов Попов Колев Цветков Василев Кехайов Хаджиев Гьошев Щерев Жеков Юруков Ахмедов Райчев Шопов "
                  "Чолаков Станчев Пеев Янев Илиев Кирилов Славов Желязков Бонев Добрев Алексиев Рашков Цанков "
                  "Минчев Симеонов Павлов Михайлов Андонов Кръстев Лазаров Трифонов Спасов Методиев Панайотов "
                  "Вълчев Дончев Грозев Баев Тошев Чакъров Мутафчиев Узунов Карагьозов Кьосев Бъчваров Делчев")
UK_FEMALE = words("Галина Олена Ніна Тетяна Оксана Людмила Марія Юлія Наталія Ганна Світлана Валентина Любов Віра "
                  "Ірина Надія Євгенія Олександра Зоя Ярослава")
UK_MALE = words("Микола Іван Василь Петро Олександр Григорій Юрій Богдан Андрій Сергій Володимир Михайло Євген "
                "Ігор Ярослав Степан Тарас Олег Віктор Анатолій")
UK_FAMILY = words("Коваленко Шевченко Бондаренко Ткаченко Кравченко Олійник Мельник Поліщук Григорчук Гнатюк Савчук "
                  "Щербак Литвиненко Ковальчук Дяченко Зінченко Ярошенко Юрченко Хоменко Мороз Лисенко Руденко "
                  "Марченко Пономаренко Савченко Захарченко Гуменюк Павлюк Кушнір Собко Бойко Кравчук Білик "
                  "Остапенко Левченко Панченко Гончаренко Ємельяненко Їжакевич Яковенко Юхименко Чорновол Жук "
                  "Федорук Степанюк Лук'яненко Мартинюк Прокопенко")
PL_FEMALE = words("Krystyna Anna Maria Zofia Jadwiga Danuta Halina Barbara Teresa Janina Irena Stanisława Elżbieta "
                  "Wanda Helena Genowefa Józefa Bożena Czesława Łucja")
PL_MALE = words("Jan Stanisław Andrzej Józef Tadeusz Jerzy Zbigniew Krzysztof Henryk Ryszard Kazimierz Marian "
                "Władysław Czesław Zdzisław Mieczysław Bogdan Wiesław Leszek Edward")
PL_FAMILY = words("Nowak Kowalski Wiśniewski Wójcik Kowalczyk Kamiński Lewandowski Zieliński Szymański Woźniak "
                  "Dąbrowski Kozłowski Jankowski Mazur Kwiatkowski Krawczyk Piotrowski Grabowski Nowakowski Pawłowski "
                  "Michalski Szczepański Wróbel Jabłoński Król Majewski Olszewski Stępień Jaworski Malinowski "
                  "Adamczyk Dudek Zając Wieczorek Jasiński Zawadzki Górski Rutkowski Michalak Sikora Ostrowski "
                  "Baran Duda Szewczyk Tomaszewski Pietrzak Marciniak Wróblewski Zalewski Jakubowski")

# Official Latin spellings, for names registered in Latin letters and for the latin searches:
# the Bulgarian Streamlined System and the Ukrainian national system of 2010 (the initial forms
# of є ї й ю я; ь and the apostrophe dropped). Written out here, so that an older checkout runs it.
_BG = dict(zip("абвгдежзийклмнопрстуфхцчшщъьюя", words("a b v g d e zh z i y k l m n o p r s t u f h ts ch sh sht a y "
                                                          "yu ya"), strict=True))
_UK = dict(zip("абвгґдеєжзиіїйклмнопрстуфхцчшщюя", words("a b v h g d e ie zh z y i i i k l m n o p r s t u f kh ts ch "
                                                          "sh shch iu ia"), strict=True)) | {"ь": "", "'": ""}
_UK_INITIAL = {"є": "ye", "ї": "yi", "й": "y", "ю": "yu", "я": "ya"}


def official_latin(word: str, language: str) -> str:
    lower = word.lower()
    if language == "bg":
        spelled = "".join(_BG.get(c, c) for c in lower.removesuffix("ия")) + ("ia" if lower.endswith("ия") else "")
    else:
        spelled = "".join(_UK_INITIAL[c] if i == 0 and c in _UK_INITIAL else _UK.get(c, c)
                          for i, c in enumerate(lower))
    return spelled.capitalize()


def family_form(family: str, language: str, female: bool) -> str:
    """Bulgarian -ов/-ев and -ски, Ukrainian -ський and Polish -ski take the woman's form;
    Ukrainian -енко, -чук... do not change."""
    if not female:
        return family
    if language == "bg":
        return family[:-1] + "а" if family.endswith("ски") else family + "а"
    if family.endswith(("ський", "цький")):
        return family[:-2] + "а"
    return family[:-1] + "a" if family.endswith(("ski", "cki")) else family


@dataclass(frozen=True)
class Person:
    municipality: str
    given_name: str
    family_name: str
    language: str  # of the name
    cyrillic: bool
    birth_date: date | None
    phone: str | None  # as a coordinator types it: the national spelling
    female: bool

    def create(self, *, confirmed: bool = False) -> dict:
        return {"municipality": self.municipality, "given_name": self.given_name, "family_name": self.family_name,
                "birth_date": self.birth_date.isoformat() if self.birth_date else None, "phone": self.phone,
                "sex": "female" if self.female else "male", "confirm_new_person": confirmed}

    def latin_query(self) -> str:
        if not self.cyrillic:
            return f"{self.given_name} {self.family_name}"
        return f"{official_latin(self.given_name, self.language)} {official_latin(self.family_name, self.language)}"


def _weighted(names: list[str]) -> tuple[list[str], list[float]]:
    """A name's share falls with its rank, as in a real population (Zipf-like)."""
    return names, [1 / (rank + 1) ** 0.6 for rank in range(len(names))]


NAMES = {"bg": (_weighted(BG_FEMALE), _weighted(BG_MALE), _weighted(BG_FAMILY)),
         "uk": (_weighted(UK_FEMALE), _weighted(UK_MALE), _weighted(UK_FAMILY)),
         "pl": (_weighted(PL_FEMALE), _weighted(PL_MALE), _weighted(PL_FAMILY))}
# The long tail: the common names above are most people's given names but few people's family
# names (the hundred commonest cover a third of a population or so); the rest are rare, made
# here of syllables and the language's endings (Бозеров, Ракоченко, Sedowicz...).
COMMON_GIVEN, COMMON_FAMILY = 0.5, 0.3
SYLLABLES = {
    "bg": words("ба бо ве ви га го да де до жи за зла ки ко ку ла ли ло ма ми мо на ни но па пе по ра ре ри ро са се "
                "сла сто та те то тра фи ха хри ца це чо ше шо щи ю я ъ"),
    "uk": words("ба бо ва ви га го да де до жу за зі ка ко ку ла ли ло ма ми мо на ни но па пе по ра ре ри ро са се "
                "сте та те то ха хо ци че чу ше шу ю я є ї ґа"),
    "pl": words("ba bo wa wi ga go da de do ża za zi ka ko ku la li ło ma mi mo na ni no pa pe po ra re ri ro sa se "
                "sta ta te to cha cho ci cze szy szo ju ja rzy dź"),
}
FAMILY_ENDINGS = {"bg": words("ов ев ов ев иев ски"), "uk": words("енко чук ук ський ович ик енко"),
                  "pl": words("ski czyk ak ek owicz ik ski cki")}
GIVEN_ENDINGS = {"bg": (words("ка на я ина"), words("ан о ил ен")), "uk": (words("ка на я ина"), words("ан о ій ен")),
                 "pl": (words("ka na ia ina"), words("an o ij en"))}


def made_up(rng: random.Random, language: str, endings: list[str]) -> str:
    return ("".join(rng.choices(SYLLABLES[language], k=rng.choice((1, 2, 2, 3)))) + rng.choice(endings)).capitalize()


class People:
    """The people to register, made up deterministically from ``seed``; every phone is unique."""

    def __init__(self, seed: int, undated: float, without_phone: float) -> None:
        self.rng = random.Random(seed)
        self.undated, self.without_phone = undated, without_phone
        self.codes = [m[0] for m in MUNICIPALITIES]
        self.shares = [m[4] for m in MUNICIPALITIES]
        self.numbers = 0

    def __iter__(self) -> Iterator[Person]:
        while True:
            yield self.next()

    def next(self) -> Person:
        rng = self.rng
        municipality = rng.choices(self.codes, self.shares)[0]
        country = municipality[:2]
        # a Bulgarian or Ukrainian municipality's people mostly, and some of the neighbours'
        language = rng.choices([REGIONS[country], *(lang for lang in ("bg", "uk", "pl") if lang != REGIONS[country])],
                               [0.9, 0.05, 0.05])[0]
        female = rng.random() < 0.6
        (female_names, male_names, families) = NAMES[language]
        given = rng.choices(*(female_names if female else male_names))[0] if rng.random() < COMMON_GIVEN else \
            made_up(rng, language, GIVEN_ENDINGS[language][0 if female else 1])
        family = rng.choices(*families)[0] if rng.random() < COMMON_FAMILY else \
            made_up(rng, language, FAMILY_ENDINGS[language])
        family = family_form(family, language, female)
        cyrillic = language != "pl"
        if cyrillic and rng.random() < (0.1 if country != "PL" else 0.5):  # written in Latin letters
            given, family, cyrillic = official_latin(given, language), official_latin(family, language), False
        born = None if rng.random() < self.undated else date(1925, 1, 1) + timedelta(days=rng.randrange(80 * 365))
        return Person(municipality, given, family, language, cyrillic, born, self._phone(country), female)

    def _phone(self, country: str) -> str | None:
        if self.rng.random() < self.without_phone:
            return None
        self.numbers += 1
        n = f"{self.numbers:07d}"  # a mobile network's prefix and seven digits
        return {"BG": f"088{n[0]} {n[1:4]} {n[4:]}", "UA": f"050 {n[:3]} {n[3:]}", "PL": f"60{n[0]} {n[1:4]} {n[4:]}"}[
            country]


# -- figures -----------------------------------------------------------------------------


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)

    def at(p: float) -> float:
        return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]
    return {"n": len(ordered), "p50": at(0.50), "p95": at(0.95), "p99": at(0.99), "mean": statistics.fmean(ordered)}


def line(label: str, samples: list[float], extra: str = "") -> dict[str, float]:
    figures = percentiles(samples)
    print(f"  {label:<34} n={figures['n']:>6}  p50 {figures['p50']:7.2f} ms  p95 {figures['p95']:7.2f} ms  "
          f"p99 {figures['p99']:7.2f} ms  {extra}".rstrip(), flush=True)
    return figures


def timed_lines(label: str, samples: dict[tuple[str, str], list[float]]) -> dict[str, float]:
    """The figures of all registrations, then by birth date known or not and by answer."""
    figures = line(label, [ms for times in samples.values() for ms in times],
                   f"409: {sum(len(times) for (_, answer), times in samples.items() if answer == '409')}")
    for (dated, answer), times in sorted(samples.items()):
        line(f"  {dated}, answered {answer}", times)
    return figures


def progress(text_: str) -> None:
    print(text_, file=sys.stderr, flush=True)


# -- the run -------------------------------------------------------------------------------


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.name = f"ccbench_{testing.run_id()}_intake"
        self.tmp = tempfile.TemporaryDirectory(prefix="ccbench-intake-")
        url = testing.database_url(self.name) if args.database == "postgresql" else \
            f"sqlite:///{self.tmp.name}/intake.db"
        self.settings = testing.make_settings(url)
        self.runtime: Runtime | None = None
        self.people = People(args.seed, args.undated, args.without_phone)
        self.registered: list[Person] = []
        self.conflicts = 0

    def open(self) -> None:
        if self.args.database == "postgresql":
            testing.create_database(self.name)
        self.runtime = Runtime(service_spec("intake"), self.settings, broker_factory(self.settings))
        spec = service_spec("intake")
        upgrade(str(spec.migrations), self.runtime.database, spec.metadata)
        with self.runtime.database.transaction() as session:
            for code, name, language, zone, _ in MUNICIPALITIES:
                register_municipality(MunicipalityCreate(code=code, name=name, language=language, timezone=zone),
                                      session=session)

    def close(self) -> None:
        if self.runtime is not None:
            self.runtime.database.dispose()
        if self.args.database == "postgresql" and not self.args.keep:
            testing.drop_database(self.name)
        elif self.args.keep:
            print(f"kept: {self.settings.database_url}")
        self.tmp.cleanup()

    @property
    def database(self):
        return self.runtime.database

    # registering

    def register_one(self, person: Person) -> tuple[float, str]:
        """One registration in its own transaction, timed to its commit (ms), and its answer;
        a 409 is timed, then the registration is sent again confirmed."""
        started = time.perf_counter()
        try:
            with self.database.transaction() as session:
                register_client(ClientCreate(**person.create()), registered_by="bench", session=session)
        except Conflict:
            elapsed = (time.perf_counter() - started) * 1000
            with self.database.transaction() as session:
                register_client(ClientCreate(**person.create(confirmed=True)), registered_by="bench", session=session)
            self.registered.append(person)
            return elapsed, "409"
        self.registered.append(person)
        return (time.perf_counter() - started) * 1000, "201"

    def timed(self, count: int, label: str) -> dict[tuple[str, str], list[float]]:
        """The times of ``count`` registrations by (birth date known or not, answer)."""
        samples: dict[tuple[str, str], list[float]] = {}
        for done in range(1, count + 1):
            person = self.people.next()
            elapsed, answer = self.register_one(person)
            samples.setdefault(("dated" if person.birth_date else "undated", answer), []).append(elapsed)
            if done % 5000 == 0:
                progress(f"{label}: {done}/{count}")
        return samples

    def bulk(self, count: int) -> float:
        """``count`` confirmed registrations in transactions of --batch; returns registrations/s."""
        started, done = time.perf_counter(), 0
        while done < count:
            size = min(self.args.batch, count - done)
            batch = [self.people.next() for _ in range(size)]
            with self.database.transaction() as session:
                for person in batch:
                    register_client(ClientCreate(**person.create(confirmed=True)), registered_by="bench",
                                    session=session)
            self.registered += batch
            done += size
            if done % 20000 < self.args.batch:
                rate = done / (time.perf_counter() - started)
                progress(f"bulk: {done}/{count} ({rate:.0f}/s, {len(self.registered)} clients)")
        return count / (time.perf_counter() - started)

    def over_http(self, client: httpx.Client, count: int) -> list[float]:
        self.conflicts, samples = 0, []
        for _ in range(count):
            person = self.people.next()
            headers = testing.bearer("coordinator", person.municipality, settings=self.settings)
            started = time.perf_counter()
            answer = client.post("/intake/v1/clients", json=person.create(), headers=headers)
            samples.append((time.perf_counter() - started) * 1000)
            if answer.status_code == 409:
                self.conflicts += 1
                answer = client.post("/intake/v1/clients", json=person.create(confirmed=True), headers=headers)
            if answer.status_code != 201:
                raise RuntimeError(f"registration answered {answer.status_code}: {answer.text[:300]}")
            self.registered.append(person)
        return samples

    def settle(self) -> None:
        """What PostgreSQL's autovacuum does after a bulk load, so that the end is measured in a
        steady state. SQLite gathers no statistics by itself: it plans without them, as in use."""
        if self.args.database == "postgresql":
            with self.database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE")

    # searching

    def queries(self, kind: str, rng: random.Random) -> list[tuple[Person, str]]:
        people = self.registered
        wanted = {"cyrillic": lambda p: p.cyrillic, "latin": lambda p: True, "phone": lambda p: p.phone is not None,
                  "family": lambda p: True}[kind]
        chosen = []
        while len(chosen) < SEARCHES:
            person = people[rng.randrange(len(people))]
            if wanted(person):
                q = {"cyrillic": lambda p: f"{p.given_name} {p.family_name}", "latin": Person.latin_query,
                     "phone": lambda p: p.phone, "family": lambda p: p.latin_query().split()[-1]}[kind](person)
                chosen.append((person, q))
        return chosen

    def search_service(self, person: Person, q: str) -> tuple[float, bool]:
        principal = Principal(subject="bench", roles=frozenset({"coordinator"}),
                              municipalities=frozenset({person.municipality}))
        started = time.perf_counter()
        with self.database.unit_of_work(write=False) as session:
            page = search_clients(ClientFilters(q=q), principal, session=session)
            found = any(c.given_name == person.given_name and c.family_name == person.family_name
                        for c in page.items)
        return (time.perf_counter() - started) * 1000, found or page.total > len(page.items)

    def search_http(self, client: httpx.Client, person: Person, q: str) -> tuple[float, bool]:
        headers = testing.bearer("coordinator", person.municipality, settings=self.settings)
        started = time.perf_counter()
        answer = client.get("/intake/v1/clients", params={"q": q}, headers=headers)
        elapsed = (time.perf_counter() - started) * 1000
        page = answer.json()
        found = any(c["given_name"] == person.given_name and c["family_name"] == person.family_name
                    for c in page["items"])
        return elapsed, found or page["total"] > len(page["items"])

    def searches(self, client: httpx.Client) -> dict[str, dict[str, float]]:
        figures = {}
        for way in ("service", "http"):
            rng = random.Random(self.args.seed + 1)
            for kind in ("cyrillic", "latin", "phone", "family"):
                results = [self.search_service(p, q) if way == "service" else self.search_http(client, p, q)
                           for p, q in self.queries(kind, rng)]
                found = sum(ok for _, ok in results)
                figures[f"{way} {kind}"] = line(f"search {kind} ({way})", [ms for ms, _ in results],
                                                f"found {found}/{len(results)}")
        return figures

    def size(self) -> str:
        if self.args.database != "postgresql":
            return f"{os.path.getsize(self.database.url.split('///', 1)[1]) / 2**20:.0f} MiB file"
        with self.database.unit_of_work(write=False) as session:
            return session.scalar(text("SELECT pg_size_pretty(pg_database_size(current_database()))"))


def run(bench: Bench, args: argparse.Namespace) -> None:
    total = args.clients
    window = min(args.window, (total - HTTP_REGISTRATIONS) // 3)
    bulk = total - HTTP_REGISTRATIONS - 2 * window
    print(f"intake benchmark: {total:,} clients on {args.database} in {len(MUNICIPALITIES)} municipalities; "
          f"timed windows of {window:,}; {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}", flush=True)
    bench.open()
    started = time.perf_counter()
    start = bench.timed(window, "start")
    print("registrations:")
    first = timed_lines(f"start (1 to {window:,})", start)
    rate = bench.bulk(bulk)
    print(f"  bulk ({bulk:,}, confirmed, batches of {args.batch})     {rate:,.0f} registrations/s", flush=True)
    bench.settle()
    end = bench.timed(window, "end")
    last = timed_lines(f"end ({len(bench.registered) - window + 1:,} to {len(bench.registered):,})", end)
    with testing.served(mount_services({"intake": bench.runtime.app()})) as root, \
            httpx.Client(base_url=root, timeout=60) as client:
        http = bench.over_http(client, HTTP_REGISTRATIONS)
        line(f"http (last {HTTP_REGISTRATIONS:,})", http, f"409: {bench.conflicts}")
        print(f"searches ({len(bench.registered):,} clients, {bench.size()}):", flush=True)
        figures = bench.searches(client)
    growth = last["p95"] / first["p95"] - 1
    worst = max(f["p95"] for way, f in figures.items() if not way.endswith("family"))
    print(f"targets: registration p95 growth start -> end {growth:+.0%} (target <= +{TARGET_GROWTH:.0%}): "
          f"{'met' if growth <= TARGET_GROWTH else 'NOT met'}; search p95 worst of name and phone {worst:.1f} ms "
          f"(target < {TARGET_SEARCH_P95_MS:.0f} ms): {'met' if worst < TARGET_SEARCH_P95_MS else 'NOT met'}")
    print(f"took {time.perf_counter() - started:,.0f} s; load {os.getloadavg()[0]:.2f}")


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], epilog=__doc__.split("\n\n", 1)[1],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--clients", type=int, default=500_000, help="clients registered in all [500000]")
    p.add_argument("--window", type=int, default=10_000, help="registrations timed at the start and the end [10000]")
    p.add_argument("--batch", type=int, default=500, help="registrations per transaction in the bulk [500]")
    p.add_argument("--database", choices=("postgresql", "sqlite"), default="postgresql")
    p.add_argument("--undated", type=float, default=0.05, help="share of people without a birth date [0.05]")
    p.add_argument("--without-phone", type=float, default=0.3, help="share of people without a phone [0.3]")
    p.add_argument("--seed", type=int, default=20)
    p.add_argument("--keep", action="store_true", help="keep the database (its URL is printed)")
    args = p.parse_args(argv)
    if args.clients < HTTP_REGISTRATIONS + 3:
        p.error(f"--clients must be more than {HTTP_REGISTRATIONS}")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    bench = Bench(args)
    try:
        run(bench, args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - the benchmark could not run: say why and exit 1
        print(f"error: could not run the benchmark: {exc!r}", file=sys.stderr)
        return 1
    finally:
        bench.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
