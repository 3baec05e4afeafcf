"""Benchmark: the reallocation job over 3,000 sessions.

    .venv/bin/python benchmarks/training_reallocation.py [--sessions 3000] [--busy 300]

Target: under 5 s. Runs on a throw-away SQLite database with ``--sessions``
sessions open for nominations whose reallocation date has come (the worst day
imaginable: every session of twenty years due at once). Each session has
quotas for five ICI/GCC states and six seats held; ``--busy`` of them also have
waiting nominees (two from Kuwait, beyond its quota, and two from Saudi Arabia,
which has no quota) and free seats, so four nominees per busy session are
promoted in the fair order, each with an audit entry and a "promoted" e-mail
(Django's in-memory mail backend: rendering and sending, no network). Timed:
``icihub.training.services.reallocate`` as the daily ``icihub reallocate-seats``
runs it, e-mails included."""

from __future__ import annotations

import argparse
import datetime as dt
import time

from training_common import scratch_django, staff_and_course


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=3000)
    parser.add_argument("--busy", type=int, default=300)
    args = parser.parse_args()
    scratch_django("realloc")

    from django.core import mail
    from django.db import transaction
    from django.utils import timezone

    from icihub.core import audit
    from icihub.partners.models import Country
    from icihub.training import services
    from icihub.training.models import Nomination, Participant, SeatQuota, Session

    staff, course = staff_and_course()
    countries = {
        c.iso3: c
        for c in Country.objects.filter(iso3__in=["KWT", "BHR", "QAT", "ARE", "OMN", "SAU"])
    }
    today = timezone.localdate()
    people = {iso3: [] for iso3 in countries}
    for iso3, country in countries.items():
        for i in range(5):
            p = Participant(
                given_name=f"Given{i}",
                family_name=f"{iso3}{i}",
                country=country,
                service="army",
                email=f"p{i}@{iso3.lower()}.example",
            )
            p.prepare()
            people[iso3].append(p)
    with audit.suspended(), transaction.atomic():
        Participant.objects.bulk_create([p for group in people.values() for p in group])
        sessions = []
        for i in range(args.sessions):
            start = today + dt.timedelta(days=10 + i % 30)
            sessions.append(
                Session(
                    course=course,
                    reference=f"BENCH-{i:05d}",
                    start=start,
                    end=start + dt.timedelta(days=4),
                    capacity=20,
                    nomination_deadline=start - dt.timedelta(days=7),
                    reallocation_date=today - dt.timedelta(days=i % 3),
                    state="open",
                    seats_taken=6,
                )
            )
        Session.objects.bulk_create(sessions, batch_size=500)
        quotas, nominations = [], []

        def nominate(session, iso3: str, k: int, holds_seat: bool) -> None:
            nominations.append(
                Nomination(
                    session=session,
                    participant=people[iso3][k],
                    country=countries[iso3],
                    priority=k + 1,
                    status="accepted" if holds_seat else "waitlisted",
                    has_seat=holds_seat,
                )
            )

        for index, session in enumerate(sessions):
            for iso3 in ("KWT", "BHR", "QAT", "ARE", "OMN"):
                quotas.append(SeatQuota(session=session, country=countries[iso3], seats=3))
            for k in range(3):
                for iso3 in ("KWT", "QAT"):
                    nominate(session, iso3, k, holds_seat=True)
            if index < args.busy:
                for k in (3, 4):
                    for iso3 in ("KWT", "SAU"):
                        nominate(session, iso3, k, holds_seat=False)
        SeatQuota.objects.bulk_create(quotas, batch_size=1000)
        Nomination.objects.bulk_create(nominations, batch_size=1000)
    print(
        f"{len(sessions)} sessions due, {args.busy} with waiting nominees; "
        f"{Nomination.objects.count()} nominations"
    )
    lines = []
    started = time.perf_counter()
    report = services.reallocate(today, progress=lines.append)
    elapsed = time.perf_counter() - started
    for line in lines[-3:]:
        print(line)
    print(f"e-mails sent: {len(mail.outbox)}")
    assert report.released == args.sessions
    assert len(report.promoted) == 4 * args.busy
    assert Session.objects.filter(quotas_released_at__isnull=True).count() == 0
    print(f"reallocation {elapsed:6.2f} s  (target < 5 s: {'met' if elapsed < 5 else 'NOT met'})")
    return 0 if elapsed < 5 else 1


if __name__ == "__main__":
    raise SystemExit(main())
