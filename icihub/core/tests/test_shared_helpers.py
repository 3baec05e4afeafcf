"""The kernel's shared helpers: service errors on form fields, the safe way
back (``next``), the one CSV/XLSX table reader."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from icihub.core import tables
from icihub.core.errors import Conflict
from icihub.core.forms import add_service_errors
from icihub.core.viewkit import is_safe_url, safe_next


class _Form(forms.Form):
    title = forms.CharField()
    year = forms.IntegerField()


def _bound() -> _Form:
    form = _Form({"title": "x", "year": "2024"})
    assert form.is_valid()
    return form


# -- add_service_errors ------------------------------------------------------------------------


def test_a_field_level_validation_error_lands_on_its_fields():
    form = _bound()
    add_service_errors(form, ValidationError({"title": ["Taken."], "year": ["Too late."]}))
    assert form.errors == {"title": ["Taken."], "year": ["Too late."]}


def test_a_field_the_form_lacks_and_a_plain_error_go_to_the_form_as_a_whole():
    form = _bound()
    add_service_errors(form, ValidationError({"elsewhere": ["Not here."]}))
    assert form.non_field_errors() == ["Not here."]
    form = _bound()
    add_service_errors(form, ValidationError(["One.", "Two."]))
    assert form.non_field_errors() == ["One.", "Two."]
    assert "title" not in form.errors


def test_a_conflict_with_field_errors_lands_on_its_fields():
    form = _bound()
    conflict = Conflict(
        "The year is closed.",
        errors=[
            {"field": "year", "message": "The year is closed."},
            {"field": "", "message": "Ask the staff."},
        ],
    )
    add_service_errors(form, conflict)
    assert form.errors["year"] == ["The year is closed."]
    assert form.non_field_errors() == ["Ask the staff."]


def test_a_conflict_without_field_errors_goes_to_the_form_as_a_whole():
    form = _bound()
    add_service_errors(form, Conflict("Moved on."))
    assert form.non_field_errors() == ["Moved on."]
    assert list(form.errors) == ["__all__"]


# -- safe_next -----------------------------------------------------------------------------------


def _request(path: str, *, secure: bool = False, data: dict | None = None):
    factory = RequestFactory()
    if data is not None:
        return factory.post(path, data, secure=secure)
    return factory.get(path, secure=secure)


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/x", "http://evil.example/", "javascript:alert(1)"],
)
def test_an_off_site_next_is_refused(target):
    request = _request("/x/", data={"next": target})
    assert safe_next(request, "/home/") == "/home/"
    assert not is_safe_url(request, target)


def test_an_http_next_on_https_is_refused():
    request = _request("/x/?next=http://testserver/audit/", secure=True)
    assert safe_next(request, "/home/") == "/home/"
    plain = _request("/x/?next=http://testserver/audit/")
    assert safe_next(plain, "/home/") == "http://testserver/audit/"
    secure = _request("/x/?next=https://testserver/audit/", secure=True)
    assert safe_next(secure, "/home/") == "https://testserver/audit/"


def test_a_local_next_is_followed_post_first_then_query_string():
    request = RequestFactory().post("/x/?next=/from-get/", {"next": "/from-post/"})
    assert safe_next(request, "/home/") == "/from-post/"
    assert safe_next(_request("/x/?next=/from-get/"), "/home/") == "/from-get/"
    assert safe_next(_request("/x/"), "/home/") == "/home/"


def test_an_explicit_url_replaces_the_requests_next():
    request = _request("/x/?next=/from-get/")
    assert safe_next(request, "/home/", "/given/") == "/given/"
    assert safe_next(request, "/home/", None) == "/home/"
    assert safe_next(request, "/home/", "https://evil.example/") == "/home/"


# -- read_table --------------------------------------------------------------------------------


def _xlsx(rows, title="Sheet") -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _file_error(caught) -> str:
    assert list(caught.value.message_dict) == ["file"]
    return caught.value.message_dict["file"][0]


def test_a_csv_with_a_bom_a_banner_and_blank_rows():
    data = "\ufeff# NATO UNCLASSIFIED\n\nGiven name,E-mail\nNasser,n@x.example\n,\nAli,\n"
    table = tables.read_table(data.encode(), "people.csv", max_rows=10, aliases={"e_mail": "email"})
    assert (table.format, table.header_row, table.columns) == ("csv", 3, ["given_name", "email"])
    assert table.rows == [(4, ["Nasser", "n@x.example"]), (6, ["Ali", ""])]
    assert table.dicts() == [
        {"given_name": "Nasser", "email": "n@x.example"},
        {"given_name": "Ali", "email": ""},
    ]


def test_the_csv_separator_is_the_most_frequent_of_those_allowed():
    data = b"code;title\nA-1;Cyber, defence\n"
    assert tables.read_table(data, "m.csv", max_rows=10, delimiters=",;").rows == [
        (2, ["A-1", "Cyber, defence"])
    ]
    assert tables.read_table(data, "m.csv", max_rows=10).columns == ["code;title"]


def test_the_header_is_the_first_row_holding_the_named_columns():
    data = _xlsx([["NATO UNCLASSIFIED"], ["Code", "Title"], ["A-1", "Cyber"]], title="Menu")
    table = tables.read_table(data, "m.xlsx", max_rows=10, header_holds=("code", "title"))
    assert (table.format, table.header_row, table.rows) == ("xlsx", 2, [(3, ["A-1", "Cyber"])])
    # no row holds them: the first row is the header, for the importer to name what misses
    table = tables.read_table(b"name,country\nA,KWT\n", "p.csv", max_rows=10, header_holds=("x",))
    assert (table.columns, table.rows) == (["name", "country"], [(2, ["A", "KWT"])])


def test_the_named_sheet_is_read_when_present():
    book = openpyxl.Workbook()
    book.active.append(["other"])
    book.create_sheet("Menu").append(["code"])
    buffer = io.BytesIO()
    book.save(buffer)
    assert tables.read_table(buffer.getvalue(), "m.xlsx", max_rows=5, sheet="Menu").columns == [
        "code"
    ]


def test_a_formula_cell_refuses_the_workbook_or_is_read_as_its_text():
    data = _xlsx([["code", "title"], ["A-1", '=HYPERLINK("http://evil.example")']])
    with pytest.raises(ValidationError) as caught:
        tables.read_table(data, "m.xlsx", max_rows=10)
    assert "formula" in _file_error(caught)
    table = tables.read_table(data, "m.xlsx", max_rows=10, formulas="text")
    assert table.rows[0][1][1].startswith("=HYPERLINK")


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("people.pdf", b"%PDF-1.4", "Upload a .csv or .xlsx"),
        ("people.xlsx", b"code,title\n", "not an XLSX"),
        ("people.csv", b"PK\x03\x04rest", "not a CSV"),
        ("people.csv", b"\xff\xfe\x00c\x00o", "not a CSV"),
        ("people.csv", "code\nCaf\u00e9\n".encode("latin-1"), "UTF-8"),
        ("people.csv", b"", "empty"),
        ("people.csv", b"\n# banner only\n\n", "empty"),
    ],
)
def test_what_is_no_table_is_refused_on_the_file(name, data, message):
    with pytest.raises(ValidationError) as caught:
        tables.read_table(data, name, max_rows=10)
    assert message in _file_error(caught)


def test_size_and_row_limits(settings):
    data = b"code\n" + b"A\n" * 3
    assert len(tables.read_table(data, "m.csv", max_rows=3).rows) == 3
    with pytest.raises(ValidationError) as caught:
        tables.read_table(data, "m.csv", max_rows=2)
    assert "At most 2 rows" in _file_error(caught)
    settings.ICIHUB_MAX_UPLOAD_BYTES = len(data) - 1
    with pytest.raises(ValidationError) as caught:
        tables.read_table(data, "m.csv", max_rows=3)
    assert "too large" in _file_error(caught)


def test_cell_text():
    assert tables.cell_text(None) == ""
    assert tables.cell_text(3.0) == "3"
    assert tables.cell_text(2.5) == "2.5"
    assert tables.cell_text(dt.date(2017, 1, 24)) == "2017-01-24"
    assert tables.cell_text("  '=SUM(A1)  ") == "=SUM(A1)"  # an export's neutralised text
    assert tables.cell_text("'quoted") == "'quoted"
    assert tables.header_key(" E-mail  address ") == "e_mail_address"


# -- one citation shape in the API -----------------------------------------------------------------


def test_every_record_cites_its_sources_in_one_shape():
    import json

    from icihub.api import api

    document = json.loads(json.dumps(api.get_openapi_schema(path_prefix="/api/v1"), default=str))
    schemas = document["components"]["schemas"]
    assert "CitationOut" not in schemas and "FactOut" not in schemas
    assert set(schemas["RecordCitationOut"]["properties"]) == {
        "id", "attribute", "kind", "value", "display", "quote", "locator", "note", "source",
    }  # fmt: skip
    citing = {
        name: schema["properties"]["citations"]["items"]["$ref"].rsplit("/", 1)[1]
        for name, schema in schemas.items()
        if schema.get("properties", {}).get("citations", {}).get("type") == "array"
        and "$ref" in schema["properties"]["citations"]["items"]
    }
    # the partners' records, the menu's activities and the dialogue's events
    assert {"ActivityDetailOut", "EventOut", "AttendeeOut", "FrameworkOut"} <= set(citing), citing
    assert set(citing.values()) - {"SourceCitationOut"} == {"RecordCitationOut"}
