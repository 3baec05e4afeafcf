"""Benchmark: the annual report's figures on twenty years of the Centre at ten
times today's volume (SQLite). Target: under 0.5 s.

    .venv/bin/python benchmarks/reports_annual.py [--year 2025] [--runs 10] [--scale 10] [--database URL]

Timed: ``reports.report.build_annual`` for a NATO staff member (every figure,
its fifteen tables with their charts, the published figures and the snapshot
check), i.e. everything the report contains before it is written to a file.
Also measured, for information: the same for a national coordinator, the JSON
and XLSX files, and the PDF."""

from __future__ import annotations

import time

from reports_common import arguments, median_ms, setup


def main() -> int:
    parser = arguments(__doc__)
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    setup(args)

    from icihub.core import audit
    from icihub.core.models import User
    from icihub.reports import exports
    from icihub.reports import report as reports
    from icihub.reports.scope import Period, Scope

    nato = User.objects.get(username="nato")
    kuwait = User.objects.get(username="kuwait")
    period = Period.of_year(args.year)

    def annual(user):
        return reports.build_annual(Scope.for_user(user, period))

    report = annual(nato)
    print(f"{report.summary}")
    ms, worst, queries = median_ms(lambda: annual(nato), args.runs)
    verdict = "OK" if ms < 500 else "TOO SLOW"
    print(
        f"annual report figures, NATO staff: median {ms:.0f} ms (slowest {worst:.0f} ms), "
        f"{queries} queries  [target < 500 ms: {verdict}]"
    )
    ms_c, worst_c, queries_c = median_ms(lambda: annual(kuwait), args.runs)
    print(
        f"annual report figures, coordinator: median {ms_c:.0f} ms (slowest {worst_c:.0f} ms), "
        f"{queries_c} queries"
    )
    with audit.suspended():
        for fmt in ("json", "xlsx", "pdf"):
            start = time.perf_counter()
            content = getattr(exports, f"render_{fmt}")(report)
            print(f"  {fmt}: {(time.perf_counter() - start) * 1000:.0f} ms, {len(content):,} bytes")
    return 0 if ms < 500 else 1


if __name__ == "__main__":
    raise SystemExit(main())
