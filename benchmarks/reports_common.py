"""Shared set-up of the reports benchmarks: twenty years of the Centre at ten
times today's volume in a SQLite file, generated once (``bulk_create``, with
progress) and reused by ``reports_annual.py`` and ``reports_dashboard.py``.
Not a benchmark itself; ``reports_generate.py`` runs the generator alone.

The dataset (defaults): 2007-2026, 150 sessions a year (3,000) of 60 courses,
100,000 participants of the six GCC states and a few others, 150,000
nominations (50 a session: 80% accepted with outcomes -- 90% completed, 6% not
completed, 4% no-shows --, 8% withdrawn, 6% rejected, 6% still waiting), seat
quotas, 1,500 instructors with about 30,000 trips (one in twelve covering two
back-to-back sessions) and their assignments, level-1 evaluations from 60% of
those who attended, 2,000 dialogue events, 60 individual programmes (two-year
IPCPs of the six states) with 1,800 activities (60% delivered) and 2,000
partners' requests. Per-day
attendance rows are not generated: the figures read the outcomes."""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import random
import sys
import time
from pathlib import Path

from timing import measure

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

DEFAULT_DIR = "/tmp/icihub-bench-reports"
FIRST_YEAR, YEARS = 2007, 20


def arguments(description: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--data-dir", default=DEFAULT_DIR, help="where the SQLite file lives")
    parser.add_argument("--regenerate", action="store_true", help="build the dataset again")
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 10x today's volume")
    return parser


def setup(data_dir: str, *, regenerate: bool = False, scale: float = 1.0) -> None:
    """Django on ``data_dir``'s SQLite file, with the dataset (generated if missing)."""
    path = Path(data_dir)
    if regenerate and path.exists():
        for name in ("icihub.sqlite3", "icihub.sqlite3-wal", "icihub.sqlite3-shm", "ready"):
            (path / name).unlink(missing_ok=True)
    path.mkdir(parents=True, exist_ok=True)
    os.environ["ICIHUB_DATA_DIR"] = str(path)
    os.environ["DJANGO_SETTINGS_MODULE"] = "icihub.settings"
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["*"]
    if not (path / "ready").exists():
        generate(scale=scale)
        (path / "ready").write_text("ok\n")


def progress(text: str) -> None:
    print(f"  {text}", flush=True)


def generate(*, scale: float = 1.0, seed: int = 2017) -> None:
    from django.core.management import call_command

    started = time.perf_counter()
    print("Generating twenty years of the Centre (10x today's volume)…", flush=True)
    call_command("migrate", verbosity=0)
    from icihub.core import audit
    from icihub.core.reference import load_all

    with audit.suspended():
        load_all(progress=lambda line: None)
    progress(f"migrated, reference data loaded ({time.perf_counter() - started:.1f} s)")
    collecting = gc.isenabled()
    gc.disable()
    try:
        with audit.suspended():
            _generate(random.Random(seed), scale, started)
    finally:
        if collecting:
            gc.enable()
    print(f"Dataset ready in {time.perf_counter() - started:.1f} s.", flush=True)


def _chunks(rows, size=5000):
    for i in range(0, len(rows), size):
        yield rows[i : i + size]


def _generate(rng: random.Random, scale: float, started: float) -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    from icihub.core.models import User
    from icihub.dialogue.models import Event
    from icihub.menu.models import Area
    from icihub.partners.models import Country, Framework, Organisation
    from icihub.programmes.models import (
        Delivery,
        PartnerRequest,
        PartnershipGoal,
        Programme,
        ProgrammeItem,
        StrategicObjective,
    )
    from icihub.training.models import (
        SCORE_FIELDS,
        Assignment,
        Course,
        Evaluation,
        Instructor,
        Nomination,
        Participant,
        SeatQuota,
        Session,
        Trip,
    )

    def t() -> str:
        return f"{time.perf_counter() - started:.1f} s"

    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=OFF")

    sessions_per_year = max(1, int(150 * scale))
    people_total = max(100, int(100_000 * scale))
    per_session = 50
    gcc = ["KWT", "BHR", "QAT", "ARE", "SAU", "OMN"]
    others = ["JOR", "EGY", "MAR"]
    countries = {c.iso3: c for c in Country.objects.filter(iso3__in=gcc + others + ["ITA"])}
    weights = [0.3, 0.14, 0.14, 0.14, 0.12, 0.1, 0.02, 0.02, 0.02]
    areas = list(Area.objects.all())
    orgs = list(
        Organisation.objects.filter(
            slug__in=[
                "nato-school",
                "jallc",
                "marcom",
                "nmiotc",
                "ccdcoe",
                "nato-defense-college",
                "coe-dat",
                "nato-pasp",
            ]
        )
    )
    ici = Framework.objects.get(code="ici")
    now = timezone.now()

    with transaction.atomic():
        staff = User.objects.create_user("nato", password="bench", role="nato_staff")
        User.objects.create_user(
            "kuwait", password="bench", role="coordinator", country=countries["KWT"]
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

        people = []
        for i in range(people_total):
            iso3 = rng.choices(gcc + others, weights)[0]
            p = Participant(
                given_name=f"Given{i}",
                family_name=f"Family{i % 997}",
                country=countries[iso3],
                service=rng.choice(
                    ["army", "navy", "air_force", "national_guard", "police", "ministry"]
                ),
                rank_code=rng.choice(
                    ["OF-1", "OF-2", "OF-3", "OF-3", "OF-4", "OF-5", "OF-6", "OR-7", "CIV"]
                ),
            )
            p.prepare()
            people.append(p)
        for chunk in _chunks(people):
            Participant.objects.bulk_create(chunk)
        by_country = {}
        for p in people:
            by_country.setdefault(p.country_id, []).append(p.pk)
        progress(f"{len(people):,} participants ({t()})")

        sessions = []
        for year in range(FIRST_YEAR, FIRST_YEAR + YEARS):
            for k in range(sessions_per_year):
                course = courses[k % len(courses)]
                start = dt.date(year, 1, 8) + dt.timedelta(days=(k * 350) // sessions_per_year)
                state = "completed"
                if rng.random() < 0.03:
                    state = "cancelled"
                sessions.append(
                    Session(
                        course=course,
                        reference=f"{course.code}-{start.isoformat()}-{k}",
                        start=start,
                        end=start + dt.timedelta(days=course.duration_days - 1),
                        capacity=per_session,
                        nomination_deadline=start - dt.timedelta(weeks=8),
                        reallocation_date=start - dt.timedelta(weeks=6),
                        state=state,
                        cancel_reason="benchmark" if state == "cancelled" else "",
                        quotas_released_at=now,
                    )
                )
        Session.objects.bulk_create(sessions, batch_size=1000)
        progress(f"{len(sessions):,} sessions ({t()})")

        quotas, nominations = [], []
        nomination_count = int(150_000 * scale)
        per = max(1, nomination_count // len(sessions))
        for session in sessions:
            chosen = set()
            seats = 0
            for iso3 in gcc:
                quotas.append(
                    SeatQuota(session=session, country=countries[iso3], seats=rng.randint(4, 8))
                )
            for position in range(per):
                iso3 = rng.choices(gcc + others, weights)[0]
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
                        outcome = (
                            "completed" if o < 0.9 else ("not_completed" if o < 0.96 else "no_show")
                        )
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
                        nominated_at=now,
                    )
                )
            session.seats_taken = seats
        for chunk in _chunks(quotas):
            SeatQuota.objects.bulk_create(chunk)
        for i, chunk in enumerate(_chunks(nominations, 10000), start=1):
            Nomination.objects.bulk_create(chunk)
            progress(f"  nominations {min(i * 10000, len(nominations)):,}/{len(nominations):,}")
        Session.objects.bulk_update(sessions, ["seats_taken"], batch_size=1000)
        progress(f"{len(quotas):,} seat quotas, {len(nominations):,} nominations ({t()})")

        evaluations = []
        for n in nominations:
            if n.outcome in ("completed", "not_completed") and rng.random() < 0.6:
                base = rng.choice([3, 4, 4, 5])
                evaluations.append(
                    Evaluation(
                        nomination_id=n.pk,
                        submitted_at=now,
                        **{
                            f: min(5, max(1, base + rng.choice([-1, 0, 0, 1])))
                            for f in SCORE_FIELDS
                        },
                    )
                )
        for chunk in _chunks(evaluations):
            Evaluation.objects.bulk_create(chunk)
        progress(f"{len(evaluations):,} evaluations ({t()})")

        instructors = []
        for i in range(max(10, int(1500 * scale))):
            instructors.append(
                Instructor(
                    full_name=f"Instructor {i}",
                    organisation=rng.choice(orgs),
                    country=countries["ITA"],
                )
            )
        Instructor.objects.bulk_create(instructors, batch_size=1000)
        assignments, trips, covers = [], [], []
        by_year: dict[int, list] = {}
        for s in sessions:
            by_year.setdefault(s.start.year, []).append(s)
        for year_sessions in by_year.values():
            busy: dict[int, list] = {}
            for index, s in enumerate(year_sessions):
                team = rng.sample(instructors, k=rng.randint(8, 12))
                for instructor in team:
                    assignments.append(
                        Assignment(session=s, instructor=instructor, role="instructor")
                    )
                    if s.pk in busy.get(instructor.pk, []):
                        continue
                    covered = [s]
                    nxt = year_sessions[index + 1] if index + 1 < len(year_sessions) else None
                    if nxt and rng.random() < 1 / 12:
                        covered.append(nxt)
                        assignments.append(
                            Assignment(session=nxt, instructor=instructor, role="instructor")
                        )
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
        seen = set()
        unique_assignments = []
        for a in assignments:
            key = (a.session.pk, a.instructor.pk)
            if key not in seen:
                seen.add(key)
                unique_assignments.append(a)
        for chunk in _chunks(unique_assignments):
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
        progress(
            f"{len(instructors):,} instructors, {len(unique_assignments):,} assignments, "
            f"{len(trips):,} trips ({t()})"
        )

        formats = [f for f, _l in Event.Format.choices]
        levels = [lv for lv, _l in Event.Level.choices]
        events = []
        for i in range(int(2000 * scale)):
            year = FIRST_YEAR + i % YEARS
            day = dt.date(year, 1, 1) + dt.timedelta(days=rng.randint(0, 364))
            precision = rng.random()
            date = (
                day.isoformat()
                if precision < 0.7
                else (day.strftime("%Y-%m") if precision < 0.95 else str(year))
            )
            marking = rng.choice(["public", "rel_ici", "rel_ici", "nato"])
            events.append(
                Event(
                    title=f"Benchmark event {i}",
                    format=rng.choice(formats),
                    level=rng.choice(levels),
                    date=date,
                    marking=marking,
                )
            )
        Event.objects.bulk_create(events, batch_size=1000)
        progress(f"{len(events):,} dialogue events ({t()})")

        programmes, objectives, goals, items, deliveries, requests = [], [], [], [], [], []
        for iso3 in gcc:
            for start_year in range(FIRST_YEAR, FIRST_YEAR + YEARS, 2):
                programmes.append(
                    Programme(
                        country=countries[iso3],
                        kind="ipcp",
                        start_year=start_year,
                        end_year=start_year + 1,
                        state="closed" if start_year < 2025 else "active",
                        submitted_at=now,
                        agreed_at=now,
                        marking="rel_partner",
                    )
                )
        Programme.objects.bulk_create(programmes)
        for programme in programmes:
            objectives.append(StrategicObjective(programme=programme, title="Objective"))
        StrategicObjective.objects.bulk_create(objectives)
        for objective in objectives:
            goals.append(PartnershipGoal(objective=objective, title="Goal"))
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
        for i in range(int(2000 * scale)):
            year = FIRST_YEAR + i % YEARS
            requested = dt.date(year, 1, 1) + dt.timedelta(days=rng.randint(0, 300))
            answered = rng.random() < 0.8
            requests.append(
                PartnerRequest(
                    country=countries[rng.choice(gcc)],
                    kind=rng.choice(["activity", "expert", "course_seat", "other"]),
                    subject=f"Request {i}",
                    requested_on=requested,
                    state="answered" if answered else "open",
                    response="Answered." if answered else "",
                    responded_on=requested + dt.timedelta(days=rng.randint(1, 90))
                    if answered
                    else None,
                    marking="rel_partner",
                )
            )
        PartnerRequest.objects.bulk_create(requests, batch_size=1000)
        progress(
            f"{len(programmes)} programmes, {len(items):,} activities, {len(deliveries):,} "
            f"deliveries, {len(requests):,} requests ({t()})"
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    progress(f"analysed ({t()})")
    del staff


def median_ms(fn, runs: int) -> tuple[float, float, int]:
    """Median and slowest wall time (ms) of ``runs`` calls after a warm-up, and
    the number of SQL queries of one call."""
    return tuple(measure(fn, runs))
