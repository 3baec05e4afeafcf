"""Benchmark: a session page with 500 nominations, and the nominations API list.

    .venv/bin/python benchmarks/training_session_page.py [--nominations 500] [--runs 15]

Target: a constant number of SQL queries (the same with 50 and with 500
nominations) and under 100 ms each on SQLite. Runs on a throw-away SQLite
database: one open session of a course open to the ICI, with nominations from
the six GCC states in every status (seats held, accepted, waiting, rejected,
withdrawn), an instructor and quotas. Timed through Django's test client as a
signed-in Centre staff member (the page) and with a bearer token (the API,
``/api/v1/training/nominations?session=<id>``, default page of 50 and
``limit=500``). Prints the median of ``--runs`` requests and the query count."""

from __future__ import annotations

import argparse
import datetime as dt

from training_common import median_ms, scratch_django, staff_and_course

COUNTRIES = ["KWT", "BHR", "QAT", "ARE", "SAU", "OMN"]


def grow(session, start: int, count: int, staff):
    from django.db.models import F
    from django.utils import timezone

    from icihub.core import audit
    from icihub.partners.models import Country
    from icihub.training.models import Nomination, Participant, Session

    countries = {c.iso3: c for c in Country.objects.filter(iso3__in=COUNTRIES)}
    people = []
    for i in range(start, start + count):
        iso3 = COUNTRIES[i % 6]
        p = Participant(
            given_name=f"Given{i}",
            family_name=f"Family{i}",
            name_ar="محمد العنزي",
            country=countries[iso3],
            service="army",
            rank="Major",
            rank_code="OF-3",
            email=f"p{i}@{iso3.lower()}.example",
        )
        p.prepare()
        people.append(p)
    Participant.objects.bulk_create(people)
    statuses = ["accepted", "accepted", "nominated", "waitlisted", "rejected", "withdrawn"]
    rows = []
    for i, person in enumerate(people, start=start):
        status = statuses[i % len(statuses)]
        rows.append(
            Nomination(
                session=session,
                participant=person,
                country=person.country,
                priority=i // 6 + 1,
                status=status,
                has_seat=status in ("accepted", "nominated"),
                decision_reason="Not eligible." if status == "rejected" else "",
                decided_by=staff if status in ("accepted", "rejected") else None,
                decided_at=timezone.now() if status in ("accepted", "rejected") else None,
            )
        )
    with audit.suspended():
        Nomination.objects.bulk_create(rows)
    seats = sum(1 for n in rows if n.has_seat)
    Session.objects.filter(pk=session.pk).update(
        seats_taken=F("seats_taken") + seats, capacity=F("capacity") + seats
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--nominations", type=int, default=500)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    scratch_django("session")

    from django.test import Client
    from django.utils import timezone

    from icihub.core import audit
    from icihub.core.access import SYSTEM
    from icihub.core.services import create_token
    from icihub.partners.models import Country, Organisation
    from icihub.testing import client_for
    from icihub.training import services

    staff, course = staff_and_course()
    with audit.suspended():
        session = services.create_session(
            staff,
            course,
            {"start": timezone.localdate() + dt.timedelta(weeks=10), "capacity": 10},
            quotas=dict.fromkeys(Country.objects.filter(iso3__in=COUNTRIES), 1),
        )
        services.change_state(staff, session, "open")
        instructor = services.create_instructor(
            staff,
            {
                "full_name": "Marco Bianchi",
                "organisation": Organisation.objects.get(slug="nato-school"),
                "country": Country.objects.get(iso3="ITA"),
            },
        )
        services.assign(staff, session, instructor, "lead")
    page = client_for(staff)  # signed in, second factor passed
    _token, raw = create_token(SYSTEM, staff, name="bench")
    api = Client(headers={"Authorization": f"Bearer {raw}"})
    page_url = f"/training/sessions/{session.pk}/"
    api_url = f"/api/v1/training/nominations?session={session.pk}"

    def check(response):
        assert response.status_code == 200, response.status_code
        return response

    reads = {
        "session page": lambda: check(page.get(page_url)),
        "API list (50 per page)": lambda: check(api.get(api_url)),
        "API list (limit=500)": lambda: check(api.get(api_url + "&limit=500")),
    }
    results = {}
    for size in (50, args.nominations):
        current = session.nominations.count()
        grow(session, current, size - current, staff)
        for name, fn in reads.items():
            results[(name, size)] = median_ms(fn, args.runs)
    body = page.get(page_url).content.decode()
    assert body.count("data-nomination=") == args.nominations
    ok = True
    print(
        f"{'read':<24} {'ms @50':>8} {'q @50':>6} {f'ms @{args.nominations}':>9} {f'q @{args.nominations}':>7}"
    )
    for name in reads:
        small_ms, small_q = results[(name, 50)]
        big_ms, big_q = results[(name, args.nominations)]
        constant = small_q == big_q
        fast = big_ms < 100
        ok = ok and constant and fast
        print(
            f"{name:<24} {small_ms:8.1f} {small_q:6d} {big_ms:9.1f} {big_q:7d}"
            f"  {'constant' if constant else 'GROWS'}, {'< 100 ms' if fast else 'SLOW'}"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
