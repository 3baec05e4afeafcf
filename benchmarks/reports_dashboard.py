"""Benchmark: the dashboard page on twenty years of the Centre at ten times
today's volume (SQLite). Target: under 0.3 s.

    .venv/bin/python benchmarks/reports_dashboard.py [--year 2025] [--runs 15] [--scale 10] [--database URL]

Timed: ``GET /reports/?year=YEAR`` with Django's test client, signed in as a
NATO staff member (second factor passed) and as Kuwait's coordinator: the
whole request, from the middleware to the rendered HTML with its charts. Also
measured: a filtered dashboard (country and area), the htmx fragment, a
drill-down list and the home page."""

from __future__ import annotations

from reports_common import arguments, median_ms, setup


def main() -> int:
    parser = arguments(__doc__)
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    setup(args)

    from icihub.core.models import User
    from icihub.testing import client_for

    nato = client_for(User.objects.get(username="nato"))
    kuwait = client_for(User.objects.get(username="kuwait"))
    year = {"year": args.year}
    checks = [
        ("dashboard, NATO staff", nato, "/reports/", year, {}, True),
        ("dashboard, coordinator", kuwait, "/reports/", year, {}, True),
        (
            "dashboard, NATO staff, country and area",
            nato,
            "/reports/",
            {**year, "country": "KWT", "area": "crisis-management"},
            {},
            False,
        ),
        (
            "htmx fragment, NATO staff",
            nato,
            "/reports/",
            year,
            {"HX-Request": "true", "HX-Target": "figures"},
            False,
        ),
        (
            "records: officers trained (page 1 of 50)",
            nato,
            "/reports/records/trained/",
            year,
            {},
            False,
        ),
        ("home page, NATO staff", nato, "/", {}, {}, False),
    ]
    failed = False
    for label, client, path, params, headers, target in checks:
        response = client.get(path, params, headers=headers)
        assert response.status_code == 200, (label, response.status_code)
        ms, worst, queries = median_ms(
            lambda c=client, p=path, q=params, h=headers: c.get(p, q, headers=h), args.runs
        )
        verdict = ""
        if target:
            verdict = "  [target < 300 ms: " + ("OK]" if ms < 300 else "TOO SLOW]")
            failed = failed or ms >= 300
        print(f"{label}: median {ms:.0f} ms (slowest {worst:.0f} ms), {queries} queries{verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
