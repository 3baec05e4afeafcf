"""Import of participants and nominations: dry run, errors per row, all or
nothing, one person is one participant, file limits, formulas never run."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from icihub.core.models import AuditEntry
from icihub.testing import client_for
from icihub.training import imports
from icihub.training.models import Nomination, Participant

HEADER = "given_name,family_name,name_ar,country,service,rank,rank_code,email,priority\n"


def csv_rows(text: str) -> list[dict]:
    return imports.read_table("people.csv", (HEADER + text).encode())


def test_dry_run_writes_nothing_and_previews_each_row(session, kuwaitis, kwt_coordinator):
    existing = kuwaitis[0]
    rows = csv_rows(
        f"Nasser,Al-Enezi,ناصر العنزي,KWT,army,Major,OF-3,nasser@army.example,\n"
        f"{existing.given_name.upper()},{existing.family_name.lower()},,KWT,army,,OF-3,,\n"
        "Bader,Al-Hajri,,KWT,navy,,OR-5,,\n"
    )
    result = imports.run(kwt_coordinator, rows, default_session=session)
    assert result.ok and not result.committed
    assert [r.person for r in result.rows] == ["new", "existing", "new"]
    assert [r.seat for r in result.rows] == ["seat", "seat", "waiting"]
    assert result.rows[1].participant == existing
    assert Participant.objects.count() == 4 and not Nomination.objects.exists()


def test_commit_writes_people_and_nominations_in_one_go(session, kuwaitis, kwt_coordinator):
    rows = csv_rows(
        "Nasser,Al-Enezi,ناصر العنزي,KWT,army,Major,OF-3,nasser@army.example,2\n"
        f"{kuwaitis[0].given_name},{kuwaitis[0].family_name},,KWT,army,,OF-3,,1\n"
        "Bader,Al-Hajri,,KWT,national guard,,OR-5,,3\n"
    )
    result = imports.run(kwt_coordinator, rows, default_session=session, commit=True)
    assert result.committed, [r.errors for r in result.rows]
    nominations = list(session.nominations.order_by("priority"))
    assert [(n.participant.family_name, n.priority, n.status) for n in nominations] == [
        (kuwaitis[0].family_name, 1, "nominated"),
        ("Al-Enezi", 2, "nominated"),
        ("Al-Hajri", 3, "waitlisted"),
    ]
    assert all(n.nominated_by == kwt_coordinator for n in nominations)
    session.refresh_from_db()
    assert session.seats_taken == 2
    assert Participant.objects.get(family_name="Al-Hajri").service == "national_guard"
    assert Participant.objects.get(family_name="Al-Enezi").name_key == "nasseralenezi"
    assert (
        AuditEntry.objects.filter(
            action="create", content_type__model="nomination", actor=kwt_coordinator
        ).count()
        == 3
    )


def test_one_bad_row_and_nothing_is_written(session, kwt_coordinator):
    rows = csv_rows(
        "Nasser,Al-Enezi,,KWT,army,,OF-3,nasser@army.example,\n"
        "Bader,,,KWT,navy,,OF-12,not-an-email,\n"
        "Khalid,Al-Thani,,QAT,army,,OF-3,,\n"
        "Omar,Said,,EGY,army,,OF-3,,\n"
    )
    result = imports.run(kwt_coordinator, rows, default_session=session, commit=True)
    assert not result.committed
    errors = {row.line: row.errors for row in result.errors}
    assert set(errors) == {3, 4, 5}
    assert any("family name" in e for e in errors[3])
    assert any("rank code" in e for e in errors[3])
    assert any("e-mail" in e for e in errors[3])
    assert any("own country" in e for e in errors[4])
    assert any("own country" in e for e in errors[5])
    assert not Participant.objects.exists() and not Nomination.objects.exists()


def test_staff_import_reports_ineligible_countries(session, centre_staff):
    result = imports.run(
        centre_staff, csv_rows("Omar,Said,,EGY,army,,OF-3,,\n"), default_session=session
    )
    assert any("not eligible" in e for e in result.rows[0].errors)


def test_the_same_person_twice_in_a_file(session, kwt_coordinator):
    rows = csv_rows(
        "Nasser,Al-Enezi,,KWT,army,,OF-3,nasser@army.example,\nNASSER,Al Enezi,,KWT,army,,OF-3,,\n"
    )
    result = imports.run(kwt_coordinator, rows, default_session=session)
    assert result.rows[1].person == "repeat"
    assert any("nominated twice" in e for e in result.rows[1].errors)
    # Without a session: one participant, not two.
    people = imports.run(kwt_coordinator, rows, commit=True)
    assert people.committed
    assert Participant.objects.filter(name_key="nasseralenezi").count() == 1


def test_already_nominated_people_are_refused(session, kuwaitis, kwt_coordinator):
    from icihub.training import services

    services.nominate(kwt_coordinator, session, kuwaitis[0])
    rows = csv_rows(f"{kuwaitis[0].given_name},{kuwaitis[0].family_name},,KWT,army,,OF-3,,\n")
    result = imports.run(kwt_coordinator, rows, default_session=session)
    assert any("already nominated" in e for e in result.rows[0].errors)


def test_email_distinguishes_namesakes(kuwaitis, kwt_coordinator):
    namesake = kuwaitis[0]
    rows = csv_rows(
        f"{namesake.given_name},{namesake.family_name},,KWT,army,,OF-3,other.person@example.test,\n"
    )
    result = imports.run(kwt_coordinator, rows)
    assert result.rows[0].person == "new"  # same name, different e-mail: another person


def xlsx(rows: list[list]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_xlsx_formulas_are_refused_never_run(session, kwt_coordinator):
    data = xlsx(
        [
            ["Given name", "Family name", "Country", "Service", "E-mail"],
            ["Nasser", "Al-Enezi", "KWT", "Army", "nasser@army.example"],
            ["=CMD()", "Al-Hajri", "KWT", "Navy", None],
        ]
    )
    rows = imports.read_table("people.xlsx", data)
    assert rows[1]["given_name"] == "=CMD()"  # the formula's text, not a result
    result = imports.run(kwt_coordinator, rows, default_session=session)
    assert any("formula" in e for e in result.rows[1].errors)
    assert result.rows[0].ok


def test_file_type_and_size_limits(settings):
    with pytest.raises(ValidationError):
        imports.read_table("people.exe", b"MZ")
    with pytest.raises(ValidationError):
        imports.read_table("people.xlsx", b"not a zip")
    with pytest.raises(ValidationError):
        imports.read_table("people.csv", b"\xff\xfe\x00bad")
    with pytest.raises(ValidationError) as error:
        imports.read_table("people.csv", b"name,country\nA,KWT\n")
    assert "Missing columns" in str(error.value)
    settings.ICIHUB_MAX_UPLOAD_BYTES = 10
    with pytest.raises(ValidationError):
        imports.read_table("people.csv", (HEADER + "x" * 20).encode())


def test_import_page_previews_then_commits(session, kwt_coordinator):
    client = client_for(kwt_coordinator)
    url = reverse("training:session_import", args=[session.pk])
    upload = SimpleUploadedFile(
        "people.csv", (HEADER + "Nasser,Al-Enezi,,KWT,army,,OF-3,,\n").encode(), "text/csv"
    )
    preview = client.post(url, {"file": upload, "action": "preview"})
    html = preview.content.decode()
    assert "Dry run" in html and "Al-Enezi" in html
    assert not Participant.objects.exists()
    done = client.post(url, {"action": "commit"})
    assert done.status_code == 302
    assert session.nominations.get().participant.family_name == "Al-Enezi"


def test_import_page_shows_row_errors(session, kwt_coordinator):
    client = client_for(kwt_coordinator)
    url = reverse("training:session_import", args=[session.pk])
    upload = SimpleUploadedFile(
        "people.csv", (HEADER + "Khalid,Al-Thani,,QAT,army,,OF-3,,\n").encode(), "text/csv"
    )
    html = client.post(url, {"file": upload, "action": "preview"}).content.decode()
    assert "own country" in html and "commit-import" not in html
    assert client.post(url, {"action": "commit"}).status_code == 200
    assert not Participant.objects.exists()


def test_a_file_named_xlsx_that_is_no_workbook_is_refused():
    with pytest.raises(imports.ImportFileError) as caught:
        imports.read_table("people.xlsx", b"name,country\nA,KWT\n")
    assert caught.value.message_dict == {"file": ["This is not an XLSX workbook."]}
