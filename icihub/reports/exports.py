"""The reports as files: PDF (WeasyPrint, laid out for print), XLSX (openpyxl,
one sheet per table, typed cells), CSV and JSON (stable, documented in
``docs/reports.md``).

Every file carries the marking of the most restrictive data it contains (on
every PDF page, in every sheet's header and first row, on the CSV's first
line, in the JSON's ``marking``); every text cell of the CSV and XLSX is
neutralised against formula injection (``core.text.neutralise_formula``); every
export is recorded in the audit trail (``audit.Action.EXPORT``)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from icihub.core import audit
from icihub.core.text import arabic_active, neutralise_formula

from .report import Report, fmt, table_chart

FORMATS = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
}

Progress = Callable[[str], None]


@dataclass
class Export:
    content: bytes
    filename: str
    content_type: str
    marking: object
    format: str


def filename(report: Report, file_format: str) -> str:
    period = report.period
    stamp = str(period.start.year) if period.is_year else f"{period.start}_{period.end}"
    if report.kind == "country":
        return f"icihub-{report.country.iso3.lower()}-report-{stamp}.{file_format}"
    return f"icihub-annual-report-{stamp}.{file_format}"


def export(report: Report, file_format: str, *, progress: Progress | None = None) -> Export:
    """Render ``report`` as ``file_format`` and record the export in the audit trail."""
    if file_format not in FORMATS:
        raise ValueError(file_format)
    progress = progress or (lambda line: None)
    progress(_("rendering %(format)s") % {"format": file_format.upper()})
    render = {"pdf": render_pdf, "xlsx": render_xlsx, "csv": render_csv, "json": render_json}
    content = render[file_format](report)
    scope = report.scope
    audit.log_event(
        audit.Action.EXPORT,
        report.country,
        message=f"{report.kind} report {scope.period.label} exported as {file_format}",
        data={
            "report": report.kind,
            "format": file_format,
            "period": scope.period.as_dict(),
            "filters": scope.filters.as_dict(),
            "marking": report.marking.value,
            "bytes": len(content),
        },
        actor=scope.actor,
    )
    progress(
        ngettext(
            "%(n)s byte, marking: %(marking)s", "%(n)s bytes, marking: %(marking)s", len(content)
        )
        % {"n": len(content), "marking": report.marking.label}
    )
    return Export(
        content, filename(report, file_format), FORMATS[file_format], report.marking, file_format
    )


# -- JSON -----------------------------------------------------------------------------------


def render_json(report: Report) -> bytes:
    return (
        json.dumps(report.as_dict(), sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    ).encode("utf-8")


# -- CSV ------------------------------------------------------------------------------------

CSV_HEADER = ["section", "table", "row_key", "row", "column", "column_label", "value", "unit"]


def _csv_rows(report: Report):
    """The report as long rows: one value per line."""
    data = report.as_dict()
    yield ["summary", "", "", "", "", "", report.summary, ""]
    for key, entry in data["figures"].items():
        yield ["figure", "", key, entry["label"], "value", "", entry["value"], entry["unit"]]
    for table in data["tables"]:
        units = {c["key"]: c["unit"] for c in table["columns"]}
        labels = {c["key"]: c["label"] for c in table["columns"]}
        for row in [*table["rows"], table["total"]]:
            for column, value in row["values"].items():
                yield [
                    "table",
                    table["key"],
                    row["key"] or "total",
                    row["label"],
                    column,
                    labels.get(column, column),
                    value,
                    units.get(column, ""),
                ]
    for entry in data["published"]:
        for column in ("published", "icihub", "difference"):
            yield [
                "published",
                entry["figure"],
                entry["key"],
                entry["label"],
                column,
                entry["source"]["key"],
                entry[column],
                "count",
            ]
    if data["snapshot"]:
        for entry in data["snapshot"]["differences"]:
            for column in ("snapshot", "live", "difference"):
                yield ["snapshot", "", entry["key"], entry["label"], column, "", entry[column], ""]
    for key, text in data["definitions"].items():
        yield ["definition", "", key, "", "", "", text, ""]


def render_csv(report: Report) -> bytes:
    out = io.StringIO(newline="")
    out.write(
        f"# {report.marking.label} — icihub {report.title}, "
        f"{report.generated_at:%Y-%m-%d %H:%M}\r\n"
    )
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for row in _csv_rows(report):
        writer.writerow(["" if v is None else neutralise_formula(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


# -- XLSX -----------------------------------------------------------------------------------


def _cell(value):
    """A typed, inert cell value: numbers and dates stay typed, text is neutralised."""
    if isinstance(value, str):
        return neutralise_formula(value)
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return value.replace(tzinfo=None)
    return value


def _sheet_title(text: str, used: set) -> str:
    clean = "".join(ch for ch in text if ch not in "[]:*?/\\")[:31] or "Sheet"
    title, n = clean, 1
    while title.lower() in used:
        n += 1
        title = f"{clean[:28]}~{n}"
    used.add(title.lower())
    return title


def render_xlsx(report: Report) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    bold = Font(bold=True)
    marking = str(report.marking.label)
    workbook = Workbook()
    used: set = set()

    def sheet(title: str, first: bool = False):
        ws = workbook.active if first else workbook.create_sheet()
        ws.title = _sheet_title(title, used)
        ws.sheet_view.rightToLeft = arabic_active()  # an Arabic export reads right to left
        ws.oddHeader.center.text = marking
        ws.oddFooter.center.text = marking
        ws.append([_cell(marking)])
        ws["A1"].font = bold
        return ws

    period = report.period
    ws = sheet(_("Summary"), first=True)
    ws.append([_cell(report.title)])
    ws.append([_("Period from"), period.start])
    ws.append([_("Period until"), period.end])
    ws.append([_("Generated"), _cell(report.generated_at)])
    ws.append([_("Generated by"), _cell(report.scope.who)])
    ws.append([_("Summary"), _cell(report.summary)])
    ws.append([])
    ws.append([_("Figure"), _("Value"), _("Definition")])
    for cell in ws[ws.max_row]:
        cell.font = bold
    for cell in report.headline:
        ws.append(
            [_cell(str(cell.figure.label)), cell.export_value, _cell(str(cell.figure.definition))]
        )
    for row in ws.iter_rows(min_row=3, max_row=4, min_col=2, max_col=2):
        for c in row:
            c.number_format = "yyyy-mm-dd"
    ws["B5"].number_format = "yyyy-mm-dd hh:mm"
    ws.column_dimensions["A"].width = 48
    ws.column_dimensions["C"].width = 90

    for table in report.tables:
        ws = sheet(table.title)
        ws.append([_cell(table.title), _cell(period.label)])
        header = [str(table.dimension.label), *(str(f.label) for f in table.columns)]
        if table.has_percent:
            header.append(_("Delivered (%)"))
        ws.append([_cell(h) for h in header])
        for cell in ws[ws.max_row]:
            cell.font = bold
        for row in [*table.rows, table.total]:
            values = [_cell(row.label), *(c.export_value for c in row.cells)]
            if table.has_percent:
                values.append(row.percent)
            ws.append(values)
        ws[ws.max_row][0].font = bold
        ws.column_dimensions["A"].width = 60

    if report.comparisons:
        ws = sheet(_("Published"))
        ws.append(
            [
                _("Published figure"),
                _("From"),
                _("Until"),
                _("Published"),
                _("icihub"),
                _("Difference"),
                _("Source"),
                _("Quoted passage"),
            ]
        )
        for c in report.comparisons:
            ws.append(
                [
                    _cell(c.published.label),
                    c.period.start,
                    c.period.end,
                    c.published.value,
                    c.icihub.export_value,
                    c.difference,
                    _cell(c.published.source.key),
                    _cell(c.quote),
                ]
            )
            for col in (2, 3):
                ws.cell(row=ws.max_row, column=col).number_format = "yyyy-mm-dd"

    if report.snapshot is not None:
        ws = sheet(_("Snapshot"))
        ws.append([_("Locked"), _cell(report.snapshot.locked_at)])
        ws["B3"].number_format = "yyyy-mm-dd hh:mm"
        ws.append([_("Locked by"), _cell(report.snapshot.locked_by_label)])
        ws.append([_("Note"), _cell(report.snapshot.note)])
        ws.append([_("Figure"), _("Published"), _("Live"), _("Difference")])
        for entry in report.differences:
            ws.append(
                [
                    _cell(entry["label"]),
                    entry["snapshot"],
                    entry["live"],
                    entry["difference"],
                ]
            )

    ws = sheet(_("Definitions"))
    for figure in report.figures_used:
        ws.append([_cell(str(figure.label)), _cell(str(figure.definition))])
    ws.column_dimensions["A"].width = 40
    ws.column_dimensions["B"].width = 120

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# -- PDF ------------------------------------------------------------------------------------


def _fetcher():
    """A URL fetcher that serves ``data:`` URIs only: nothing is fetched from outside."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols={"data"}, fail_on_errors=True, timeout=1)


def _css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def render_html(report: Report) -> str:
    base = settings.ICIHUB_BASE_URL
    for table in report.tables:
        if table.spec.chart:
            table.print_svg = table_chart(table, base=base)
    return render_to_string(
        "reports/report_pdf.html",
        {"report": report, "base": base, "fmt": fmt},
    )


def render_pdf(report: Report) -> bytes:
    from weasyprint import CSS, HTML

    fetcher = _fetcher()
    path = finders.find("reports/report_pdf.css")
    with open(path, encoding="utf-8") as handle:
        stylesheet = handle.read()
    marking = _css_string(str(report.marking.label))
    title = _css_string(f"icihub – {report.title}")
    page = (
        f"@page {{ @top-center {{ content: {marking}; }} "
        f"@bottom-left {{ content: {title}; }} }}"
        f"@page :first {{ @top-center {{ content: {marking}; }} }}"
    )
    html = HTML(string=render_html(report), url_fetcher=fetcher, base_url=None)
    return html.write_pdf(
        stylesheets=[CSS(string=stylesheet, url_fetcher=fetcher), CSS(string=page)]
    )
