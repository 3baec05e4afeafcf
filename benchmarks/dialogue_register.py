"""Benchmark of the dialogue register: the timeline, the event list page and
the list endpoint over a register much larger than the real one (KUNA counted
101 political-dialogue events at the Centre to April 2025).

    .venv/bin/python benchmarks/dialogue_register.py [--events 2000] [--runs 7]

Runs on a throw-away SQLite database in a temporary directory (migrated, the
reference data loaded, ``--events`` generated events with 3 participants, 2
topics and 2 follow-up actions each). Prints the median wall time and the SQL
query count of each read; the query counts must not depend on the size."""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="icihub-bench-dialogue-")
    os.environ["ICIHUB_DATA_DIR"] = tmp
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "icihub.settings")
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    setup_test_environment()
    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    from icihub.core import audit
    from icihub.core.reference import load_all

    with audit.suspended():
        load_all(progress=lambda line: None)
        generate(args.events)

    from django.contrib.auth.models import AnonymousUser

    from icihub.dialogue import selectors
    from icihub.testing import client_for, make_user

    with audit.suspended():
        staff = make_user("nato_staff", username="bench-nato")
        coordinator = make_user("coordinator", "KWT", username="bench-kwt")
    staff_client = client_for(staff)  # signed in, second factor passed
    anonymous = Client()

    reads = {
        "timeline (anonymous, selector)": lambda: selectors.timeline(AnonymousUser()),
        "timeline (Kuwait's coordinator, country=KWT)": lambda: selectors.timeline(
            coordinator, country="KWT"
        ),
        "timeline page (staff)": lambda: staff_client.get("/dialogue/timeline/"),
        "event list page (staff, page 1)": lambda: staff_client.get("/dialogue/"),
        "event list page (filter country+topic)": lambda: staff_client.get(
            "/dialogue/?country=KWT&topic=cyber-defence"
        ),
        "GET /api/v1/dialogue/events?limit=1000": lambda: anonymous.get(
            "/api/v1/dialogue/events?limit=1000"
        ),
        "action list page (staff, overdue)": lambda: staff_client.get(
            "/dialogue/actions/?overdue=1"
        ),
    }
    from icihub.dialogue.models import Event, FollowUpAction

    print(
        f"dialogue register: {Event.objects.count()} events, "
        f"{FollowUpAction.objects.count()} actions, SQLite, {args.runs} runs each"
    )
    for name, read in reads.items():
        read()  # warm
        times = []
        for _ in range(args.runs):
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                result = read()
                times.append((time.perf_counter() - start) * 1000)
            status = getattr(result, "status_code", 200)
            assert status == 200, (name, status)
        print(f"  {name:<48} median {statistics.median(times):8.1f} ms  {len(queries):3d} queries")


def generate(count: int) -> None:
    import datetime as dt
    import random

    from icihub.core.access import Marking
    from icihub.dialogue.models import Event, FollowUpAction, Participant
    from icihub.menu.models import Area
    from icihub.partners.models import Country, Organisation

    rng = random.Random(2004)
    countries = list(Country.objects.filter(iso3__in=["BHR", "KWT", "QAT", "ARE", "SAU", "OMN"]))
    areas = list(Area.objects.all())
    org = Organisation.objects.get(slug="nato-pasp")
    markings = [Marking.PUBLIC, Marking.REL_ICI, Marking.REL_PARTNER, Marking.NATO]
    events = []
    for i in range(count):
        year = rng.randint(2005, 2026)
        month = rng.randint(1, 12)
        marking = rng.choice(markings)
        events.append(
            Event(
                title=f"Generated event {i}",
                format=rng.choice(Event.Format.values),
                date=f"{year}-{month:02d}",
                level=rng.choice(Event.Level.values),
                marking=marking,
                country=rng.choice(countries) if marking == Marking.REL_PARTNER else None,
                summary="Generated for the benchmark.",
                provenance=Event.Provenance.DEMO,
                search_text=f"generated event {i}",
            )
        )
    Event.objects.bulk_create(events, batch_size=500)
    participants, links, actions = [], [], []
    Topic = Event.topics.through
    today = dt.date.today()
    for event in events:
        for country in rng.sample(countries, 3):
            participants.append(Participant(event=event, country=country, role="member"))
        for area in rng.sample(areas, 2):
            links.append(Topic(event_id=event.pk, area_id=area.pk))
        for j in range(2):
            actions.append(
                FollowUpAction(
                    event=event,
                    description=f"Action {j}",
                    owner_organisation=org,
                    due=today + dt.timedelta(days=rng.randint(-400, 400)),
                )
            )
    Participant.objects.bulk_create(participants, batch_size=1000)
    Topic.objects.bulk_create(links, batch_size=1000)
    FollowUpAction.objects.bulk_create(actions, batch_size=1000)


if __name__ == "__main__":
    main()
