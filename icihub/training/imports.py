"""Import of participants and their nominations from CSV or XLSX.

One row is one person and, when a session is named (the ``session`` column, or
the session the import is made from), their nomination to it. The columns
(header names are case-insensitive; spaces and dashes count as underscores):

    given_name*, family_name*, name_ar, country* (ISO 3166 alpha-3 or alpha-2),
    service* (army, navy, air force, national guard, police, civil defence,
    ministry, other), rank, rank_code (OF-1…OF-10, OR-1…OR-9, CIV; left empty,
    the rank table's code for the rank, see ``ranks.py``: an unknown rank
    without a code is an error, no rank a civilian), position,
    organisation, email, date_of_birth (YYYY-MM-DD), session (a session
    reference), priority (1 = the country's first choice)

How it works:
  * ``dry run`` first: every row is checked and the preview says, per row,
    whether the person is new or already recorded and whether the nomination
    takes a seat or goes to the waiting list, with the errors of each row;
  * the commit is all or nothing: a file with one bad row writes nothing;
  * one person is one participant: a row that describes a person already
    recorded (the rule of ``services.find_duplicates``: same country and e-mail,
    or same country and normalised name not contradicted by e-mail or date of
    birth) uses that participant and does not change it; two rows of the file
    describing the same person are one person;
  * seats follow the same rules as nominating on the page (quota, then the
    waiting list), decided again under the session lock at commit;
  * limits: ``settings.ICIHUB_MAX_UPLOAD_BYTES`` and :data:`MAX_ROWS`; only
    .csv (UTF-8) and .xlsx; an XLSX is read in read-only mode and formulas are
    never executed: a cell holding a formula is refused;
  * imports do not e-mail each nominee: the result page lists who holds a seat
    and who waits.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from icihub.core import audit, tables
from icihub.core.errors import Conflict
from icihub.core.permissions import acts_for
from icihub.core.text import forbidden_character, forbidden_character_message, local
from icihub.partners.models import Country
from icihub.partners.selectors import is_eligible

from .models import Nomination, Participant, Session
from .permissions import can_import_people
from .seats import SeatLedger
from .services import rank_code_of, without_cyclic_gc

MAX_ROWS = 50_000
REQUIRED = ("given_name", "family_name", "country", "service")
COLUMNS = (
    "given_name",
    "family_name",
    "name_ar",
    "country",
    "service",
    "rank",
    "rank_code",
    "position",
    "organisation",
    "email",
    "date_of_birth",
    "session",
    "priority",
)
ALIASES = {
    "first_name": "given_name",
    "given": "given_name",
    "last_name": "family_name",
    "surname": "family_name",
    "family": "family_name",
    "arabic_name": "name_ar",
    "name_arabic": "name_ar",
    "e_mail": "email",
    "mail": "email",
    "dob": "date_of_birth",
    "birth_date": "date_of_birth",
    "nato_rank_code": "rank_code",
    "nato_code": "rank_code",
    "session_reference": "session",
    "reference": "session",
}
Progress = Callable[[str], None]


class ImportFileError(ValidationError):
    pass


# -- reading ---------------------------------------------------------------------------


def read_table(name: str, data: bytes) -> list[dict]:
    """The rows of an uploaded file as dictionaries of column -> value (strings,
    dates or numbers), read by ``core.tables`` (size, type, row count; a formula
    is read as its text, never evaluated, and refused per row by :func:`run`)."""
    try:
        table = tables.read_table(
            data,
            name,
            max_rows=MAX_ROWS,
            aliases=ALIASES,
            header_holds=REQUIRED,
            delimiters=",;",
            formulas="text",
        )
    except ValidationError as exc:
        raise ImportFileError(exc.message_dict)
    _check_columns(table.columns)
    return table.dicts()


def _check_columns(columns: list[str]) -> None:
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise ImportFileError(
            {"file": _("Missing columns: %(cols)s.") % {"cols": ", ".join(missing)}}
        )


# -- checking ---------------------------------------------------------------------------


@dataclass
class Row:
    line: int
    given_name: str = ""
    family_name: str = ""
    country: str = ""
    session: str = ""
    participant: Participant | None = None
    person: str = ""  # "new", "existing", "repeat" (same person earlier in the file)
    seat: str = ""  # "seat", "waiting" or "" (no nomination)
    priority: int | None = None
    given_priority: int | None = None
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class ImportResult:
    rows: list[Row]
    committed: bool = False
    new_people: int = 0
    existing_people: int = 0
    seats: int = 0
    waiting: int = 0

    @property
    def errors(self) -> list[Row]:
        return [row for row in self.rows if row.errors]

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        rows, errors = len(self.rows), len(self.errors)
        return _("%(rows)s: %(new)s, %(existing)s; %(seats)s, %(waiting)s; %(errors)s.") % {
            "rows": ngettext("%(n)d row", "%(n)d rows", rows) % {"n": rows},
            "new": ngettext("%(n)d new person", "%(n)d new people", self.new_people)
            % {"n": self.new_people},
            "existing": _("%(n)d already recorded") % {"n": self.existing_people},
            "seats": ngettext(
                "%(n)d nomination with a seat", "%(n)d nominations with a seat", self.seats
            )
            % {"n": self.seats},
            "waiting": _("%(n)d on the waiting list") % {"n": self.waiting},
            "errors": ngettext("%(n)d row with errors", "%(n)d rows with errors", errors)
            % {"n": errors},
        }


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def _is_formula(value) -> bool:
    return isinstance(value, str) and value.lstrip().startswith("=")


def _choice(value: str, choices) -> str | None:
    wanted = value.strip().lower().replace("-", " ").replace("_", " ").replace("/", " ")
    wanted = " ".join(wanted.split())
    for key, label in choices:
        for candidate in (key, str(label)):
            normal = candidate.lower().replace("-", " ").replace("_", " ").replace("/", " ")
            if " ".join(normal.split()) == wanted:
                return key
    return None


SERVICE_ALIASES = {
    "civil defence": "civil_defence",
    "fire": "civil_defence",
    "airforce": "air_force",
}


@functools.lru_cache(maxsize=256)
def _service(value: str) -> str | None:
    key = SERVICE_ALIASES.get(value.strip().lower())
    return key or _choice(value, Participant.Service.choices)


@functools.lru_cache(maxsize=256)
def _rank_code(value: str) -> str | None:
    """The NATO code written in the file ("" when none: the rank decides)."""
    raw = value.strip().upper().replace(" ", "").replace("_", "-")
    if raw == "":
        return ""
    if raw in ("CIV", "CIVILIAN"):
        return Participant.RankCode.CIVILIAN
    if len(raw) in (3, 4, 5) and raw[:2] in ("OF", "OR"):
        digits = raw[2:].lstrip("-")
        candidate = f"{raw[:2]}-{digits}"
        if candidate in Participant.RankCode.values:
            return candidate
    return None


def _rank_from_table(rank: str, service: str, row: Row) -> str | None:
    """The code of a rank given without one (the rank table, as the
    participants service does); an unknown rank is the row's error."""
    try:
        return rank_code_of(rank, service)
    except ValidationError as exc:
        row.errors.extend(exc.messages)
        return None


