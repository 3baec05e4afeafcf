"""The scale dataset: twenty years (2007-2026) of the Centre and of the
partnership, generated reproducibly from a seed into the database that
``DATABASE_URL`` names (PostgreSQL), or into a SQLite file when it is unset.
Every other scale benchmark (``run.py``, ``load.py``, ``reports_*.py``) reads
this dataset; this is the one generator.

    .venv/bin/python benchmarks/dataset.py [--scale 10] [--seed 2017] [--regenerate]
        [--database postgres://postgres@127.0.0.1:5433/bench_10x | --sqlite PATH]

``--scale 1`` is today's volume, ``--scale 10`` the "20 years at 10x" dataset
of issue 11: 3,000 sessions (150 a year) of 60 courses, 100,000 participants
of the six GCC states and a few others, 150,000 nominations (50 a session:
80% accepted with outcomes -- 90% completed, 6% not completed, 4% no-shows
--, 8% withdrawn, 6% rejected, 6% waiting), seat quotas, 1,500 instructors
with about 30,000 assignments and trips (one trip in twelve covers two
back-to-back sessions), level-1 evaluations from 60% of those who attended,
2,000 dialogue events, 2,000 partners' requests, 60 two-year programmes of
the six states with 1,800 activities (60% delivered), a year plan for each
year (a published Plan whose PlannedSessions are that year's sessions with
their instructors; the solver is not run) and, whatever the scale, the menu
at 1,400 activities (the 60 courses and 1,340 imported through the menu's
own import) and one open session with 500 nominations and eight instructors
(the session page of the benchmarks). Per-day attendance rows are not
generated: the figures read the outcomes.

Accounts (password ``bench``, for the benchmarks only): ``nato`` (NATO staff),
``centre`` (Centre staff), ``kuwait`` (Kuwait's coordinator).

The rows are written with ``bulk_create`` inside one transaction, with the
audit suspended (``audit.record_bulk_create`` is not called: this is a
benchmark dataset, not a domain write). A marker file under
``benchmarks/.data/`` says which scale and seed a database holds; a database
that holds something else is refused unless ``--regenerate`` is given."""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA = HERE / ".data"
sys.path.insert(0, str(ROOT))

FIRST_YEAR, YEARS = 2007, 20
MENU_SIZE = 1400
BIG_SESSION = "BENCH-BIG"
BIG_NOMINATIONS = 500
PASSWORD = "bench"
# A fixed "now" so that two runs with the same seed write the same rows.
NOW = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)
GCC = ["KWT", "BHR", "QAT", "ARE", "SAU", "OMN"]
OTHERS = ["JOR", "EGY", "MAR"]
WEIGHTS = [0.3, 0.14, 0.14, 0.14, 0.12, 0.1, 0.02, 0.02, 0.02]
PROVIDERS = [
    "nato-school",
    "jallc",
    "marcom",
    "nmiotc",
    "ccdcoe",
    "nato-defense-college",
    "coe-dat",
    "nato-pasp",
]


# -- where the dataset lives -----------------------------------------------------------


def target_name(database: str) -> str:
    """A short name for a database: ``pg-bench_10x``, or a SQLite file's directory
    (``sqlite-10x``)."""
    if database.startswith("postgres"):
        return "pg-" + database.rsplit("/", 1)[-1]
    return Path(database).resolve().parent.name


