"""Benchmark: a programme page with 200 items runs a constant number of
queries (issue 4).

    .venv/bin/python benchmarks/programmes_page.py [--sizes 10,50,200] [--runs 7]

A throw-away SQLite database (migrated, reference data). For each size, an
agreed Kuwaiti programme is built through the services with that many items
(objectives of 4 goals of up to 10 items each, half of them delivered), and
the programme page, its API detail and execution endpoints are timed for
NATO staff and Kuwait's coordinator. The query count must be the same for
every size; exit status 1 when it is not."""

from __future__ import annotations

import argparse
import datetime as dt
import sys

from menu_benchkit import django_on_scratch_db, load_average, measure


def reads(programme, staff, kuwait):

    from icihub.testing import ApiClient, client_for

    staff_client, kuwait_client = client_for(staff), client_for(kuwait)
    api = ApiClient(staff)
    url = programme.get_absolute_url()
    return [
        ("programme page (NATO staff)", lambda: staff_client.get(url)),
        ("programme page (Kuwait's coordinator)", lambda: kuwait_client.get(url)),
        ("GET /api/v1/programmes/{pk}", lambda: api.get(f"programmes/{programme.pk}")),
        (
            "GET /api/v1/programmes/{pk}/execution",
            lambda: api.get(f"programmes/{programme.pk}/execution"),
        ),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,50,200")  # the menu sample grows to fit
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    django_on_scratch_db("programmes-page")

    from icihub.core import audit
    from icihub.core.access import SYSTEM
    from icihub.menu import sample
    from icihub.menu import services as menu_services
    from icihub.menu.models import Activity
    from icihub.partners.models import Country
    from icihub.programmes import services
    from icihub.programmes.models import Delivery, ProgrammeItem
    from icihub.testing import make_user

    with audit.suspended():
        menu_services.import_menu(
            SYSTEM, ("m.csv", sample.csv_bytes(sample.rows(4 * max(sizes) + 50)))
        )
        staff = make_user("nato_staff", username="bench-nato")
        kuwait = make_user("coordinator", "KWT", username="bench-kwt")
    activities = list(
        # Offered without an end and from 2021 on, so every planned year is valid.
        Activity.objects.filter(
            status="active",
            marking__in=["public", "rel_ici"],
            last_year__isnull=True,
            first_year__lte=2021,
        ).order_by("code")
    )
    print(f"load average {load_average()}\n")

    results: dict[str, list] = {}
    for index, size in enumerate(sizes):
        with audit.suspended():
            programme = services.create_programme(
                staff,
                {
                    "country": Country.objects.get(iso3="KWT"),
                    "kind": "itpp",
                    "start_year": 2021 + 6 * index,
                    "end_year": 2021 + 6 * index + 3,
                },
            )
            made = 0
            while made < size:
                objective = services.add_objective(staff, programme, {"title": f"Objective {made}"})
                for g in range(4):
                    if made >= size:
                        break
                    goal = services.add_goal(
                        staff, objective, {"title": f"Goal {g}", "areas": ["cbrn"]}
                    )
                    for _ in range(10):
                        if made >= size:
                            break
                        services.add_item(
                            staff,
                            goal,
                            {"activity": activities[made], "planned_year": programme.start_year},
                        )
                        made += 1
            services.submit(staff, programme)
            services.agree(staff, programme)
            for n, item in enumerate(
                ProgrammeItem.objects.filter(goal__objective__programme=programme)
            ):
                if n % 2 == 0:
                    Delivery.objects.create(
                        item=item,
                        kind="other",
                        title="Delivered",
                        delivered_on=dt.date(2025, 1, 1),
                        participants=2,
                    )
        for label, fn in reads(programme, staff, kuwait):
            wall, cpu, queries = measure(fn, args.runs)
            results.setdefault(label, []).append((size, wall, cpu, queries))

    constant = True
    for label, rows in results.items():
        counts = {q for _s, _w, _c, q in rows}
        constant = constant and len(counts) == 1
        print(label + ("" if len(counts) == 1 else "  QUERIES GROW"))
        for size, wall, cpu, queries in rows:
            print(
                f"  {size:4d} items  {wall:8.1f} ms wall  {cpu:8.1f} ms cpu  {queries:3d} queries"
            )
    return 0 if constant else 1


if __name__ == "__main__":
    sys.exit(main())