def _date(value) -> dt.date | None | str:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        return "invalid"


class _Checker:
    """Checks rows against the database, caching look-ups for big files."""

    def __init__(self, actor, default_session: Session | None):
        self.actor = actor
        self.default_session = default_session
        self.countries = {}
        for country in Country.objects.all():
            self.countries[country.iso3] = country
            self.countries[country.iso2] = country
        self.sessions: dict[str, Session | None] = {}
        self.eligible: dict[tuple[int, int], bool] = {}
        self.today = timezone.localdate()

    def country(self, code: str) -> Country | None:
        return self.countries.get(code.strip().upper())

    def session(self, reference: str) -> Session | None:
        if not reference:
            return self.default_session
        if reference not in self.sessions:
            self.sessions[reference] = (
                Session.objects.visible_to(self.actor)
                .select_related("course")
                .filter(reference=reference)
                .first()
            )
        return self.sessions[reference]

    def is_eligible(self, country: Country, session: Session) -> bool:
        key = (country.pk, session.pk)
        if key not in self.eligible:
            self.eligible[key] = is_eligible(country, session.course, on=session.start)
        return self.eligible[key]


def _parse_row(line: int, raw: dict, checker: _Checker) -> tuple[Row, dict, Session | None]:
    row = Row(line=line)
    values = {}
    for column in COLUMNS:
        value = raw.get(column)
        if _is_formula(value):
            row.errors.append(
                _("%(col)s holds a formula; formulas are not accepted.") % {"col": column}
            )
            value = ""
        char = forbidden_character(value) if isinstance(value, str) else None
        if char is not None:  # NUL, control characters: refused, never stored
            row.errors.append(
                _("%(col)s: %(message)s")
                % {"col": column, "message": forbidden_character_message(char)}
            )
            value = ""
        values[column] = value
    row.given_name = _text(values["given_name"])[:100]
    row.family_name = _text(values["family_name"])[:100]
    row.country = _text(values["country"]).upper()
    row.session = _text(values["session"])
    if not row.given_name:
        row.errors.append(_("The given name is missing."))
    if not row.family_name:
        row.errors.append(_("The family name is missing."))
    country = checker.country(row.country) if row.country else None
    if country is None:
        row.errors.append(
            _("Unknown country “%(c)s” (use an ISO code such as KWT).") % {"c": row.country}
        )
    elif not acts_for(checker.actor, country):
        row.errors.append(
            _("A national coordinator imports only their own country's people (this row: %(c)s).")
            % {"c": country.iso3}
        )
    service = _service(_text(values["service"]))
    if service is None:
        row.errors.append(_("Unknown service “%(s)s”.") % {"s": _text(values["service"])})
    rank_code = _rank_code(_text(values["rank_code"]))
    if rank_code is None:
        row.errors.append(
            _("Unknown NATO rank code “%(r)s” (OF-1…OF-10, OR-1…OR-9 or CIV).")
            % {"r": _text(values["rank_code"])}
        )
    elif rank_code == "":
        rank_code = _rank_from_table(_text(values["rank"])[:60], service or "", row)
    email = _text(values["email"]).lower()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            row.errors.append(_("“%(e)s” is not an e-mail address.") % {"e": email})
    birth = _date(values["date_of_birth"])
    if birth == "invalid":
        row.errors.append(_("The date of birth is not a date (YYYY-MM-DD)."))
        birth = None
    elif birth is not None and (problem := Participant.birth_date_problem(birth)):
        row.errors.append(problem)
        birth = None
    priority = _text(values["priority"])
    if priority:
        try:
            row.given_priority = int(priority)
            if row.given_priority < 1:
                raise ValueError
        except ValueError:
            row.errors.append(_("The priority is a whole number from 1."))
            row.given_priority = None
    session = checker.session(row.session)
    if row.session and session is None:
        row.errors.append(_("Unknown session “%(s)s”.") % {"s": row.session})
    if session is not None and country is not None:
        if not session.accepts_nominations(checker.today):
            row.errors.append(
                _("Session %(s)s is not open for nominations.") % {"s": session.reference}
            )
        elif not checker.is_eligible(country, session):
            row.errors.append(
                _("%(c)s is not eligible for %(s)s.")
                % {"c": local(country), "s": session.reference}
            )
    data = {
        "given_name": row.given_name,
        "family_name": row.family_name,
        "name_ar": _text(values["name_ar"])[:200],
        "country": country,
        "service": service or "",
        "rank": _text(values["rank"])[:60],
        "rank_code": rank_code or "",
        "position": _text(values["position"])[:200],
        "organisation": _text(values["organisation"])[:200],
        "email": email[:254],
        "date_of_birth": birth,
    }
    return row, data, session


