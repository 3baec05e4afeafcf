"""Import and export of the whole menu (CSV and XLSX): all or nothing, dry run,
errors per row, limits, formula neutralisation, markings, audit, CLI."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from icihub.core.models import AuditEntry
from icihub.menu import sample, services
from icihub.menu.models import Activity
from icihub.menu.transfer import ImportRejected

pytestmark = pytest.mark.django_db


def test_import_of_1400_generated_activities_in_one_go(nato_staff):
    data = sample.rows(1400)
    before_audit = AuditEntry.objects.count()
    report = services.import_menu(nato_staff, ("menu.csv", sample.csv_bytes(data)))
    assert report.committed and report.created == 1400 and not report.errors
    assert Activity.objects.filter(code__startswith="GEN-").count() == 1400
    a = Activity.objects.get(code="GEN-00001")
    assert a.provenance == Activity.Provenance.IMPORTED
    assert set(a.areas.values_list("code", flat=True)) == {
        "cyber-defence",
        "civil-emergency-planning",
    }
    assert a.eligible_countries.filter(iso3="SAU").exists()
    assert a.provider.slug == "nato-school"
    assert a.search_text and "cyber" in a.search_text
    # One audit entry per created activity plus the import event.
    entries = AuditEntry.objects.all()[: AuditEntry.objects.count() - before_audit]
    assert AuditEntry.objects.count() - before_audit == 1401
    assert any(e.action == "event" and "menu import" in e.message for e in entries)
    created = AuditEntry.objects.filter(
        action="create", object_id=str(a.pk), content_type__model="activity"
    ).get()
    assert created.actor == nato_staff and "areas" in created.changes
    # Importing the same file again changes nothing.
    again = services.import_menu(nato_staff, ("menu.csv", sample.csv_bytes(data)))
    assert again.unchanged == 1400 and again.created == again.updated == 0


def test_one_bad_row_changes_nothing(nato_staff):
    data = sample.rows(300)
    data[149]["format"] = "picnic"
    data[200]["areas"] = "cyber-defence; astrology"
    data[250]["first_year"] = "2020"
    data[250]["last_year"] = "2019"
    before = Activity.objects.count()
    audit_before = AuditEntry.objects.count()
    with pytest.raises(ImportRejected) as excinfo:
        services.import_menu(nato_staff, ("menu.csv", sample.csv_bytes(data)))
    report = excinfo.value.report
    assert Activity.objects.count() == before
    assert AuditEntry.objects.count() == audit_before
    found = {(e.row, e.field) for e in report.errors}
    # Header is line 1, so data row i is line i + 2.
    assert found == {(151, "format"), (202, "areas"), (252, "last_year")}
    assert "row 151.format" in excinfo.value.message_dict


def test_a_bad_row_in_an_update_leaves_existing_activities_untouched(make_activity, nato_staff):
    make_activity("KEEP-1", title="Original title")
    data = [
        {"code": "KEEP-1", "title": "Changed", "format": "course"},
        {"code": "NEW-1", "title": "", "format": "course"},
    ]
    with pytest.raises(ValidationError):
        services.import_menu(nato_staff, ("m.csv", sample.csv_bytes(data)))
    assert Activity.objects.get(code="KEEP-1").title == "Original title"
    assert not Activity.objects.filter(code="NEW-1").exists()


def test_dry_run_reports_and_writes_nothing(make_activity, nato_staff):
    make_activity("DRY-1", title="Old", format="course")
    data = [
        {"code": "DRY-1", "title": "New title", "format": "course"},
        {"code": "DRY-2", "title": "Brand new", "format": "seminar"},
    ]
    report = services.import_menu(nato_staff, ("m.csv", sample.csv_bytes(data)), dry_run=True)
    assert (report.created, report.updated, report.committed) == (1, 1, False)
    update = next(r for r in report.rows if r.code == "DRY-1")
    assert update.changes["title"] == {"before": "Old", "after": "New title"}
    assert Activity.objects.get(code="DRY-1").title == "Old"
    assert not Activity.objects.filter(code="DRY-2").exists()
    # A dry run with errors reports them without raising.
    data[1]["format"] = "nonsense"
    report = services.import_menu(nato_staff, ("m.csv", sample.csv_bytes(data)), dry_run=True)
    assert [(e.row, e.field) for e in report.errors] == [(3, "format")]


def test_update_changes_scalars_and_relations(make_activity, nato_staff):
    a = make_activity("UPD-1", title="Old", areas=["cbrn"], frameworks=["ici"])
    data = [
        {
            "code": "UPD-1",
            "title": "Old",
            "format": "course",
            "areas": "cyber-defence",
            "frameworks": "ici; md",
            "marking": "public",
        }
    ]
    report = services.import_menu(nato_staff, ("m.csv", sample.csv_bytes(data)))
    assert report.updated == 1
    a.refresh_from_db()
    assert list(a.areas.values_list("code", flat=True)) == ["cyber-defence"]
    assert set(a.eligible_frameworks.values_list("code", flat=True)) == {"ici", "md"}
    entry = AuditEntry.objects.filter(
        action="update", object_id=str(a.pk), content_type__model="activity"
    ).latest("id")
    assert set(entry.changes) == {"areas", "frameworks"}


def test_duplicate_codes_and_unknown_columns_are_errors(nato_staff):
    content = b"code,title,format,colour\nD-1,A,course,red\nD-1,B,course,blue\n"
    report = services.import_menu(nato_staff, ("m.csv", content), dry_run=True)
    assert {(e.row, e.field) for e in report.errors} == {(1, "colour")}
    content = b"code,title,format\nD-1,A,course\nD-1,B,course\n"
    report = services.import_menu(nato_staff, ("m.csv", content), dry_run=True)
    assert {(e.row, e.field) for e in report.errors} == {(3, "code")}


def test_missing_required_columns(nato_staff):
    report = services.import_menu(nato_staff, ("m.csv", b"code,title\nX-1,Y\n"), dry_run=True)
    assert [(e.row, e.field) for e in report.errors] == [(1, "format")]


def test_xlsx_import_with_a_banner_row(nato_staff):
    data = sample.rows(40)
    content = sample.xlsx_bytes(data)
    book = openpyxl.load_workbook(io.BytesIO(content))
    book.active.insert_rows(1)
    book.active["A1"] = "NATO UNCLASSIFIED – Releasable to ICI"
    out = io.BytesIO()
    book.save(out)
    report = services.import_menu(nato_staff, ("menu.xlsx", out.getvalue()))
    assert report.file_format == "xlsx" and report.created == 40


def test_size_and_type_limits(nato_staff, settings):
    settings.ICIHUB_MAX_UPLOAD_BYTES = 100
    with pytest.raises(ValidationError) as excinfo:
        services.import_menu(nato_staff, ("m.csv", b"code,title,format\n" + b"x" * 200))
    assert "file" in excinfo.value.message_dict
    settings.ICIHUB_MAX_UPLOAD_BYTES = 10_000
    with pytest.raises(ValidationError):
        services.import_menu(nato_staff, ("m.pdf", b"%PDF-1.4"))
    with pytest.raises(ValidationError):
        services.import_menu(nato_staff, ("m.xlsx", b"not a zip at all"))
    with pytest.raises(ValidationError):
        services.import_menu(nato_staff, ("m.csv", b"\xff\xfe\x00c\x00o"))
    with pytest.raises(ValidationError):
        services.import_menu(nato_staff, ("m.csv", b""))


def test_only_menu_writers_import(every_role):
    content = sample.csv_bytes(sample.rows(1))
    for key in ("coordinator_kwt", "instructor", "participant"):
        with pytest.raises(PermissionDenied):
            services.import_menu(every_role[key], ("m.csv", content), dry_run=True)
    with pytest.raises(PermissionDenied):
        services.import_menu(AnonymousUser(), ("m.csv", content), dry_run=True)
    assert services.import_menu(every_role["centre_staff"], ("m.csv", content)).created == 1


def _csv_rows(content: bytes) -> list[list[str]]:
    text = content.decode("utf-8-sig")
    lines = text.splitlines()
    return list(csv.reader(io.StringIO("\n".join(lines[1:]))))


def test_export_neutralises_formulas_and_round_trips(make_activity, nato_staff):
    make_activity("X-1", title='=HYPERLINK("http://evil")', description="+1 test", marking="public")
    make_activity("X-2", title="@SUM(A1)", marking="rel_ici", areas=["cbrn"], frameworks=["ici"])
    result = services.export_menu(nato_staff, "csv")
    rows = _csv_rows(result.content)
    assert rows[0][:3] == ["code", "title", "title_ar"]
    by_code = {r[0]: r for r in rows[1:]}
    assert by_code["X-1"][1] == '\'=HYPERLINK("http://evil")'
    assert by_code["X-1"][3] == "'+1 test"
    assert by_code["X-2"][1] == "'@SUM(A1)"
    assert result.content.decode("utf-8-sig").startswith("# NATO UNCLASSIFIED")
    # The export imports back with no change (the apostrophes are removed).
    report = services.import_menu(nato_staff, ("back.csv", result.content), dry_run=True)
    assert report.ok and report.created == report.updated == 0
    xlsx = services.export_menu(nato_staff, "xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content))["Menu"]
    values = [c.value for c in sheet[3]] + [c.value for c in sheet[4]]
    assert '\'=HYPERLINK("http://evil")' in values
    assert not any(isinstance(v, str) and v.startswith("=") for v in values)
    report = services.import_menu(nato_staff, ("back.xlsx", xlsx.content), dry_run=True)
    assert report.ok and report.created == report.updated == 0


def test_export_carries_the_most_restrictive_marking_and_is_audited(make_activity, every_role):
    make_activity("MK-1", marking="public")
    make_activity("MK-2", marking="rel_ici")
    make_activity("MK-3", marking="nato")
    anonymous = services.export_menu(AnonymousUser(), "csv")
    assert (
        anonymous.marking == "public"
        and anonymous.count == Activity.objects.filter(marking="public").count()
    )
    kuwait = services.export_menu(every_role["coordinator_kwt"], "csv")
    assert kuwait.marking == "rel_ici"
    assert "MK-3" not in kuwait.content.decode()
    nato = services.export_menu(every_role["nato_staff"], "xlsx")
    assert nato.marking == "nato"
    book = openpyxl.load_workbook(io.BytesIO(nato.content))
    assert book.properties.keywords == "nato"
    assert book["Menu"]["A1"].value.startswith("NATO UNCLASSIFIED")
    event = AuditEntry.objects.filter(action="export").latest("id")
    assert event.actor == every_role["nato_staff"]
    assert event.changes["marking"] == "nato" and event.changes["format"] == "xlsx"


def test_cli_import_and_export(tmp_path, make_activity):
    path = tmp_path / "menu.csv"
    path.write_bytes(sample.csv_bytes(sample.rows(25, prefix="CLI")))
    out = io.StringIO()
    call_command("menu_import", str(path), "--dry-run", stdout=out)
    assert "would create 25" in out.getvalue()
    assert not Activity.objects.filter(code__startswith="CLI-").exists()
    call_command("menu_import", str(path), stdout=out)
    assert Activity.objects.filter(code__startswith="CLI-").count() == 25
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"code,title,format\nB-1,Bad,picnic\n")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("menu_import", str(bad), stdout=out, stderr=err)
    assert "row 2, format" in err.getvalue()
    export = tmp_path / "out.xlsx"
    call_command("menu_export", str(export), stdout=out)
    assert export.exists() and "activities written" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("menu_export", str(tmp_path / "out.pdf"), stdout=out)
    with pytest.raises(CommandError, match="Cannot write"):
        call_command("menu_export", str(tmp_path / "no-such-dir" / "out.csv"), stdout=out)
    with pytest.raises(CommandError, match="No user"):
        call_command("menu_export", str(tmp_path / "out.csv"), "--as", "nobody", stdout=out)
