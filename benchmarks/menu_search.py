"""Benchmark: menu search with facets over 1,400 activities answers in under
50 ms on SQLite (issue 4).

    .venv/bin/python benchmarks/menu_search.py [--activities 1400] [--runs 15]

A throw-away SQLite database (migrated, reference data) gets ``--activities``
generated activities through the import service (areas, frameworks,
countries, providers, years, languages). Each line is the median of
``--runs`` calls of the selector (search, facet counts and the first page of
25 activities with their relations) or of the page / endpoint; the target
applies to the selector lines. Exit status 1 when a target is missed."""

from __future__ import annotations

import argparse
import sys

from menu_benchkit import django_on_scratch_db, load_average, measure, report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--activities", type=int, default=1400)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    django_on_scratch_db("menu-search")

    from django.contrib.auth.models import AnonymousUser
    from django.test import Client

    from icihub.core import audit
    from icihub.core.access import SYSTEM
    from icihub.menu import sample, selectors, services
    from icihub.menu.models import Activity
    from icihub.testing import client_for, make_user

    with audit.suspended():
        services.import_menu(SYSTEM, ("bench.csv", sample.csv_bytes(sample.rows(args.activities))))
        staff = make_user("nato_staff", username="bench-nato")
        coordinator = make_user("coordinator", "KWT", username="bench-kwt")
    print(f"{Activity.objects.count()} activities in the menu; load average {load_average()}\n")

    def search(user, params):
        def run():
            result = selectors.search(user, params)
            page = result.activities(user)[:25]
            for a in page:
                list(a.areas.all())
            return result

        return run

    anonymous = AnonymousUser()
    selector_rows = []
    for label, user, params in (
        ("search: everything (NATO staff)", staff, {}),
        ("search: q=cyber (NATO staff)", staff, {"q": "cyber"}),
        (
            "search: q=cyber + area + format (coordinator)",
            coordinator,
            {"q": "cyber", "area": ["cyber-defence"], "format": ["course", "seminar"]},
        ),
        (
            "search: country=KWT + year=2025 (coordinator)",
            coordinator,
            {"country": ["KWT"], "year": ["2025"]},
        ),
        ("search: Arabic q=الامن (anonymous)", anonymous, {"q": "الأمن"}),
        (
            "search: q=management, sort=title (anonymous)",
            anonymous,
            {"q": "management", "sort": "title"},
        ),
    ):
        selector_rows.append((label, *measure(search(user, params), args.runs)))
    print("Selector (search + facets + first page):")
    ok = report(selector_rows, target_ms=50)

    staff_client = client_for(staff)  # signed in, second factor passed
    public = Client()
    htmx = {"HX-Request": "true", "HX-Target": "results"}
    page_rows = []
    for label, fn in (
        ("page /menu/ (staff, full page)", lambda: staff_client.get("/menu/")),
        (
            "page /menu/?q=cyber&area=… (htmx fragment)",
            lambda: staff_client.get("/menu/?q=cyber&area=cyber-defence", headers=htmx),
        ),
        (
            "GET /api/v1/menu/activities?q=cyber",
            lambda: public.get("/api/v1/menu/activities?q=cyber"),
        ),
        ("GET /api/v1/menu/facets?q=cyber", lambda: public.get("/api/v1/menu/facets?q=cyber")),
    ):
        page_rows.append((label, *measure(fn, args.runs)))
    print("\nPages and endpoints (rendering included, for information):")
    report(page_rows)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
