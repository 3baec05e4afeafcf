"""Report tables and their files in Arabic: countries and areas of cooperation
by their Arabic names (``core.text.localized``), sheets right to left; the
same report asked in English keeps the English names."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.conf import settings
from openpyxl import load_workbook

from icihub.testing import client_for

pytestmark = pytest.mark.django_db


def _rows(html: str, key: str) -> list[str]:
    """The row labels of one report table on a page."""
    section = re.search(rf'id="table-{key}">(.*?)</section>', html, re.S).group(1)
    return re.findall(r'<tr data-row="[^"]*"><td>([^<]*)</td>', section)


def _csv_labels(content: bytes, table: str) -> dict[str, str]:
    text = content.decode("utf-8-sig").split("\r\n", 1)[1]  # after the marking line
    return {
        row["row_key"]: row["row"]
        for row in csv.DictReader(io.StringIO(text))
        if row["section"] == "table" and row["table"] == table
    }


def test_report_tables_and_files_name_countries_and_areas_in_arabic(year, nato_staff):
    the_year = year.sessions["s1"].start.year
    english = client_for(nato_staff)
    arabic = client_for(nato_staff)
    arabic.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"

    page = english.get("/reports/annual/", {"year": the_year}).content.decode()
    assert "Kuwait" in _rows(page, "trained_by_country")
    assert "Crisis management" in _rows(page, "trained_by_area")
    page = arabic.get("/reports/annual/", {"year": the_year}).content.decode()
    countries, areas = _rows(page, "trained_by_country"), _rows(page, "trained_by_area")
    assert "الكويت" in countries and "قطر" in countries
    assert "Kuwait" not in countries and "Qatar" not in countries
    assert "إدارة الأزمات" in areas and "Crisis management" not in areas

    # CSV: the same labels, by the rows' stable keys.
    path = f"/reports/annual/{the_year}/report"
    labels = _csv_labels(english.get(f"{path}.csv").content, "trained_by_country")
    assert labels["KWT"] == "Kuwait"
    labels = _csv_labels(arabic.get(f"{path}.csv").content, "trained_by_country")
    assert (labels["KWT"], labels["QAT"]) == ("الكويت", "قطر")
    areas = _csv_labels(arabic.get(f"{path}.csv").content, "trained_by_area")
    assert areas["crisis-management"] == "إدارة الأزمات"

    # XLSX: Arabic names, every sheet right to left; the English file left to right.
    book = load_workbook(io.BytesIO(arabic.get(f"{path}.xlsx").content))
    assert all(sheet.sheet_view.rightToLeft for sheet in book.worksheets)
    cells = {c.value for s in book.worksheets for row in s.iter_rows() for c in row}
    assert "الكويت" in cells and "إدارة الأزمات" in cells
    assert "Kuwait" not in cells and "Crisis management" not in cells
    book = load_workbook(io.BytesIO(english.get(f"{path}.xlsx").content))
    assert not any(sheet.sheet_view.rightToLeft for sheet in book.worksheets)
    cells = {c.value for s in book.worksheets for row in s.iter_rows() for c in row}
    assert "Kuwait" in cells

    # PDF: laid out right to left in the page's language.
    pdf = arabic.get(f"{path}.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