def _same_person(a: dict, b) -> bool:
    """The rule of services.find_duplicates, between a row and a participant-like."""
    b_email = (getattr(b, "email", None) if not isinstance(b, dict) else b["email"]) or ""
    b_birth = b.get("date_of_birth") if isinstance(b, dict) else b.date_of_birth
    b_key = b["name_key"] if isinstance(b, dict) else b.name_key
    if a["email"] and b_email and a["email"] == b_email.lower():
        return True
    if a["name_key"] != b_key:
        return False
    if a["email"] and b_email and a["email"] != b_email.lower():
        return False
    return not (a["date_of_birth"] and b_birth and a["date_of_birth"] != b_birth)


def _existing_people(parsed: list[tuple[Row, dict, Session | None]]) -> dict:
    """Participants of the file's countries with a matching name key or e-mail."""
    keys_by_country: dict[int, set] = defaultdict(set)
    emails_by_country: dict[int, set] = defaultdict(set)
    for _row, data, _session in parsed:
        if data["country"] is None:
            continue
        keys_by_country[data["country"].pk].add(data["name_key"])
        if data["email"]:
            emails_by_country[data["country"].pk].add(data["email"])
    found: dict[int, list[Participant]] = defaultdict(list)
    seen = set()
    for country_id in set(keys_by_country) | set(emails_by_country):
        for attr, values in (
            ("name_key__in", sorted(keys_by_country[country_id])),
            ("email__in", sorted(emails_by_country[country_id])),
        ):
            for start in range(0, len(values), 500):
                chunk = values[start : start + 500]
                for p in Participant.objects.filter(country_id=country_id, **{attr: chunk}):
                    if p.pk not in seen:
                        seen.add(p.pk)
                        found[country_id].append(p)
    index: dict[tuple[int, str], list[Participant]] = defaultdict(list)
    for country_id, people in found.items():
        for p in people:
            index[(country_id, p.name_key)].append(p)
            if p.email:
                index[(country_id, "@" + p.email.lower())].append(p)
    return index


