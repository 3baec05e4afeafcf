"""Import and export of the whole cooperation menu as CSV or XLSX, so a
1,400-activity menu loads at once and nobody re-keys it.

The columns (:data:`COLUMNS`) are the same in both formats and both
directions; an exported file imports back without changes. Import rules:

* the file is at most ``settings.ICIHUB_MAX_UPLOAD_BYTES`` and is a CSV
  (UTF-8, comma-separated, first non-comment line the header) or an XLSX
  workbook (first sheet; the header is the first row holding ``code`` and
  ``title``); lines/rows before the header (the export's marking banner) and
  empty rows are skipped;
* a row whose ``code`` exists updates that activity, otherwise it creates one
  (provenance "imported");
* every row is checked first; any error (reported with its row number and
  field) means nothing is written: the import is all-or-nothing;
* a dry run checks and reports what would be created, updated or left
  unchanged, and writes nothing.

Exports neutralise every text cell against spreadsheet formula injection
(:func:`icihub.core.text.neutralise_formula`; the import removes that
apostrophe again), carry the most restrictive marking of their rows (a banner
line, the XLSX properties, header and footer) and are audited as export
events."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from icihub.core import audit, tables, uploads
from icihub.core.access import Marking, most_restrictive, policy_for
from icihub.core.text import (
    forbidden_character,
    forbidden_character_message,
    neutralise_formula,
)
from icihub.partners.models import Country, Framework, Organisation

from .models import Activity, Area

Progress = Callable[[str], None]

MAX_ROWS = 20_000
CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]*$")
YEAR_MIN, YEAR_MAX = 1949, 2100
LIST_SEPARATOR = "; "


@dataclass(frozen=True)
class Column:
    name: str
    description: str  # lazily translated
    required: bool = False


COLUMNS = [
    Column("code", gettext_lazy("Unique code, e.g. PCM-CYB-001 (letters, digits, . _ / -)."), True),
    Column("title", gettext_lazy("Title in English."), True),
    Column("title_ar", gettext_lazy("Title in Arabic.")),
    Column("description", gettext_lazy("Description in English.")),
    Column("description_ar", gettext_lazy("Description in Arabic.")),
    Column("areas", gettext_lazy("Areas of cooperation: codes (or names) separated by ';'.")),
    Column(
        "format",
        format_lazy(
            gettext_lazy("One of: {values} (or the format's English name)."),
            values=", ".join(Activity.Format.values),
        ),
        True,
    ),
    Column(
        "provider",
        gettext_lazy("Providing organisation: its slug or acronym (e.g. nato-school, JALLC)."),
    ),
    Column(
        "frameworks",
        gettext_lazy("Open to frameworks: codes or acronyms separated by ';' (ici; md; pfp)."),
    ),
    Column(
        "countries", gettext_lazy("Open to countries: ISO 3166 codes separated by ';' (KWT; SAU).")
    ),
    Column("languages", gettext_lazy("Language codes separated by ',' or ';' (default en).")),
    Column(
        "level",
        format_lazy(
            gettext_lazy("One of: {values}, or empty."), values=", ".join(Activity.Level.values)
        ),
    ),
    Column("first_year", gettext_lazy("First year offered (e.g. 2024), or empty.")),
    Column("last_year", gettext_lazy("Last year offered, or empty (open-ended).")),
    Column(
        "marking",
        format_lazy(
            gettext_lazy("Releasability: {values} (default rel_ici)."),
            values=", ".join(Marking.values),
        ),
    ),
    Column("external_ref", gettext_lazy("e-PRIME or course-catalogue number.")),
    Column("status", gettext_lazy("active or retired (default active).")),
    Column(
        "provenance",
        gettext_lazy("Where the record comes from (exported only; ignored on import)."),
    ),
]
COLUMN_NAMES = [c.name for c in COLUMNS]
REQUIRED = {c.name for c in COLUMNS if c.required}
SCALAR_FIELDS = [
    "title",
    "title_ar",
    "description",
    "description_ar",
    "format",
    "provider_id",
    "languages",
    "level",
    "first_year",
    "last_year",
    "marking",
    "external_ref",
    "status",
]
M2M = {"areas": "area_id", "frameworks": "framework_id", "countries": "country_id"}
M2M_FIELD = {
    "areas": "areas",
    "frameworks": "eligible_frameworks",
    "countries": "eligible_countries",
}


# -- reports ---------------------------------------------------------------------------


@dataclass
class RowError:
    row: int
    field: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "field": self.field, "message": self.message}


@dataclass
class RowOutcome:
    row: int
    code: str
    action: str  # create, update, unchanged
    changes: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"row": self.row, "code": self.code, "action": self.action, "changes": self.changes}


@dataclass
class ImportReport:
    filename: str = ""
    file_format: str = ""
    dry_run: bool = True
    committed: bool = False
    rows: list[RowOutcome] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def _count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)

    @property
    def created(self) -> int:
        return self._count("create")

    @property
    def updated(self) -> int:
        return self._count("update")

    @property
    def unchanged(self) -> int:
        return self._count("unchanged")

    @property
    def total(self) -> int:
        return len(self.rows)

    def error(self, row: int, field_name: str, message: str) -> None:
        self.errors.append(RowError(row, field_name, str(message)))

    def validation_error(self) -> ValidationError:
        """The errors as one ValidationError keyed "row N.field" (API 400, forms)."""
        errors: dict[str, list[str]] = {}
        for e in self.errors:
            key = f"row {e.row}.{e.field}" if e.row else e.field or "file"
            errors.setdefault(key, []).append(e.message)
        return ValidationError(errors)

    def as_dict(self) -> dict:
        return {
            "filename": self.filename,
            "format": self.file_format,
            "dry_run": self.dry_run,
            "committed": self.committed,
            "total": self.total,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "errors": [e.as_dict() for e in self.errors],
            "rows": [r.as_dict() for r in self.rows if r.action != "unchanged"],
        }


class ImportRejected(ValidationError):
    """A (non dry-run) import with errors: nothing was written."""

    def __init__(self, report: ImportReport):
        self.report = report
        super().__init__(report.validation_error().error_dict)


# -- reading the file ---------------------------------------------------------------------


def read_upload(upload) -> tuple[bytes, str]:
    """The bytes and name of an uploaded file (Django UploadedFile, a path, or
    (name, bytes)), refusing files over the size limit before reading them whole
    (``core.uploads``; the type is told by ``core.tables.detect_format``)."""
    return uploads.read_upload(upload, extensions=())


def parse_rows(data: bytes, filename: str, report: ImportReport) -> list[tuple[int, dict]]:
    """[(row number, {column: text})] of the data rows, or errors in ``report``."""
    table = tables.read_table(
        data, filename, max_rows=MAX_ROWS, header_holds=("code", "title"), sheet="Menu"
    )
    report.file_format = table.format
    number, header = table.header_row, table.columns
    unknown = [c for c in header if c and c not in COLUMN_NAMES]
    for name in unknown:
        report.error(number, name, _("Unknown column “%(name)s”.") % {"name": name})
    missing = [c for c in COLUMN_NAMES if c in REQUIRED and c not in header]
    for name in missing:
        report.error(number, name, _("The column “%(name)s” is missing.") % {"name": name})
    duplicates = {c for c in header if c and header.count(c) > 1}
    for name in sorted(duplicates):
        report.error(number, name, _("The column “%(name)s” appears twice.") % {"name": name})
    rows: list[tuple[int, dict]] = []
    for number, cells in table.rows:
        texts = [tables.cell_text(c) for c in cells]
        if not any(texts):
            continue
        for i, text in enumerate(texts):
            char = forbidden_character(text)
            if char is not None:  # NUL, control characters: refused, never stored
                column = header[i] if i < len(header) else ""
                report.error(number, column, forbidden_character_message(char))
                texts[i] = ""
        if len(texts) > len(header) and any(texts[len(header) :]):
            report.error(number, "", _("This row has more cells than the header."))
        rows.append(
            (
                number,
                {name: texts[i] if i < len(texts) else "" for i, name in enumerate(header) if name},
            )
        )
    return rows


def normalise_languages(value) -> str:
    """ "en, AR;fr" -> "en,ar,fr"; a ValidationError on anything not a language code."""
    if isinstance(value, (list, tuple)):
        parts = value
    else:
        parts = str(value or "").replace(";", ",").split(",")
    codes = []
    for part in parts:
        code = str(part).strip().lower()
        if not code:
            continue
        if not code.isalpha() or not 2 <= len(code) <= 3:
            raise ValidationError(
                {
                    "languages": _("“%(code)s” is not a language code such as en or ar.")
                    % {"code": part}
                }
            )
        if code not in codes:
            codes.append(code)
    if not codes:
        raise ValidationError({"languages": _("Give at least one language code.")})
    return ",".join(codes)


# -- validating ----------------------------------------------------------------------------


@dataclass
class _Lookups:
    areas: dict[str, int]
    frameworks: dict[str, int]
    countries: dict[str, int]
    providers: dict[str, int]
    formats: dict[str, str]
    levels: dict[str, str]
    markings: dict[str, str]
    statuses: dict[str, str]

    @classmethod
    def load(cls) -> _Lookups:
        areas, frameworks, countries, providers = {}, {}, {}, {}
        for pk, code, name in Area.objects.values_list("pk", "code", "name"):
            areas[code.lower()] = pk
            areas.setdefault(name.lower(), pk)
        for pk, code, acronym in Framework.objects.values_list("pk", "code", "acronym"):
            frameworks[code.lower()] = pk
            frameworks.setdefault(acronym.lower(), pk)
        for pk, iso2, iso3 in Country.objects.values_list("pk", "iso2", "iso3"):
            countries[iso3.lower()] = pk
            countries[iso2.lower()] = pk
        for pk, slug, acronym in Organisation.objects.values_list("pk", "slug", "acronym"):
            providers[slug.lower()] = pk
            if acronym:
                providers.setdefault(acronym.lower(), pk)

        def choices(enum):
            out = {}
            for value, label in enum.choices:
                out[value.lower()] = value
                out.setdefault(str(label).lower(), value)
            return out

        return cls(
            areas,
            frameworks,
            countries,
            providers,
            choices(Activity.Format),
            choices(Activity.Level),
            choices(Marking),
            choices(Activity.Status),
        )


def _split(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[;\n]", text or "") if part.strip()]


def _year(text: str, row: int, name: str, report: ImportReport) -> int | None:
    if not text:
        return None
    if not re.fullmatch(r"\d{4}", text):
        report.error(row, name, _("“%(value)s” is not a year.") % {"value": text})
        return None
    year = int(text)
    if not YEAR_MIN <= year <= YEAR_MAX:
        report.error(
            row,
            name,
            _("The year must be between %(min)s and %(max)s.") % {"min": YEAR_MIN, "max": YEAR_MAX},
        )
        return None
    return year


def _choice(text, mapping, row, name, report, default=None, allow_blank=False):
    if not text:
        if default is not None or allow_blank:
            return default or ""
        report.error(row, name, _("This field is required."))
        return None
    value = mapping.get(text.lower())
    if value is None:
        report.error(row, name, _("“%(value)s” is not a valid choice.") % {"value": text})
    return value


def _ids(text, mapping, row, name, report) -> set[int]:
    ids = set()
    for part in _split(text):
        pk = mapping.get(part.lower())
        if pk is None:
            report.error(row, name, _("Unknown value “%(value)s”.") % {"value": part})
        else:
            ids.add(pk)
    return ids


def _validate_row(number: int, raw: dict, lookups: _Lookups, report: ImportReport) -> dict | None:
    errors_before = len(report.errors)
    code = raw.get("code", "")
    if not code:
        report.error(number, "code", _("This field is required."))
    elif len(code) > 40 or not CODE_RE.match(code):
        report.error(
            number, "code", _("A code is at most 40 letters, digits and . _ / - (no spaces).")
        )
    title = raw.get("title", "")
    if not title:
        report.error(number, "title", _("This field is required."))
    try:
        languages = normalise_languages(raw.get("languages") or "en")
    except ValidationError as exc:
        report.error(number, "languages", exc.message_dict["languages"][0])
        languages = "en"
    provider_text = raw.get("provider", "")
    provider_id = None
    if provider_text:
        provider_id = lookups.providers.get(provider_text.lower())
        if provider_id is None:
            report.error(
                number,
                "provider",
                _("Unknown organisation “%(value)s”.") % {"value": provider_text},
            )
    values = {
        "code": code,
        "title": title,
        "title_ar": raw.get("title_ar", ""),
        "description": raw.get("description", ""),
        "description_ar": raw.get("description_ar", ""),
        "format": _choice(raw.get("format", ""), lookups.formats, number, "format", report),
        "provider_id": provider_id,
        "languages": languages,
        "level": _choice(
            raw.get("level", ""), lookups.levels, number, "level", report, allow_blank=True
        ),
        "first_year": _year(raw.get("first_year", ""), number, "first_year", report),
        "last_year": _year(raw.get("last_year", ""), number, "last_year", report),
        "marking": _choice(
            raw.get("marking", ""),
            lookups.markings,
            number,
            "marking",
            report,
            default=Marking.REL_ICI,
        ),
        "external_ref": raw.get("external_ref", ""),
        "status": _choice(
            raw.get("status", ""),
            lookups.statuses,
            number,
            "status",
            report,
            default=Activity.Status.ACTIVE,
        ),
        "areas": _ids(raw.get("areas", ""), lookups.areas, number, "areas", report),
        "frameworks": _ids(
            raw.get("frameworks", ""), lookups.frameworks, number, "frameworks", report
        ),
        "countries": _ids(raw.get("countries", ""), lookups.countries, number, "countries", report),
    }
    if values["first_year"] and values["last_year"] and values["last_year"] < values["first_year"]:
        report.error(number, "last_year", _("The last year offered cannot precede the first."))
    if len(report.errors) > errors_before:
        return None
    # The model's own field checks (lengths, choices), without database queries.
    candidate = Activity(**{k: v for k, v in values.items() if k not in M2M})
    try:
        candidate.full_clean(
            exclude=["provider", "areas", "eligible_frameworks", "eligible_countries"],
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            for message in messages:
                report.error(number, "" if name == "__all__" else name, message)
        return None
    return values


def check_import_allowed(actor) -> None:
    """The system (the CLI) and those with the right to create activities import."""
    if not policy_for(Activity).can_create(actor):
        raise PermissionDenied(_("You may not import the cooperation menu."))


def import_menu(
    actor,
    upload,
    *,
    dry_run: bool = False,
    filename: str | None = None,
    progress: Progress | None = None,
    reason: str = "",
) -> ImportReport:
    """Check (and unless ``dry_run``, apply) a menu file. With errors nothing is
    written: a dry run returns the report, a real run raises :class:`ImportRejected`
    (a ValidationError carrying the report)."""
    progress = progress or (lambda line: None)
    check_import_allowed(actor)
    data, name = read_upload(upload)
    report = ImportReport(filename=filename or name, dry_run=dry_run)
    parsed = parse_rows(data, report.filename, report)
    progress(f"read {len(parsed):,} rows from {report.filename} ({report.file_format})")
    if report.errors:  # the header is wrong: the rows cannot be read sensibly
        if dry_run:
            return report
        raise ImportRejected(report)
    lookups = _Lookups.load()

    records: list[tuple[int, dict]] = []
    seen: dict[str, int] = {}
    for index, (number, raw) in enumerate(parsed, start=1):
        values = _validate_row(number, raw, lookups, report)
        code_key = (raw.get("code") or "").lower()
        if code_key:
            if code_key in seen:
                report.error(
                    number,
                    "code",
                    _("The code “%(code)s” already appears in row %(row)s.")
                    % {"code": raw.get("code"), "row": seen[code_key]},
                )
                values = None
            else:
                seen[code_key] = number
        if values is not None:
            records.append((number, values))
        if index % 500 == 0:
            progress(f"checked {index:,} of {len(parsed):,} rows")

    codes = [v["code"] for _n, v in records]
    existing = {a.code.lower(): a for a in _existing(codes)}
    editable = set()
    if existing:
        qs = Activity.objects.filter(pk__in=[a.pk for a in existing.values()])
        editable = set(qs.editable_by(actor).values_list("pk", flat=True))
    current_m2m = _current_m2m([a.pk for a in existing.values()])

    plan: list[tuple[RowOutcome, dict, Activity | None]] = []
    for number, values in records:
        current = existing.get(values["code"].lower())
        if current is None:
            plan.append((RowOutcome(number, values["code"], "create"), values, None))
            continue
        if current.pk not in editable:
            report.error(number, "code", _("This code belongs to an activity you may not change."))
            continue
        changes = _changes(current, values, current_m2m.get(current.pk, {}))
        action = "update" if changes else "unchanged"
        plan.append((RowOutcome(number, values["code"], action, changes), values, current))
    report.rows = [outcome for outcome, _v, _c in plan]
    report.errors.sort(key=lambda e: (e.row, e.field))
    progress(
        f"{report.created:,} to create, {report.updated:,} to update, "
        f"{report.unchanged:,} unchanged, {len(report.errors):,} errors"
    )
    if report.errors:
        if dry_run:
            return report
        raise ImportRejected(report)
    if dry_run:
        return report
    with (
        audit.acting(actor, reason=reason or f"menu import: {report.filename}"),
        transaction.atomic(),
    ):
        _apply(plan, current_m2m, progress)
        audit.record(
            audit.Action.EVENT,
            None,
            {
                "file": report.filename,
                "format": report.file_format,
                "created": report.created,
                "updated": report.updated,
                "unchanged": report.unchanged,
            },
            message=f"menu import of {report.filename}: {report.created} created, "
            f"{report.updated} updated, {report.unchanged} unchanged",
        )
    report.committed = True
    progress(f"imported: {report.created:,} created, {report.updated:,} updated")
    return report


def _existing(codes: list[str]) -> list[Activity]:
    out = []
    lowered = [c.lower() for c in codes]
    # Codes are compared case-insensitively; chunked to stay under SQL parameter limits.
    all_codes = dict(Activity._base_manager.values_list("code", "pk"))
    wanted = {code.lower() for code in lowered}
    pks = [pk for code, pk in all_codes.items() if code.lower() in wanted]
    for start in range(0, len(pks), 900):
        out.extend(Activity._base_manager.filter(pk__in=pks[start : start + 900]))
    return out


def _current_m2m(pks: list[int]) -> dict[int, dict[str, set[int]]]:
    out: dict[int, dict[str, set[int]]] = {pk: {k: set() for k in M2M} for pk in pks}
    if not pks:
        return out
    for key, column in M2M.items():
        through = getattr(Activity, M2M_FIELD[key]).through
        for start in range(0, len(pks), 900):
            chunk = pks[start : start + 900]
            for activity_id, target in through.objects.filter(activity_id__in=chunk).values_list(
                "activity_id", column
            ):
                out[activity_id][key].add(target)
    return out


def _changes(current: Activity, values: dict, m2m: dict[str, set[int]]) -> dict:
    changes = {}
    for name in SCALAR_FIELDS:
        before = getattr(current, name)
        after = values[name]
        if (before or None) != (after or None):
            changes[name] = {"before": before, "after": after}
    for key in M2M:
        before = m2m.get(key, set())
        after = values[key]
        if before != after:
            changes[key] = {"before": sorted(before), "after": sorted(after)}
    return changes


def _apply(plan, current_m2m, progress: Progress) -> None:
    now = timezone.now()
    to_create: list[tuple[Activity, dict]] = []
    to_update: list[tuple[Activity, dict, dict]] = []
    for outcome, values, current in plan:
        scalars = {k: values[k] for k in SCALAR_FIELDS}
        if current is None:
            obj = Activity(
                code=values["code"],
                provenance=Activity.Provenance.IMPORTED,
                created_at=now,
                updated_at=now,
                **scalars,
            )
            obj.search_text = Activity.compute_search_text(
                obj.code, obj.title, obj.title_ar, obj.description, obj.description_ar
            )
            to_create.append((obj, values))
        elif outcome.action == "update":
            for name, value in scalars.items():
                setattr(current, name, value)
            current.search_text = Activity.compute_search_text(
                current.code,
                current.title,
                current.title_ar,
                current.description,
                current.description_ar,
            )
            current.updated_at = now
            to_update.append((current, values, outcome.changes))

    created = [obj for obj, _v in to_create]
    Activity.objects.bulk_create(created, batch_size=500)
    if created and (
        created[0].pk is None or not connection.features.can_return_rows_from_bulk_insert
    ):
        pks = dict(Activity._base_manager.filter(created_at=now).values_list("code", "pk"))
        for obj in created:
            obj.pk = pks[obj.code]
    progress(f"created {len(created):,} activities")
    if to_update:
        fields = sorted(
            {name for _o, _v, changes in to_update for name in changes if name in SCALAR_FIELDS}
            | {"search_text", "updated_at"}
        )
        Activity.objects.bulk_update([o for o, _v, _c in to_update], fields, batch_size=500)
        progress(f"updated {len(to_update):,} activities")

    for key, column in M2M.items():
        through = getattr(Activity, M2M_FIELD[key]).through
        add, remove = [], []
        for obj, values in to_create:
            add.extend(through(activity_id=obj.pk, **{column: target}) for target in values[key])
        for obj, values, _changes in to_update:
            before = current_m2m.get(obj.pk, {}).get(key, set())
            after = values[key]
            add.extend(through(activity_id=obj.pk, **{column: t}) for t in after - before)
            remove.extend((obj.pk, t) for t in before - after)
        for activity_id, target in remove:
            through.objects.filter(activity_id=activity_id, **{column: target}).delete()
        through.objects.bulk_create(add, batch_size=900)

    created_entries = []
    for obj, values in to_create:
        snapshot = audit.diff(None, audit.snapshot(obj))
        for key in M2M:
            if values[key]:
                snapshot[M2M_FIELD[key]] = {"added": sorted(values[key])}
        created_entries.append((obj, snapshot))
    # No model signals for bulk writes: one entry per row, in one bulk insert each.
    audit.record_many(audit.Action.CREATE, created_entries)
    audit.record_many(audit.Action.UPDATE, [(obj, changes) for obj, _values, changes in to_update])


# -- export ------------------------------------------------------------------------------


@dataclass
class ExportResult:
    content: bytes
    filename: str
    content_type: str
    marking: Marking
    count: int


CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def export_rows(activities) -> list[list]:
    """The export rows (a header first) of ``activities`` (prefetch areas,
    eligible_frameworks, eligible_countries and select provider)."""
    rows = [COLUMN_NAMES]
    for a in activities:
        rows.append(
            [
                a.code,
                a.title,
                a.title_ar,
                a.description,
                a.description_ar,
                LIST_SEPARATOR.join(x.code for x in a.areas.all()),
                a.format,
                a.provider.slug if a.provider_id else "",
                LIST_SEPARATOR.join(x.code for x in a.eligible_frameworks.all()),
                LIST_SEPARATOR.join(x.iso3 for x in a.eligible_countries.all()),
                a.languages,
                a.level,
                a.first_year,
                a.last_year,
                a.marking,
                a.external_ref,
                a.status,
                a.provenance,
            ]
        )
    return rows


def export_menu(
    actor, file_format: str = "csv", *, ids: list[int] | None = None, progress=None
) -> ExportResult:
    """The menu as ``actor`` may see it (:data:`~icihub.core.access.SYSTEM` sees everything),
    optionally only the activities ``ids``, as CSV or XLSX."""
    from .selectors import activity_queryset

    progress = progress or (lambda line: None)
    file_format = (file_format or "csv").lower()
    if file_format not in CONTENT_TYPES:
        raise ValidationError({"format": _("Choose csv or xlsx.")})
    qs = Activity.objects.visible_to(actor)
    if ids is not None:
        qs = qs.filter(pk__in=ids) if len(ids) <= 900 else qs.filter(pk__in=list(ids))
    activities = list(activity_queryset(qs).order_by("code"))
    marking = most_restrictive(a.marking for a in activities)
    rows = export_rows(activities)
    progress(f"exporting {len(activities):,} activities ({marking.label})")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    filename = f"icihub-menu-{stamp}.{file_format}"
    banner = (
        f"{marking.label} — icihub cooperation menu, {len(activities)} activities, exported {stamp}"
    )
    content = _csv(rows, banner) if file_format == "csv" else _xlsx(rows, banner, marking)
    audit.log_event(
        audit.Action.EXPORT,
        None,
        message=f"cooperation menu exported as {file_format} ({len(activities)} activities)",
        data={"format": file_format, "rows": len(activities), "marking": marking.value},
        actor=actor,
    )
    return ExportResult(content, filename, CONTENT_TYPES[file_format], marking, len(activities))


def _csv(rows: list[list], banner: str) -> bytes:
    out = io.StringIO(newline="")
    out.write(f"# {banner}\r\n")
    writer = csv.writer(out)
    for row in rows:
        writer.writerow(["" if v is None else neutralise_formula(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _xlsx(rows: list[list], banner: str, marking: Marking) -> bytes:
    import openpyxl
    from openpyxl.styles import Font

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Menu"
    sheet.append([neutralise_formula(banner)])
    sheet["A1"].font = Font(bold=True)
    for index, row in enumerate(rows):
        sheet.append([neutralise_formula(v) if isinstance(v, str) else v for v in row])
        if index == 0:
            for cell in sheet[2]:
                cell.font = Font(bold=True)
    sheet.freeze_panes = "B3"
    sheet.oddHeader.center.text = str(marking.label)
    sheet.oddFooter.center.text = str(marking.label)
    columns = book.create_sheet("Columns")
    columns.append(["column", "required", "description"])
    for column in COLUMNS:
        columns.append([column.name, "yes" if column.required else "", str(column.description)])
    book.properties.title = "icihub cooperation menu"
    book.properties.subject = str(marking.label)
    book.properties.keywords = marking.value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
