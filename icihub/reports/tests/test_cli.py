"""icihub report annual|country: files written, progress shown, bad input refused."""

from __future__ import annotations

import json

import pytest
from openpyxl import load_workbook

from icihub.core.models import AuditEntry
from icihub.testing import run_cli

pytestmark = pytest.mark.django_db


def test_annual_report_from_the_command_line(year, tmp_path):
    the_year = str(year.sessions["s1"].start.year)
    target = tmp_path / "annual.json"
    result = run_cli(
        "report", "annual", "--year", the_year, "--format", "json", "--output", str(target)
    )
    assert result.code == 0, result.err
    assert "table 1/" in result.out and "rendering JSON" in result.out  # progress
    assert f"{target} written" in result.out
    data = json.loads(target.read_text())
    assert data["generated_by"] == "system"
    assert data["figures"]["trained"]["value"] == 6
    entry = AuditEntry.objects.filter(action="export").order_by("-id").first()
    assert entry.via == "cli" and entry.changes["format"] == "json"
    for fmt in ("pdf", "xlsx", "csv"):
        path = tmp_path / f"annual.{fmt}"
        result = run_cli("report", "annual", "--year", the_year, "--format", fmt, "-o", str(path))
        assert result.code == 0, result.err
        assert path.stat().st_size > 500
    assert load_workbook(tmp_path / "annual.xlsx").sheetnames[0] == "Summary"


def test_country_report_as_a_coordinator(year, tmp_path, kwt_coordinator):
    target = tmp_path / "kwt.json"
    result = run_cli(
        "report",
        "country",
        "--country",
        "kwt",
        "--from",
        year.period.start.isoformat(),
        "--to",
        year.period.end.isoformat(),
        "--format",
        "json",
        "--as",
        kwt_coordinator.username,
        "-o",
        str(target),
    )
    assert result.code == 0, result.err
    data = json.loads(target.read_text())
    assert data["country"] == "KWT" and data["generated_by"] == kwt_coordinator.username
    assert data["figures"]["trained"]["value"] == 4
    refused = run_cli(
        "report", "country", "--country", "QAT", "--year", "2027", "--as", kwt_coordinator.username
    )
    assert refused.code == 1 and "may not produce the report of Qatar" in refused.err


def test_bad_input_exits_non_zero(db, tmp_path):
    for args, message in (
        (["annual"], "Give the year"),
        (["annual", "--year", "20x7"], "four digits"),
        (["country", "--country", "XXX", "--year", "2017"], "Unknown country"),
        (["country", "--country", "KWT"], "Give the period"),
        (["country", "--country", "KWT", "--from", "2017-02-01", "--to", "2017-01-01"], "end"),
        (["annual", "--year", "2017", "--as", "nobody"], "No user"),
        (["annual", "--year", "2017", "-o", str(tmp_path / "missing" / "x.pdf")], "Cannot write"),
    ):
        result = run_cli("report", *args)
        assert result.code != 0, args
        assert message in result.err, (args, result.err)