def check(
    actor,
    rows: list[dict],
    *,
    default_session: Session | None = None,
    progress: Progress | None = None,
) -> tuple[ImportResult, list]:
    """Check every row (nothing is written). Returns the result and the plan the
    commit follows."""
    if not can_import_people(actor):
        raise PermissionDenied(_("Only national coordinators and Centre staff import."))
    progress = progress or (lambda line: None)
    checker = _Checker(actor, default_session)
    parsed = []
    for index, raw in enumerate(rows, start=2):  # line 1 is the header
        row, data, session = _parse_row(index, raw, checker)
        data["name_key"] = Participant.make_name_key(data["given_name"], data["family_name"])
        parsed.append((row, data, session))
        if (index - 1) % 5000 == 0:
            progress(f"  checked {index - 1} rows")
    existing = _existing_people(parsed)
    # One person is one participant: match rows to recorded people and to each other.
    people_in_file: dict[tuple[int, str], list[dict]] = defaultdict(list)
    nominated: dict[tuple[int, object], int] = {}
    active_pairs = set()
    session_ids = {s.pk for _r, _d, s in parsed if s is not None}
    matched_ids = set()
    plan = []
    for row, data, session in parsed:
        country = data["country"]
        if country is None:
            plan.append((row, data, session, None))
            continue
        candidates = existing.get((country.pk, data["name_key"]), [])
        if data["email"]:
            candidates = candidates + existing.get((country.pk, "@" + data["email"]), [])
        matches = {p.pk: p for p in candidates if _same_person(data, p)}
        if len(matches) > 1:
            row.errors.append(
                _("This row matches several recorded participants (#%(ids)s); fix them first.")
                % {"ids": ", #".join(str(pk) for pk in sorted(matches))}
            )
        person_key = None
        if len(matches) == 1:
            row.participant = next(iter(matches.values()))
            row.person = "existing"
            person_key = ("db", row.participant.pk)
            matched_ids.add(row.participant.pk)
        else:
            same = [
                d for d in people_in_file[(country.pk, data["name_key"])] if _same_person(data, d)
            ]
            if data["email"]:
                same += [
                    d
                    for d in people_in_file[(country.pk, "@" + data["email"])]
                    if _same_person(data, d) and d not in same
                ]
            if same:
                row.person = "repeat"
                person_key = ("file", same[0]["line"])
            else:
                row.person = "new"
                data["line"] = row.line
                person_key = ("file", row.line)
                people_in_file[(country.pk, data["name_key"])].append(data)
                if data["email"]:
                    people_in_file[(country.pk, "@" + data["email"])].append(data)
        data["person_key"] = person_key
        if session is not None and person_key is not None:
            pair = (session.pk, person_key)
            if pair in nominated:
                row.errors.append(
                    _("The same person is nominated twice to %(s)s (see line %(l)d).")
                    % {"s": session.reference, "l": nominated[pair]}
                )
            nominated[pair] = row.line
        plan.append((row, data, session, person_key))
    if matched_ids and session_ids:
        active_pairs = set(
            Nomination.objects.filter(
                session_id__in=session_ids,
                participant_id__in=matched_ids,
                status__in=Nomination.ACTIVE,
            ).values_list("session_id", "participant_id")
        )
        for row, _data, session, _key in plan:
            if (
                session is not None
                and row.participant is not None
                and (session.pk, row.participant.pk) in active_pairs
            ):
                row.errors.append(
                    _("%(n)s is already nominated to %(s)s.")
                    % {"n": row.participant.full_name, "s": session.reference}
                )
    result = ImportResult(rows=[p[0] for p in plan])
    _allocate(plan, result, {s.pk: s for _r, _d, s in parsed if s is not None})
    return result, plan


