"""The one reader of uploaded tables (CSV or XLSX) for every importer.

:func:`read_table` turns the bytes of an upload into a :class:`Table`: the
header's column names (normalised by :func:`header_key`) and the non-empty
rows after it, each with its line (CSV) or row (XLSX) number. What an importer
does with the cells (types, lookups, row errors) stays with the importer.

Rules, the same for every importer:

* size: ``settings.ICIHUB_MAX_UPLOAD_BYTES`` (``core.uploads``);
* type (:func:`detect_format`): a ZIP package is an XLSX workbook, opened only
  through ``core.uploads.open_workbook`` (ZIP bombs, macros, damaged
  packages refused; read-only; formulas never evaluated); anything else named
  .csv or .txt must be text: UTF-8, with or without a byte-order mark;
* the header is the first row, before it lines that are empty or start with
  ``#`` (an export's marking banner) are skipped; an importer may name the
  columns its header holds (``header_holds``), and then the first of the first
  ten rows holding them all is the header (a banner row before it is skipped);
* rows whose cells are all empty are skipped; more than ``max_rows`` rows is
  an error;
* a formula cell of a workbook is refused (``formulas="refuse"``) or read as
  its text, "=...", for the importer to refuse per row (``formulas="text"``);
  :func:`cell_text` undoes the apostrophe with which our exports neutralise
  text that would read as a formula.

Every error is an ``uploads.UploadError``: a ``ValidationError`` on the field
``file`` (a form error in the UI, a 400 in the API, a non-zero exit on the
command line).

Hand-written on the standard ``csv`` module and openpyxl (which
``core.uploads`` already guards): a table library such as tablib or pandas
would bring its own XLSX opening, which would bypass those checks.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Literal

from django.utils.translation import gettext as _

from . import uploads
from .text import FORMULA_PREFIXES

HEADER_SEARCH_ROWS = 10
SNIFF_CHARS = 4096


@dataclass
class Table:
    format: str  # "csv" or "xlsx"
    header_row: int  # the line (CSV) or row (XLSX) number of the header, from 1
    columns: list[str]  # the header's names, normalised by header_key
    rows: list[tuple[int, list]] = field(default_factory=list)  # (number, cells)

    def dicts(self) -> list[dict]:
        """The rows as dictionaries of column -> cell (extra cells dropped,
        missing ones absent)."""
        return [dict(zip(self.columns, cells, strict=False)) for _number, cells in self.rows]


def header_key(value, aliases: Mapping[str, str] | None = None) -> str:
    """A header cell as a column name: "E-mail  address" -> "e_mail_address"
    (lower case; runs of spaces and dashes become one underscore), then
    looked up in ``aliases``."""
    key = re.sub(r"[\s-]+", "_", str(value or "").strip().lower())
    return aliases.get(key, key) if aliases else key


def cell_text(value) -> str:
    """A cell as trimmed text: None is "", 3.0 is "3", a date is ISO 8601, and a
    leading apostrophe our exports put before formula-like text is removed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (dt.datetime, dt.date)):
        value = value.isoformat()
    text = str(value).strip()
    if text.startswith("'") and len(text) > 1 and text[1:].startswith(FORMULA_PREFIXES):
        text = text[1:]  # undo text.neutralise_formula
    return text


def _error(message: str) -> uploads.UploadError:
    return uploads.UploadError(message)


def detect_format(filename: str, data: bytes) -> str:
    """ "csv" or "xlsx", told by the name and the first bytes."""
    name = (filename or "").lower()
    is_zip = data.startswith(uploads.ZIP_MAGIC)
    if name.endswith(".xlsx") or (is_zip and not name.endswith(".csv")):
        if not is_zip:
            raise _error(_("This is not an XLSX workbook."))
        return "xlsx"
    if name.endswith((".csv", ".txt")) or not name:
        # a NUL among the first bytes is a binary file (or UTF-16); one further on
        # is a cell's, which the importer refuses with its row and column
        if is_zip or b"\x00" in data[:8]:
            raise _error(_("This is not a CSV text file."))
        return "csv"
    raise _error(_("Upload a .csv or .xlsx file."))


def _blank(cells) -> bool:
    return not any(c is not None and str(c).strip() for c in cells)


def _banner(cells) -> bool:
    """An empty line or a comment (the export's marking line) before the header."""
    return _blank(cells) or str(cells[0] if cells[0] is not None else "").lstrip().startswith("#")


def _csv_rows(data: bytes, delimiters: str):
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _error(_("The CSV file must be encoded in UTF-8."))
    sample = text[:SNIFF_CHARS]
    delimiter = max(delimiters, key=sample.count)  # the first of equals wins
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    yield from enumerate(reader, start=1)


def _xlsx_rows(book, sheet: str | None, formulas: str):
    ws = book[sheet] if sheet and sheet in book.sheetnames else book.worksheets[0]
    for number, row in enumerate(ws.iter_rows(), start=1):
        if formulas == "refuse" and any(uploads.is_formula_cell(cell) for cell in row):
            raise _error(
                _("Row %(row)s holds a formula; formulas are not accepted.") % {"row": number}
            )
        yield number, [getattr(cell, "value", None) for cell in row]


def read_table(
    data: bytes,
    filename: str,
    *,
    max_rows: int,
    aliases: Mapping[str, str] | None = None,
    header_holds: Collection[str] = (),
    sheet: str | None = None,
    delimiters: str = ",",
    formulas: Literal["refuse", "text"] = "refuse",
) -> Table:
    """The header and non-empty rows of an uploaded CSV or XLSX file.

    ``aliases`` maps normalised header names to column names;
    ``header_holds`` names columns by which the header is recognised (else it
    is the first row that is not a banner); ``sheet`` is the workbook sheet to
    read when present (else the first); ``delimiters`` are the CSV separators
    to choose from (the most frequent in the first 4 KB); ``formulas`` says
    whether a workbook's formula cell refuses the file or is read as its text.
    """
    limit = uploads.max_upload_bytes()
    if len(data) > limit:
        raise _error(uploads.too_big(len(data), limit))
    if not data:
        raise _error(_("The file is empty."))
    fmt = detect_format(filename, data)
    book = uploads.open_workbook(data) if fmt == "xlsx" else None
    try:
        source = (
            _xlsx_rows(book, sheet, formulas) if book is not None else _csv_rows(data, delimiters)
        )
        table = _read(source, fmt, max_rows, aliases, header_holds)
    finally:
        if book is not None:
            book.close()
    return table


def _read(source, fmt, max_rows, aliases, header_holds) -> Table:
    seen = []  # the rows read while looking for the header
    header = None  # its index in seen
    for number, cells in source:
        seen.append((number, cells))
        if _banner(cells):
            continue
        if not header_holds or all(c in _columns(cells, aliases) for c in header_holds):
            header = len(seen) - 1
            break
        if number >= HEADER_SEARCH_ROWS:
            break
    if header is None:  # no row holds the columns: the first row that is not a banner
        header = next((i for i, (_n, cells) in enumerate(seen) if not _banner(cells)), None)
        if header is None:
            raise _error(_("The file is empty."))
    number, cells = seen[header]
    table = Table(fmt, number, _columns(cells, aliases))
    for number, cells in itertools.chain(seen[header + 1 :], source):
        if _blank(cells):
            continue
        table.rows.append((number, list(cells)))
        if len(table.rows) > max_rows:
            raise _error(_("At most %(n)s rows per file.") % {"n": f"{max_rows:,}"})
    return table


def _columns(cells, aliases) -> list[str]:
    return [header_key(c, aliases) for c in cells]
