"""Synthetic years for the benchmark and the tests: courses, travelling
instructors from NATO bodies with their unavailable weeks, partners' requested
periods, on a given calendar. Deterministic for a seed."""

from __future__ import annotations

import datetime as dt
import random

from . import engine as e

ORGANISATIONS = (
    "NATO School Oberammergau",
    "JALLC Lisbon",
    "MARCOM Northwood",
    "NATO Defense College",
    "CCDCOE Tallinn",
    "JCBRN Defence COE Vyskov",
    "ENSEC COE Vilnius",
    "NMIOTC Souda Bay",
    "COE-DAT Ankara",
    "CMDR COE Sofia",
    "SHAPE Mons",
    "Kuwait Ministry of Defence",  # local: no trips
)


def year(
    calendar: e.Calendar,
    *,
    courses: int = 25,
    sessions: int = 40,
    instructors: int = 120,
    organisations: int = 12,
    rooms: int = 2,
    seed: int = 2027,
) -> e.Problem:
    rng = random.Random(seed)
    orgs = list(ORGANISATIONS[:organisations])
    people = {}
    by_org = {o: [] for o in orgs}
    for i in range(1, instructors + 1):
        org = orgs[(i - 1) % len(orgs)]
        away = []
        for _ in range(rng.randint(0, 3)):
            start = calendar.first + dt.timedelta(days=rng.randint(0, calendar.days - 30))
            away.append(e.Period(start, start + dt.timedelta(days=rng.randint(6, 27))))
        local = org.startswith("Kuwait")
        people[i] = e.Instructor(
            i, f"Instructor {i}", org, 0 if local else rng.choice((1, 1, 2)), tuple(away)
        )
        by_org[org].append(i)
    iterations = [1] * courses
    for k in range(sessions - courses):
        iterations[k % courses] += 1
    out = []
    for c in range(1, courses + 1):
        org = orgs[(c - 1) % len(orgs)]
        pool = by_org[org]
        qualified = tuple(sorted(rng.sample(pool, min(len(pool), rng.randint(3, 5)))))
        duration = rng.choice((3, 4, 5, 5, 5, 5, 10))
        months = (
            tuple(sorted(rng.sample(range(1, 13), rng.randint(2, 4)))) if rng.random() < 0.6 else ()
        )
        requested = ()
        if rng.random() < 0.4:
            quarter = rng.randint(1, 4)
            first = dt.date(calendar.year, 3 * quarter - 2, 1)
            last = dt.date(calendar.year, 3 * quarter, 28)
            requested = (e.Period(first, last, f"Q{quarter}"),)
        out.append(
            e.Course(
                c,
                f"NIRC-{c:03d}",
                duration,
                iterations[c - 1],
                qualified,
                needed=1 if rng.random() < 0.7 else 2,
                min_gap=rng.choice((28, 42, 60)),
                preferred_months=months,
                requested=requested,
            )
        )
    return e.Problem(calendar, tuple(out), people, rooms=rooms)