def _allocate(plan: list, result: ImportResult, sessions: dict[int, Session]) -> SeatLedger | None:
    """Decide seat or waiting list for each nomination row (in file order within
    each country, or by the ``priority`` column), as the page would. Returns the
    seat ledger holding the seats counted (:meth:`SeatLedger.save` writes them;
    a preview drops it)."""
    if not sessions:
        for row, *_rest in plan:
            if row.person == "new":
                result.new_people += 1
            elif row.person == "existing":
                result.existing_people += 1
        return None
    ledger = SeatLedger(sessions.values(), defer=True)
    top = defaultdict(lambda: defaultdict(int))
    for session_id, country_id, priority in (
        Nomination.objects.filter(session_id__in=list(sessions))
        .order_by()
        .values_list("session_id", "country_id")
        .annotate(top=Max("priority"))
    ):
        top[session_id][country_id] = priority
    ordered = sorted(
        (item for item in plan if item[2] is not None),
        key=lambda item: (
            item[0].given_priority is None,
            item[0].given_priority or 0,
            item[0].line,
        ),
    )
    for row, data, session, _key in ordered:
        if data["country"] is None:
            continue
        session = sessions[session.pk]
        country_id = data["country"].pk
        if row.given_priority is None:
            top[session.pk][country_id] += 1
            row.priority = top[session.pk][country_id]
        else:
            row.priority = row.given_priority
            top[session.pk][country_id] = max(top[session.pk][country_id], row.priority)
        row.seat = "seat" if ledger.try_take(session, country_id) else "waiting"
    for row, *_rest in plan:
        if row.person == "new":
            result.new_people += 1
        elif row.person == "existing":
            result.existing_people += 1
        if row.seat == "seat":
            result.seats += 1
        elif row.seat == "waiting":
            result.waiting += 1
    return ledger


# -- committing -----------------------------------------------------------------------


def run(
    actor,
    rows: list[dict],
    *,
    default_session: Session | None = None,
    commit: bool = False,
    source_name: str = "",
    progress: Progress | None = None,
) -> ImportResult:
    """Check the rows and, with ``commit`` and no error at all, write them in one
    transaction (all or nothing)."""
    progress = progress or (lambda line: None)
    progress(f"checking {len(rows)} rows")
    result, plan = check(actor, rows, default_session=default_session, progress=progress)
    if not commit or not result.ok:
        return result
    with without_cyclic_gc():
        return _commit(actor, plan, result, source_name, progress)


def _commit(actor, plan, result, source_name, progress) -> ImportResult:
    reason = _("Imported from %(f)s") % {"f": source_name or _("a file")}
    session_ids = sorted({s.pk for _r, _d, s, _k in plan if s is not None})
    with audit.acting(actor, reason=reason), transaction.atomic():
        locked = {
            s.pk: s
            for s in Session.objects.select_for_update(of=("self",))
            .select_related("course")
            .filter(pk__in=session_ids)
            .order_by("pk")
        }
        for session in locked.values():
            if not session.accepts_nominations(timezone.localdate()):
                raise Conflict(
                    _("Session %(s)s closed for nominations meanwhile.") % {"s": session.reference}
                )
        # Decide seats again under the locks: a nomination made since the preview counts.
        fresh = ImportResult(rows=result.rows)
        for row, *_rest in plan:
            row.seat = ""
        ledger = _allocate(plan, fresh, locked)
        progress("writing participants")
        people: dict[tuple, Participant] = {}
        new_people = []
        for row, data, _session, key in plan:
            if row.participant is not None:
                people[key] = row.participant
            elif row.person == "new":
                participant = Participant(
                    **{k: v for k, v in data.items() if k not in ("name_key", "person_key", "line")}
                )
                participant.prepare()
                people[key] = participant
                new_people.append(participant)
        try:
            Participant.objects.bulk_create(new_people, batch_size=1000)
        except IntegrityError:
            raise Conflict(_("Some of these people were recorded meanwhile: check the file again."))
        audit.record_bulk_create(new_people)
        progress(f"  {len(new_people)} new participants")
        now = timezone.now()
        nominations = []
        for row, data, session, key in plan:
            if session is None:
                continue
            seated = row.seat == "seat"
            session = locked[session.pk]
            nominations.append(
                Nomination(
                    session=session,
                    participant=people[key],
                    country=data["country"],
                    priority=row.priority or 1,
                    status=Nomination.Status.NOMINATED if seated else Nomination.Status.WAITLISTED,
                    has_seat=seated,
                    via_reallocation=False,  # seated at once: never waited
                    reason=reason,
                    nominated_by=actor,
                    nominated_at=now,
                )
            )
            row.participant = people[key]
        try:
            Nomination.objects.bulk_create(nominations, batch_size=1000)
        except IntegrityError:
            raise Conflict(
                _("Some of these people were nominated meanwhile: check the file again.")
            )
        audit.record_bulk_create(nominations)
        if ledger is not None:
            ledger.save()  # the seats _allocate counted, one update per session
        progress(f"  {len(nominations)} nominations")
        audit.log_event(
            audit.Action.EVENT,
            None,
            message=f"import: {len(new_people)} participants, {len(nominations)} nominations",
        )
    fresh.committed = True
    return fresh
