"""Control characters in the menu's import and export (issue 15, defect 9):
a CSV with NUL bytes was imported, then every XLSX export of the menu
answered 500."""

from __future__ import annotations

import pytest

from icihub.menu import services
from icihub.menu.models import Activity
from icihub.menu.transfer import ImportRejected

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("bad", ["\x00", "\x07", "\x1b", "\x0b"])
def test_a_csv_with_control_characters_is_refused_and_nothing_written(nato_staff, bad):
    data = f"code,title,format\nNUL-1,Cyber{bad}defence,course\n".encode()
    report = services.import_menu(nato_staff, ("menu.csv", data), dry_run=True)
    assert [(e.row, e.field) for e in report.errors] == [(2, "title")]
    with pytest.raises(ImportRejected):
        services.import_menu(nato_staff, ("menu.csv", data))
    assert not Activity.objects.filter(code="NUL-1").exists()


def test_the_xlsx_export_survives_control_characters_stored_before(nato_staff, make_activity):
    from django.db import connection

    # PostgreSQL cannot store NUL at all; SQLite can (and so could old rows)
    nul = "\x00" if connection.vendor == "sqlite" else "\x1b"
    make_activity("OLD-1", title=f"Stored{nul}before\x07the check")
    result = services.export_menu(nato_staff, "xlsx")
    assert result.content[:2] == b"PK"
    result = services.export_menu(nato_staff, "csv")
    assert b"\x00" not in result.content and b"Storedbeforethe check" in result.content
