"""Uploaded files, checked before anything parses them: size and type
limits, and a safe XLSX opener that refuses decompression bombs, macros and
malformed workbooks before openpyxl touches them.

Every importer (menu, training, ...) reads uploads through :func:`read_upload`
and opens workbooks with :func:`open_workbook`. Errors are
:class:`UploadError`, a ``ValidationError`` on the field ``file``: a form error
in the UI, a 400 in the API, a non-zero exit on the command line.

Limits (settings, with defaults):

* ``ICIHUB_MAX_UPLOAD_BYTES`` (20 MB): the file as uploaded;
* ``ICIHUB_MAX_XLSX_UNCOMPRESSED`` (200 MB): the workbook's parts once
  decompressed, added up from the ZIP directory before anything is
  decompressed (Python's zipfile never inflates a part beyond its declared
  size, so the declared sizes bound the work);
* ``ICIHUB_MAX_XLSX_RATIO`` (200): the compression ratio of any part larger
  than 1 MB (a bomb compresses at 1,000:1 and more; spreadsheets at 5-50:1);
* ``ICIHUB_MAX_XLSX_PARTS`` (5,000): the number of parts.

Formulas are never evaluated: workbooks are opened with ``data_only=False``
(a formula cell is read as its text, "=..."), and :func:`is_formula_cell`
lets an importer refuse such cells instead of taking a value some
spreadsheet program computed (the cached value of ``data_only=True``).
"""

from __future__ import annotations

import io
import os
import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

ZIP_MAGIC = b"PK\x03\x04"
XLSX_REQUIRED_PARTS = ("[Content_Types].xml", "xl/workbook.xml")


class UploadError(ValidationError):
    """An uploaded file refused before parsing (field ``file``)."""

    def __init__(self, message: str):
        super().__init__({"file": [message]})


def _limit(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def max_upload_bytes() -> int:
    return settings.ICIHUB_MAX_UPLOAD_BYTES


def too_big(size: int, limit: int) -> str:
    return _("The file is too large (%(size)s bytes; at most %(limit)s).") % {
        "size": f"{size:,}",
        "limit": f"{limit:,}",
    }


def read_upload(upload, *, extensions: tuple[str, ...] = (".csv", ".xlsx")) -> tuple[bytes, str]:
    """The bytes and the name of an upload (a Django UploadedFile, a path, or a
    ``(name, bytes)`` pair), refusing a file over the size limit before reading
    it whole, an empty file, and a name without one of ``extensions``."""
    limit = max_upload_bytes()
    if isinstance(upload, tuple):
        name, data = upload
    elif isinstance(upload, str) or hasattr(upload, "__fspath__"):
        path = os.fspath(upload)
        if not os.path.isfile(path):  # a directory, a missing path, a device
            raise UploadError(_("“%(path)s” is not a file.") % {"path": path})
        size = os.path.getsize(path)
        if size > limit:
            raise UploadError(too_big(size, limit))
        with open(path, "rb") as handle:
            data = handle.read(limit + 1)
        name = os.path.basename(path)
    else:
        size = getattr(upload, "size", None)
        if size is not None and size > limit:
            raise UploadError(too_big(size, limit))
        data = upload.read(limit + 1)
        name = getattr(upload, "name", "") or ""
    if len(data) > limit:
        raise UploadError(too_big(len(data), limit))
    if not data:
        raise UploadError(_("The file is empty."))
    name = str(name)
    if extensions and not name.lower().endswith(extensions):
        raise UploadError(
            _("Upload a file of one of these types: %(types)s.") % {"types": ", ".join(extensions)}
        )
    return data, name


def check_xlsx(data: bytes) -> None:
    """Refuse what is not a sound XLSX package, before any part is inflated."""
    if not data.startswith(ZIP_MAGIC):
        raise UploadError(_("This is not an XLSX workbook."))
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        raise UploadError(_("The XLSX workbook is damaged (not a readable ZIP package)."))
    with package:
        parts = package.infolist()
        if len(parts) > _limit("ICIHUB_MAX_XLSX_PARTS", 5000):
            raise UploadError(_("The XLSX workbook has too many parts."))
        names = {part.filename for part in parts}
        if not all(required in names for required in XLSX_REQUIRED_PARTS):
            raise UploadError(_("This ZIP file is not an XLSX workbook."))
        if any(name.lower().endswith("vbaproject.bin") for name in names):
            raise UploadError(_("Workbooks with macros are not accepted."))
        total = 0
        max_total = _limit("ICIHUB_MAX_XLSX_UNCOMPRESSED", 200 * 1024 * 1024)
        max_ratio = _limit("ICIHUB_MAX_XLSX_RATIO", 200)
        for part in parts:
            if part.flag_bits & 0x1:
                raise UploadError(_("Encrypted workbooks are not accepted."))
            total += part.file_size
            if total > max_total:
                raise UploadError(
                    _("The XLSX workbook unpacks to more than %(n)s MB: refused.")
                    % {"n": max_total // (1024 * 1024)}
                )
            if part.file_size > 1024 * 1024 and part.file_size > max_ratio * max(
                part.compress_size, 1
            ):
                raise UploadError(
                    _("The XLSX workbook is compressed suspiciously well (a ZIP bomb?): refused.")
                )


def open_workbook(data: bytes):
    """An openpyxl workbook (read-only, formulas as text, never evaluated)
    after :func:`check_xlsx`; any parsing failure is an :class:`UploadError`.
    Close it when done."""
    check_xlsx(data)
    from openpyxl import load_workbook

    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds on malformed XML
        raise UploadError(_("The XLSX workbook cannot be read (damaged or not a workbook)."))


def is_formula_cell(cell) -> bool:
    """A cell holding a formula (openpyxl's data type "f")."""
    return getattr(cell, "data_type", None) == "f"
