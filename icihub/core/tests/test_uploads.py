"""Uploads: size and type limits, ZIP bombs and malformed workbooks refused
cleanly by every importer (menu: service, API, CLI; training: page and
reader), formulas never evaluated, imports all or nothing."""

import io
import zipfile

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from icihub.core import uploads
from icihub.testing import ApiClient, client_for, run_cli

pytestmark = pytest.mark.django_db


def workbook(rows) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def zip_bomb(megabytes: int = 40) -> bytes:
    """A valid-looking XLSX package whose sheet inflates from ~40 KB to 40 MB."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr("xl/workbook.xml", "<workbook/>")
        with package.open("xl/worksheets/sheet1.xml", "w") as sheet:
            block = b"0" * (1024 * 1024)
            for _ in range(megabytes):
                sheet.write(block)
    return out.getvalue()


def malformed() -> bytes:
    """A ZIP package with the right part names and garbage inside."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", "<Types")
        package.writestr("xl/workbook.xml", "not xml at all <<<")
    return out.getvalue()


def truncated() -> bytes:
    data = workbook([["code", "title", "format"]])
    return data[: len(data) // 2]


# -- the shared checks -------------------------------------------------------------------------


def test_a_zip_bomb_is_refused_before_it_is_inflated():
    data = zip_bomb()
    assert len(data) < 200_000
    with pytest.raises(uploads.UploadError, match="ZIP bomb"):
        uploads.check_xlsx(data)


@override_settings(ICIHUB_MAX_XLSX_UNCOMPRESSED=5 * 1024 * 1024, ICIHUB_MAX_XLSX_RATIO=100_000)
def test_the_total_unpacked_size_is_bounded():
    with pytest.raises(uploads.UploadError, match="unpacks to more than 5 MB"):
        uploads.check_xlsx(zip_bomb(6))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"given_name\nx\n", "not an XLSX"),
        (truncated(), "damaged"),
        (malformed(), "cannot be read"),
    ],
)
def test_malformed_workbooks_are_refused(data, message):
    with pytest.raises(uploads.UploadError, match=message):
        uploads.open_workbook(data)


def test_a_plain_zip_and_a_macro_workbook_are_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr("readme.txt", "hello")
    with pytest.raises(uploads.UploadError, match="not an XLSX"):
        uploads.check_xlsx(out.getvalue())
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr("xl/workbook.xml", "<workbook/>")
        package.writestr("xl/vbaProject.bin", b"\x00" * 10)
    with pytest.raises(uploads.UploadError, match="macros"):
        uploads.check_xlsx(out.getvalue())


@override_settings(ICIHUB_MAX_UPLOAD_BYTES=100)
def test_size_and_type_limits():
    with pytest.raises(uploads.UploadError, match="too large"):
        uploads.read_upload(SimpleUploadedFile("a.csv", b"x" * 101))
    with pytest.raises(uploads.UploadError, match="empty"):
        uploads.read_upload(("a.csv", b""))
    with pytest.raises(uploads.UploadError, match="types"):
        uploads.read_upload(("a.exe", b"MZ"))
    assert uploads.read_upload(("a.csv", b"x,y")) == (b"x,y", "a.csv")


def test_formulas_are_read_as_text_never_evaluated():
    book = uploads.open_workbook(workbook([["=1+1", "'=2+2", "plain"]]))
    cells = next(book.worksheets[0].iter_rows())
    assert [c.value for c in cells] == ["=1+1", "'=2+2", "plain"]
    assert [uploads.is_formula_cell(c) for c in cells] == [True, False, False]
    book.close()


# -- the menu importer ----------------------------------------------------------------------------


@pytest.mark.parametrize("data", [zip_bomb(), truncated(), malformed()])
def test_the_menu_import_refuses_bombs_and_malformed_files(data, nato_staff, tmp_path):
    from icihub.menu import services
    from icihub.menu.models import Activity

    count = Activity.objects.count()
    with pytest.raises(ValidationError) as caught:
        services.import_menu(nato_staff, ("menu.xlsx", data))
    assert "file" in caught.value.message_dict
    # the API answers 400 with the error body
    response = ApiClient(nato_staff).client.post(
        "/api/v1/menu/import",
        {"file": SimpleUploadedFile("menu.xlsx", data)},
        headers=ApiClient(nato_staff).headers,
    )
    assert response.status_code == 400, response.content
    assert response.json()["errors"][0]["field"] == "file"
    # the command line exits non-zero
    path = tmp_path / "menu.xlsx"
    path.write_bytes(data)
    result = run_cli("menu-import", str(path))
    assert result.code != 0
    assert Activity.objects.count() == count


def test_the_menu_import_refuses_formula_cells(nato_staff):
    from icihub.menu import services
    from icihub.menu.models import Activity

    data = workbook(
        [
            ["code", "title", "format"],
            ["SEC-1", '=HYPERLINK("http://evil.example","x")', "course"],
        ]
    )
    with pytest.raises(ValidationError, match="formula"):
        services.import_menu(nato_staff, ("menu.xlsx", data))
    assert not Activity.objects.filter(code="SEC-1").exists()


# -- the training importer -------------------------------------------------------------------------


@pytest.mark.parametrize("data", [zip_bomb(), truncated(), malformed()])
def test_the_training_import_refuses_bombs_and_malformed_files(data, centre_staff):
    from icihub.training import imports
    from icihub.training.models import Participant

    with pytest.raises(imports.ImportFileError) as caught:
        imports.read_table("people.xlsx", data)
    assert "file" in caught.value.message_dict
    count = Participant.objects.count()
    page = client_for(centre_staff).post(
        "/training/participants/import/", {"file": SimpleUploadedFile("people.xlsx", data)}
    )
    assert page.status_code == 200
    assert "errorlist" in page.content.decode()
    assert Participant.objects.count() == count