def configure(database: str) -> Path:
    """Environment for Django on ``database`` (a PostgreSQL URL or a SQLite
    path); returns the data directory (secret key, SQLite file, marker)."""
    if database.startswith("postgres"):
        data_dir = DATA / target_name(database)
    else:
        data_dir = Path(database).resolve().parent
    data_dir.mkdir(parents=True, exist_ok=True)
    os.environ["ICIHUB_DATA_DIR"] = str(data_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "icihub.settings"
    # One key for every process of a run (the measuring process signs the
    # session cookies that gunicorn's workers read).
    os.environ.setdefault("SECRET_KEY", "icihub-benchmarks-only-" + "k" * 40)
    if database.startswith("postgres"):
        os.environ["DATABASE_URL"] = database
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{Path(database).resolve()}"
    return data_dir


def sqlite_path(scale: float) -> str:
    return str(DATA / f"sqlite-{scale:g}x" / "icihub.sqlite3")


def marker(data_dir: Path) -> Path:
    return data_dir / "dataset.json"


def holds(data_dir: Path, scale: float, seed: int) -> bool:
    path = marker(data_dir)
    if not path.exists():
        return False
    state = json.loads(path.read_text())
    return state.get("scale") == scale and state.get("seed") == seed


def progress(text: str) -> None:
    print(f"  {text}", flush=True)


# -- building ----------------------------------------------------------------------------


def wipe() -> None:
    """Empty the database (the SQLite file is deleted by the caller)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")


def ensure(database: str, *, scale: float, seed: int = 2017, regenerate=False) -> None:
    """Generate the dataset in a child process unless ``database`` holds it
    (Django is configured once per process, so each database gets its own)."""
    data_dir = configure(database)
    if holds(data_dir, scale, seed) and not regenerate:
        return
    command = [sys.executable, str(HERE / "dataset.py"), "--scale", f"{scale:g}"]
    command += ["--seed", str(seed), "--regenerate"]
    command += ["--database", database]
    subprocess.run(command, check=True)


def generate(*, scale: float, seed: int, data_dir: Path) -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from icihub.core import audit
    from icihub.core.reference import load_all

    marker(data_dir).unlink(missing_ok=True)
    started = time.perf_counter()
    db = settings.DATABASES["default"]
    print(
        f"Generating twenty years of icihub at {scale:g}x (seed {seed}) into "
        f"{db['ENGINE'].rsplit('.', 1)[-1]} {db['NAME']}…",
        flush=True,
    )
    wipe()
    call_command("migrate", verbosity=0)
    with audit.suspended():
        load_all(progress=lambda line: None)
    progress(f"migrated, reference data loaded ({time.perf_counter() - started:.1f} s)")
    collecting = gc.isenabled()
    gc.disable()
    try:
        with audit.suspended():
            counts = _generate(random.Random(seed), scale, started)
    finally:
        if collecting:
            gc.enable()
    marker(data_dir).write_text(
        json.dumps({"scale": scale, "seed": seed, "counts": counts}, indent=1) + "\n"
    )
    print(f"Dataset ready in {time.perf_counter() - started:.1f} s.", flush=True)


def _chunks(rows, size=5000):
    for i in range(0, len(rows), size):
        yield rows[i : i + size]


def _generate(rng: random.Random, scale: float, started: float) -> dict:
    from django.db import connection, transaction

    from icihub.core.models import User
    from icihub.menu import sample
    from icihub.menu import services as menu_services
    from icihub.menu.models import Activity, Area
    from icihub.partners.models import Country, Framework, Organisation
    from icihub.training.models import Course

    def t() -> str:
        return f"{time.perf_counter() - started:.1f} s"

    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=OFF")

    countries = {c.iso3: c for c in Country.objects.filter(iso3__in=GCC + OTHERS + ["ITA"])}
    areas = list(Area.objects.order_by("code"))
    orgs = list(Organisation.objects.filter(slug__in=PROVIDERS).order_by("slug"))
    ici = Framework.objects.get(code="ici")
    unit = scale / 10  # the volumes below are those of 10x

    with transaction.atomic():
        User.objects.create_user("nato", password=PASSWORD, role="nato_staff")
        User.objects.create_user("centre", password=PASSWORD, role="centre_staff")
        User.objects.create_user(
            "kuwait", password=PASSWORD, role="coordinator", country=countries["KWT"]
        )
        courses = []
        for i in range(60):
            course = Course(
                code=f"BENCH-{i:03d}",
                title=f"Benchmark course {i}",
                format="course",
                provider=rng.choice(orgs),
                marking="public",
                duration_days=rng.choice([3, 4, 5, 5]),
                default_capacity=50,
            )
            course.save()
            course.areas.set(rng.sample(areas, k=rng.choice([1, 1, 2])))
            course.eligible_frameworks.set([ici])
            courses.append(course)
        progress(f"60 courses ({t()})")
        # The rest of the menu through the menu's own import (its sample rows:
        # every area, format, provider, framework, year and language).
        missing = MENU_SIZE - Activity.objects.count()
        if missing > 0:
            menu_services.import_menu(
                None, ("bench.csv", sample.csv_bytes(sample.rows(missing, prefix="BENCH-MENU")))
            )
        progress(f"menu: {Activity.objects.count():,} activities ({t()})")

        people, by_country = _participants(rng, unit, countries)
        progress(f"{len(people):,} participants ({t()})")
        sessions = _sessions(rng, unit, courses)
        progress(f"{len(sessions):,} sessions ({t()})")
        nominations = _nominations(rng, unit, sessions, countries, by_country)
        progress(f"{len(nominations):,} nominations ({t()})")
        evaluations = _evaluations(rng, nominations)
        progress(f"{evaluations:,} evaluations ({t()})")
        instructors, assignments, trips = _instructors(rng, unit, sessions, orgs, countries)
        progress(
            f"{len(instructors):,} instructors, {len(assignments):,} assignments, "
            f"{trips:,} trips ({t()})"
        )
        big = _big_session(rng, courses[0], people, instructors, countries)
        progress(f"session {big.reference}: {BIG_NOMINATIONS} nominations ({t()})")
        events = _events(rng, unit)
        progress(f"{events:,} dialogue events ({t()})")
        programmes = _programmes(rng, unit, courses, countries)
        progress(
            f"{programmes['programmes']} programmes, {programmes['items']:,} activities, "
            f"{programmes['deliveries']:,} deliveries, {programmes['requests']:,} requests ({t()})"
        )
        plans = _plans(sessions, assignments)
        progress(f"{plans['plans']} year plans, {plans['planned']:,} planned sessions ({t()})")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    progress(f"analysed ({t()})")
    return {
        "participants": len(people),
        "sessions": len(sessions) + 1,
        "nominations": len(nominations) + BIG_NOMINATIONS,
        "evaluations": evaluations,
        "instructors": len(instructors),
        "assignments": len(assignments),
        "trips": trips,
        "events": events,
        **programmes,
        **plans,
    }


def _participants(rng, unit, countries):
    from icihub.training.models import Participant

    people = []
    for i in range(max(1000, int(100_000 * unit))):
        iso3 = rng.choices(GCC + OTHERS, WEIGHTS)[0]
        p = Participant(
            given_name=f"Given{i}",
            family_name=f"Family{i % 997}",
            country=countries[iso3],
            service=rng.choice(["army", "navy", "air_force", "national_guard", "police", "ministry"]),
            rank_code=rng.choice(
                ["OF-1", "OF-2", "OF-3", "OF-3", "OF-4", "OF-5", "OF-6", "OR-7", "CIV"]
            ),
        )
        p.prepare()
        people.append(p)
    for chunk in _chunks(people):
        Participant.objects.bulk_create(chunk)
    by_country: dict[int, list[int]] = {}
    for p in people:
        by_country.setdefault(p.country_id, []).append(p.pk)
    return people, by_country


def _sessions(rng, unit, courses):
    from icihub.training.models import Session

    per_year = max(1, int(150 * unit))
    # 50 nominations a session; at a small scale fewer sessions hold more.
    capacity = max(50, int(150_000 * unit) // (per_year * YEARS))
    sessions = []
    for year in range(FIRST_YEAR, FIRST_YEAR + YEARS):
        for k in range(per_year):
            course = courses[k % len(courses)]
            start = dt.date(year, 1, 8) + dt.timedelta(days=(k * 350) // per_year)
            state = "cancelled" if rng.random() < 0.03 else "completed"
            sessions.append(
                Session(
                    course=course,
                    reference=f"{course.code}-{start.isoformat()}-{k}",
                    start=start,
                    end=start + dt.timedelta(days=course.duration_days - 1),
                    capacity=capacity,
                    nomination_deadline=start - dt.timedelta(weeks=8),
                    reallocation_date=start - dt.timedelta(weeks=6),
                    state=state,
                    cancel_reason="benchmark" if state == "cancelled" else "",
                    quotas_released_at=NOW,
                )
            )
    Session.objects.bulk_create(sessions, batch_size=1000)
    return sessions


def _nominations(rng, unit, sessions, countries, by_country):
    from icihub.training.models import Nomination, SeatQuota, Session

    quotas, nominations = [], []
    per = max(1, int(150_000 * unit) // len(sessions))
    for session in sessions:
        chosen = set()
        seats = 0
        for iso3 in GCC:
            quotas.append(
                SeatQuota(session=session, country=countries[iso3], seats=rng.randint(4, 8))
            )
        for position in range(per):
            iso3 = rng.choices(GCC + OTHERS, WEIGHTS)[0]
            pool = by_country[countries[iso3].pk]
            pk = rng.choice(pool)
            while pk in chosen:
                pk = rng.choice(pool)
            chosen.add(pk)
            roll = rng.random()
            outcome = ""
            if roll < 0.80:
                status, has_seat = "accepted", True
                if session.state == "completed":
                    o = rng.random()
                    outcome = "completed" if o < 0.9 else ("not_completed" if o < 0.96 else "no_show")
            elif roll < 0.88:
                status, has_seat = "withdrawn", False
            elif roll < 0.94:
                status, has_seat = "rejected", False
            else:
                status, has_seat = "waitlisted", False
            seats += has_seat
            nominations.append(
                Nomination(
                    session=session,
                    participant_id=pk,
                    country=countries[iso3],
                    priority=position + 1,
                    status=status,
                    has_seat=has_seat,
                    via_reallocation=has_seat and rng.random() < 0.05,
                    decision_reason="benchmark" if status == "rejected" else "",
                    outcome=outcome,
                    attendance_percent=100 if outcome == "completed" else None,
                    nominated_at=NOW,
                )
            )
        session.seats_taken = seats
    for chunk in _chunks(quotas):
        SeatQuota.objects.bulk_create(chunk)
    for i, chunk in enumerate(_chunks(nominations, 10000), start=1):
        Nomination.objects.bulk_create(chunk)
        progress(f"  nominations {min(i * 10000, len(nominations)):,}/{len(nominations):,}")
    Session.objects.bulk_update(sessions, ["seats_taken"], batch_size=1000)
    return nominations


def _evaluations(rng, nominations) -> int:
    from icihub.training.models import SCORE_FIELDS, Evaluation

    evaluations = []
    for n in nominations:
        if n.outcome in ("completed", "not_completed") and rng.random() < 0.6:
            base = rng.choice([3, 4, 4, 5])
            scores = {f: min(5, max(1, base + rng.choice([-1, 0, 0, 1]))) for f in SCORE_FIELDS}
            evaluations.append(Evaluation(nomination_id=n.pk, submitted_at=NOW, **scores))
    for chunk in _chunks(evaluations):
        Evaluation.objects.bulk_create(chunk)
    return len(evaluations)


def _instructors(rng, unit, sessions, orgs, countries):
    from icihub.training.models import Assignment, Instructor, Trip

    instructors = [
        Instructor(
            full_name=f"Instructor {i}", organisation=rng.choice(orgs), country=countries["ITA"]
        )
        for i in range(max(50, int(1500 * unit)))
    ]
    Instructor.objects.bulk_create(instructors, batch_size=1000)
    assignments, trips, covers = [], [], []
    by_year: dict[int, list] = {}
    for s in sessions:
        by_year.setdefault(s.start.year, []).append(s)
    seen = set()

    def assign(session, instructor):
        if (session.pk, instructor.pk) not in seen:
            seen.add((session.pk, instructor.pk))
            assignments.append(Assignment(session=session, instructor=instructor, role="instructor"))

    for year_sessions in by_year.values():
        busy: dict[int, list] = {}
        for index, s in enumerate(year_sessions):
            team = rng.sample(instructors, k=min(len(instructors), rng.randint(8, 12)))
            for instructor in team:
                assign(s, instructor)
                if s.pk in busy.get(instructor.pk, []):
                    continue
                covered = [s]
                nxt = year_sessions[index + 1] if index + 1 < len(year_sessions) else None
                if nxt and rng.random() < 1 / 12:
                    covered.append(nxt)
                    assign(nxt, instructor)
                    busy.setdefault(instructor.pk, []).append(nxt.pk)
                trips.append(
                    Trip(
                        instructor=instructor,
                        origin="Oberammergau",
                        arrival=s.start - dt.timedelta(days=1),
                        departure=covered[-1].end + dt.timedelta(days=1),
                    )
                )
                covers.append(covered)
    for chunk in _chunks(assignments):
        Assignment.objects.bulk_create(chunk)
    for chunk in _chunks(trips):
        Trip.objects.bulk_create(chunk)
    through = Trip.sessions.through
    links = [
        through(trip_id=tr.pk, session_id=s.pk)
        for tr, cov in zip(trips, covers, strict=True)
        for s in cov
    ]
    for chunk in _chunks(links):
        through.objects.bulk_create(chunk)
    return instructors, assignments, len(trips)


def _big_session(rng, course, people, instructors, countries):
    """An open session next year with 500 nominations in every status, quotas and
    eight instructors: the session page the budgets speak of."""
    from icihub.training.models import Assignment, Nomination, SeatQuota, Session

    start = dt.date(2027, 3, 7)
    session = Session.objects.create(
        course=course,
        reference=BIG_SESSION,
        start=start,
        end=start + dt.timedelta(days=course.duration_days - 1),
        capacity=BIG_NOMINATIONS,
        nomination_deadline=start - dt.timedelta(weeks=8),
        reallocation_date=start - dt.timedelta(weeks=6),
        state="open",
        quotas_released_at=NOW,
    )
    SeatQuota.objects.bulk_create(
        [SeatQuota(session=session, country=countries[c], seats=40) for c in GCC]
    )
    statuses = ["accepted", "accepted", "nominated", "waitlisted", "rejected", "withdrawn"]
    rows = []
    for i, person in enumerate(rng.sample(people, BIG_NOMINATIONS)):
        status = statuses[i % len(statuses)]
        rows.append(
            Nomination(
                session=session,
                participant_id=person.pk,
                country_id=person.country_id,
                priority=i // 6 + 1,
                status=status,
                has_seat=status in ("accepted", "nominated"),
                decision_reason="Not eligible." if status == "rejected" else "",
                nominated_at=NOW,
            )
        )
    Nomination.objects.bulk_create(rows)
    session.seats_taken = sum(n.has_seat for n in rows)
    session.save(update_fields=["seats_taken"])
    roles = ["lead"] + ["instructor"] * 7
    Assignment.objects.bulk_create(
        [
            Assignment(session=session, instructor=instructor, role=role)
            for instructor, role in zip(rng.sample(instructors, 8), roles, strict=True)
        ]
    )
    return session


def _events(rng, unit) -> int:
    from icihub.dialogue.models import Event

    formats = [f for f, _l in Event.Format.choices]
    levels = [lv for lv, _l in Event.Level.choices]
    events = []
    for i in range(max(40, int(2000 * unit))):
        year = FIRST_YEAR + i % YEARS
        day = dt.date(year, 1, 1) + dt.timedelta(days=rng.randint(0, 364))
        precision = rng.random()
        date = (
            day.isoformat()
            if precision < 0.7
            else (day.strftime("%Y-%m") if precision < 0.95 else str(year))
        )
        events.append(
            Event(
                title=f"Benchmark event {i}",
                format=rng.choice(formats),
                level=rng.choice(levels),
                date=date,
                marking=rng.choice(["public", "rel_ici", "rel_ici", "nato"]),
            )
        )
    Event.objects.bulk_create(events, batch_size=1000)
    return len(events)


def _programmes(rng, unit, courses, countries) -> dict:
    from icihub.programmes.models import (
        Delivery,
        PartnerRequest,
        PartnershipGoal,
        Programme,
        ProgrammeItem,
        StrategicObjective,
    )

    programmes, items, deliveries, requests = [], [], [], []
    for iso3 in GCC:
        for start_year in range(FIRST_YEAR, FIRST_YEAR + YEARS, 2):
            programmes.append(
                Programme(
                    country=countries[iso3],
                    kind="ipcp",
                    start_year=start_year,
                    end_year=start_year + 1,
                    state="closed" if start_year < 2025 else "active",
                    submitted_at=NOW,
                    agreed_at=NOW,
                    marking="rel_partner",
                )
            )
    Programme.objects.bulk_create(programmes)
    objectives = [StrategicObjective(programme=p, title="Objective") for p in programmes]
    StrategicObjective.objects.bulk_create(objectives)
    goals = [PartnershipGoal(objective=o, title="Goal") for o in objectives]
    PartnershipGoal.objects.bulk_create(goals)
    for goal, programme in zip(goals, programmes, strict=True):
        for k, course in enumerate(rng.sample(courses, k=30)):
            items.append(
                ProgrammeItem(
                    goal=goal,
                    activity_id=course.pk,
                    planned_year=programme.start_year + k % 2,
                    seats=rng.randint(1, 6),
                )
            )
    for chunk in _chunks(items):
        ProgrammeItem.objects.bulk_create(chunk)
    for item in items:
        if rng.random() < 0.6:
            deliveries.append(
                Delivery(
                    item=item,
                    kind=rng.choice(["expert_visit", "other"]),
                    title="Delivered",
                    delivered_on=dt.date(item.planned_year, rng.randint(1, 12), 15),
                )
            )
    for chunk in _chunks(deliveries):
        Delivery.objects.bulk_create(chunk)
    for i in range(max(40, int(2000 * unit))):
        year = FIRST_YEAR + i % YEARS
        requested = dt.date(year, 1, 1) + dt.timedelta(days=rng.randint(0, 300))
        answered = rng.random() < 0.8
        requests.append(
            PartnerRequest(
                country=countries[rng.choice(GCC)],
                kind=rng.choice(["activity", "expert", "course_seat", "other"]),
                subject=f"Request {i}",
                requested_on=requested,
                state="answered" if answered else "open",
                response="Answered." if answered else "",
                responded_on=requested + dt.timedelta(days=rng.randint(1, 90)) if answered else None,
                marking="rel_partner",
            )
        )
    PartnerRequest.objects.bulk_create(requests, batch_size=1000)
    return {
        "programmes": len(programmes),
        "items": len(items),
        "deliveries": len(deliveries),
        "requests": len(requests),
    }


def _plans(sessions, assignments) -> dict:
    """A published plan per year whose planned sessions are that year's sessions
    (dates, course, instructors), as if the planner had proposed them and staff
    had published them; no solver run."""
    from icihub.planning.models import Plan, PlanCourse, PlannedSession

    team: dict[int, list[int]] = {}
    for a in assignments:
        team.setdefault(a.session.pk, []).append(a.instructor.pk)
    plans = [
        Plan(year=year, version=1, state="published", published_at=NOW, notes="Benchmark plan")
        for year in range(FIRST_YEAR, FIRST_YEAR + YEARS)
    ]
    Plan.objects.bulk_create(plans)
    by_year = {p.year: p for p in plans}
    plan_courses, planned, links = {}, [], []
    for s in sessions:
        plan = by_year[s.start.year]
        key = (plan.pk, s.course_id)
        if key not in plan_courses:
            plan_courses[key] = PlanCourse(
                plan=plan, course_id=s.course_id, duration_days=(s.end - s.start).days + 1
            )
        else:
            plan_courses[key].iterations += 1
        planned.append(
            PlannedSession(
                plan=plan,
                course_id=s.course_id,
                key=f"s{s.pk}",
                start=s.start,
                end=s.end,
                published_as=s,
            )
        )
    for chunk in _chunks(list(plan_courses.values())):
        PlanCourse.objects.bulk_create(chunk)
    for chunk in _chunks(planned):
        PlannedSession.objects.bulk_create(chunk)
    through = PlannedSession.instructors.through
    for p, s in zip(planned, sessions, strict=True):
        for instructor_id in team.get(s.pk, []):
            links.append(through(plannedsession_id=p.pk, instructor_id=instructor_id))
    for chunk in _chunks(links):
        through.objects.bulk_create(chunk)
    return {"plans": len(plans), "planned": len(planned)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=10.0, help="1 = today's volume")
    parser.add_argument("--seed", type=int, default=2017)
    parser.add_argument(
        "--database",
        default=os.environ.get("DATABASE_URL"),
        help="a postgres:// URL (default: DATABASE_URL) or a SQLite file path",
    )
    parser.add_argument("--regenerate", action="store_true", help="build it again")
    args = parser.parse_args()
    database = args.database
    if not database or database.startswith("sqlite:"):
        database = database.removeprefix("sqlite:///") if database else sqlite_path(args.scale)
    data_dir = configure(database)
    if holds(data_dir, args.scale, args.seed) and not args.regenerate:
        print(f"{target_name(database)} already holds the {args.scale:g}x dataset (seed {args.seed}).")
        return 0
    if marker(data_dir).exists() and not args.regenerate:
        raise SystemExit(f"{target_name(database)} holds another dataset: pass --regenerate")
    if not database.startswith("postgres"):
        for suffix in ("", "-wal", "-shm"):
            Path(database + suffix).unlink(missing_ok=True)
    generate(scale=args.scale, seed=args.seed, data_dir=data_dir)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
