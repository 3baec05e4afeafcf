"""The reports' background work (icihub.core.jobs; run by ``icihub worker``).

Building an annual report file (PDF with charts, XLSX) takes seconds to
minutes on a full year: it is a queued task (:func:`build_annual_file`), not
work for a web request. Each night the files of the current and the previous
year are rebuilt as the system's (every record; the file carries its
marking) into ``ICIHUB_DATA_DIR/reports/``, for the operator to hand out or
publish; ``icihub report annual`` builds one on demand."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from icihub.core.jobs import scheduled

FILE_FORMATS = ("pdf", "xlsx")


def reports_dir() -> Path:
    return Path(settings.DATA_DIR) / "reports"


@task()
def build_annual_file(year: int, file_format: str) -> dict:
    """Build the system's annual report of ``year`` as ``file_format`` into
    ``reports_dir()`` (written under a temporary name, then renamed: a reader
    never sees half a file). Returns the file's name, size and marking."""
    from . import exports
    from . import report as reports
    from .scope import Period, Scope, parse_year

    year = parse_year(year)
    if file_format not in exports.FORMATS:
        raise ValueError(f"unknown report format {file_format!r}")
    report = reports.build_annual(Scope.system(Period.of_year(year)))
    result = exports.export(report, file_format)
    folder = reports_dir()
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"annual-{year}.{file_format}"
    partial = target.with_name(f".{target.name}.partial")
    partial.write_bytes(result.content)
    partial.replace(target)
    return {"file": target.name, "bytes": len(result.content), "marking": result.marking.value}


@scheduled("annual-report-files", daily_at=dt.time(1, 30))
def annual_report_files(run) -> str:
    """Queue the rebuild of this year's and last year's annual report files."""
    this_year = timezone.localdate(run.due_at).year
    queued = 0
    for year in (this_year - 1, this_year):
        for file_format in FILE_FORMATS:
            build_annual_file.enqueue(year, file_format)
            queued += 1
    return f"{queued} annual report files queued ({this_year - 1}, {this_year}: pdf, xlsx)"
