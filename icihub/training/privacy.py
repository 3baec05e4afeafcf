"""Personal data of the Centre's participants: the export of everything recorded
about one person, and their anonymisation after the retention period.

Why here (and not in ``core``): the personal data icihub keeps are the training
records of the Centre's participants (the person, their nominations,
attendance, evaluations and certificates, and their participant account);
``core`` is the kernel every app builds on and imports no app. ``core`` gives
the generic pieces used here: the access model, ``audit.redact`` (the one
audited path that changes recorded entries) and ``audit.record_many``.

Export (:func:`export_document`, :func:`export_file`)
------------------------------------------------------
A JSON document with the participant's record, their account, every
nomination with each step (who, when, why), attendance, outcome, evaluation
and certificate (with its verification code and address), and the audit
trail's entries about them; or a ZIP with that document and the PDF of each
valid certificate. Every part is read through the access model
(``visible_to(actor)``), so the document holds what the requester may see:

* the participant themself: everything about them but the audit trail;
* Centre and NATO staff: everything, the audit trail included;
* a national coordinator: their own country's participants only (another
  country's answers 404), without the individual evaluations and the audit
  trail, which they may not see (``"complete": false`` says so). Coordinators
  nominate these people and are often the channel of their requests, so they
  get the export of what they already see;
* instructors and everybody else: refused.

The command line (``icihub privacy export``) acts as the system (everything)
unless ``--as`` names a user. Every export is an ``export`` event of the audit
trail.

Anonymisation (:func:`retention`, :func:`due`, :func:`anonymise`)
------------------------------------------------------------------
``settings.ICIHUB_RETENTION_YEARS`` (default 5) years after the end of the
participant's last course (the latest end of a session they were nominated
to that was not cancelled; for someone never nominated to a held session, the
day the record was made), the participant is *due*, unless they still have a
nomination (nominated, accepted, waiting) on a session that is planned, open,
closed or running: an upcoming or running session keeps them.

Who anonymises: administrators and Centre staff (the Centre keeps the
training records and answers for them), or the system on the command line
(the operator of the server). NATO staff read and export these records but do
not erase them: an irreversible removal is left to the records' keepers.
The list of participants due is theirs too (others: 403).

Anonymising is irreversible, refused twice (:class:`Conflict`) and refused
before the retention period is over, unless an *administrator* (or the
command line's ``--before-due``) overrides the period with a reason (e.g. the
person asked to be forgotten): ``before_due=True``, recorded as such in the
trail. Even then a participant with an upcoming or running session is
refused: withdraw the nomination first. ``anonymise_due`` (and the command
line) is all or nothing for the whole run: one transaction; any refusal
leaves everything as it was. Anonymising removes:

* the participant's names (Latin and Arabic script), rank as written,
  position, organisation, e-mail, date of birth, and the derived search and
  duplicate-detection fields; the record shows "Anonymised participant #id";
* the free texts written about them: nomination notes, reasons of decisions
  and withdrawals, reasons of certificate revocations (replaced by
  "[removed]" where the database requires a reason), evaluation comments;
* their participant account (when its role is participant): unlinked, user
  name ``anonymised-<id>``, names and e-mail cleared, deactivated, password
  unusable, every session ended, API tokens revoked, calendar feed,
  authenticator, recovery codes and failed sign-ins removed. An account with
  another role (a coordinator who attended a course) is only unlinked;
* in the audit trail, through ``audit.redact`` (itself recorded): the values
  of those fields in the entries about the participant, their nominations,
  attendance, evaluations, certificates, account, tokens and feed, the
  entries their account made, and the failed sign-ins under its user name;
  and any mention of their names, e-mail or user name in those entries (and
  of their full name or e-mail in any other entry's description, message or
  reason); the addresses (IP) of their own entries.

It keeps what the figures count: country, service, NATO rank code (rank band),
the nominations with their statuses, seats and dates, attendance, outcomes,
evaluation scores and certificates (code, dates, revocation), so every figure
of ``icihub.reports`` is unchanged and ``/verify/<code>`` still answers valid
or revoked. A certificate PDF made afterwards carries no name.

Not reached: backups made before (they age out with the backup rotation) and
files already handed out (exports, PDFs, e-mails).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, F, Max, Q
from django.db.models.functions import Coalesce, TruncDate
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from icihub.core import audit
from icihub.core.access import STAFF_ROLES, Role, can_see, is_staff, is_system, role_of
from icihub.core.access import SYSTEM as SYSTEM  # the kernel's actor, as privacy.SYSTEM
from icihub.core.errors import Conflict

from .exports import PERSONAL_MARKING
from .models import (
    SCORE_FIELDS,
    Attendance,
    CalendarFeed,
    Certificate,
    Evaluation,
    Nomination,
    Participant,
    Session,
)

Progress = Callable[[str], None]

DOCUMENT = "icihub personal data export"
VERSION = 1
REMOVED = "[removed]"
EXPORT_FORMATS = ("json", "zip")
EXPORT_ROLES = STAFF_ROLES | {Role.COORDINATOR, Role.PARTICIPANT}
# Who anonymises (and sees the list of participants due): see the module's text.
ANONYMISE_ROLES = frozenset({Role.ADMIN, Role.CENTRE_STAFF})
# Sessions that still lie ahead or are under way: a nominee on one is not due.
OPEN_STATES = (
    Session.State.PLANNED,
    Session.State.OPEN,
    Session.State.CLOSED,
    Session.State.RUNNING,
)


def _rows(model, actor):
    """``model``'s rows ``actor`` may see (all of them for :data:`SYSTEM`)."""
    return model.objects.visible_to(actor)


def _check_visible(actor, participant: Participant) -> None:
    """404 unless ``actor`` may see ``participant`` (:data:`SYSTEM` sees everyone)."""
    if not can_see(actor, participant):
        raise Http404(_("Not found."))


def _about(model, pks) -> Q:
    """The audit entries about the rows ``pks`` of ``model``."""
    from django.contrib.contenttypes.models import ContentType

    pks = [str(pk) for pk in pks]
    if not pks:
        return Q(pk__in=[])
    return Q(content_type=ContentType.objects.get_for_model(model), object_id__in=pks)


# -- retention ---------------------------------------------------------------------------------


def retention_years() -> int:
    """``settings.ICIHUB_RETENTION_YEARS`` (default 5), a whole number of years
    from 1 to 100 (``settings`` validates the environment's value already)."""
    years = getattr(settings, "ICIHUB_RETENTION_YEARS", 5)
    if isinstance(years, bool) or not isinstance(years, int) or not 1 <= years <= 100:
        raise ImproperlyConfigured(
            f"ICIHUB_RETENTION_YEARS must be a whole number of years from 1 to 100, not {years!r}"
        )
    return years


def years_after(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def cutoff(today: dt.date | None = None) -> dt.date:
    """A participant whose last course ended on or before this day is due."""
    today = today or timezone.localdate()
    return years_after(today, -retention_years())


def with_retention(qs):
    """Participants annotated with ``last_course_end`` (the latest end of a session
    they were nominated to that was not cancelled), ``retention_from`` (that day,
    or the day the record was made when there is none) and ``open_nominations``
    (nominations still active on a planned, open, closed or running session)."""
    held = ~Q(nominations__session__state=Session.State.CANCELLED)
    return qs.annotate(
        last_course_end=Max("nominations__session__end", filter=held),
        open_nominations=Count(
            "nominations",
            filter=Q(
                nominations__status__in=Nomination.ACTIVE,
                nominations__session__state__in=OPEN_STATES,
            ),
        ),
    ).annotate(retention_from=Coalesce(F("last_course_end"), TruncDate("created_at")))


def due(actor, today: dt.date | None = None):
    """The participants ``actor`` may see that are due for anonymisation on
    ``today``: not anonymised, no upcoming or running session, and the
    retention period over since their last course (see the module's text)."""
    return (
        with_retention(_rows(Participant, actor).filter(anonymised_at__isnull=True))
        .filter(open_nominations=0, retention_from__lte=cutoff(today))
        .select_related("country")
        .order_by("retention_from", "pk")
    )


@dataclass
class Retention:
    """Where one participant stands: due or not, and why."""

    participant: Participant
    years: int
    last_course_end: dt.date | None
    retention_from: dt.date
    due_on: dt.date
    open_sessions: list = field(default_factory=list)  # references of upcoming/running sessions
    anonymised_at: dt.datetime | None = None
    today: dt.date | None = None

    @property
    def blocked(self) -> bool:
        """Refused even with an override: anonymised already, or a session ahead."""
        return self.anonymised_at is not None or bool(self.open_sessions)

    @property
    def is_due(self) -> bool:
        return not self.blocked and self.due_on <= (self.today or timezone.localdate())

    def allows(self, before_due: bool = False) -> bool:
        """Whether an anonymisation goes through: due, or (``before_due``, the
        administrator's override) merely not blocked."""
        return self.is_due or (before_due and not self.blocked)

    @property
    def explanation(self) -> str:
        if self.anonymised_at is not None:
            return _("This participant was anonymised on %(day)s.") % {
                "day": timezone.localtime(self.anonymised_at).date().isoformat()
            }
        if self.open_sessions:
            return _(
                "This participant has an upcoming or running session (%(sessions)s): "
                "they are not due for anonymisation."
            ) % {"sessions": ", ".join(self.open_sessions)}
        if self.is_due:
            return _("Due for anonymisation since %(day)s.") % {"day": self.due_on.isoformat()}
        if self.last_course_end:
            return ngettext(
                "Not due: the last course ended on %(end)s; the personal data are kept "
                "%(years)d year, until %(day)s.",
                "Not due: the last course ended on %(end)s; the personal data are kept "
                "%(years)d years, until %(day)s.",
                self.years,
            ) % {
                "end": self.last_course_end.isoformat(),
                "years": self.years,
                "day": self.due_on.isoformat(),
            }
        return ngettext(
            "Not due: recorded on %(start)s without a course held; the personal data are "
            "kept %(years)d year, until %(day)s.",
            "Not due: recorded on %(start)s without a course held; the personal data are "
            "kept %(years)d years, until %(day)s.",
            self.years,
        ) % {
            "start": self.retention_from.isoformat(),
            "years": self.years,
            "day": self.due_on.isoformat(),
        }


def retention(participant: Participant, today: dt.date | None = None) -> Retention:
    """Whether ``participant`` is due for anonymisation, and why (or why not)."""
    row = (
        with_retention(Participant._base_manager.filter(pk=participant.pk))
        .values("last_course_end", "retention_from", "anonymised_at")
        .get()
    )
    years = retention_years()
    open_sessions = list(
        Session.objects.filter(
            nominations__participant=participant,
            nominations__status__in=Nomination.ACTIVE,
            state__in=OPEN_STATES,
        )
        .order_by("start", "pk")
        .values_list("reference", flat=True)
        .distinct()
    )
    retention_from = row["retention_from"]
    if isinstance(retention_from, dt.datetime):  # some backends give a datetime
        retention_from = retention_from.date()
    elif isinstance(retention_from, str):
        retention_from = dt.date.fromisoformat(retention_from[:10])
    return Retention(
        participant=participant,
        years=years,
        last_course_end=row["last_course_end"],
        retention_from=retention_from,
        due_on=years_after(retention_from, years),
        open_sessions=open_sessions,
        anonymised_at=row["anonymised_at"],
        today=today,
    )


# -- export ------------------------------------------------------------------------------------


def _who(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def _when(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).isoformat()
    return value.isoformat()


def can_export(actor) -> bool:
    """Whose role exports participants' data (those they may see)."""
    return is_system(actor) or role_of(actor) in EXPORT_ROLES


def check_export(actor, participant: Participant) -> None:
    """Who may export a participant's data (see the module's text): 404 when the
    participant is not visible to ``actor``, 403 when visible but not theirs to export."""
    _check_visible(actor, participant)
    if not can_export(actor):
        raise PermissionDenied(_("Your role does not allow exporting personal data."))


def _step(step: str, when, who=None, why: str = "") -> dict:
    return {"step": step, "when": _when(when), "who": _who(who), "why": why}


def _steps(n: Nomination) -> list[dict]:
    """Each step of a nomination: what, when, who, why."""
    S = Nomination.Status
    steps = [_step("nominated", n.nominated_at, n.nominated_by, n.reason)]
    if n.promoted_at:
        steps.append(
            _step(
                "promoted from the waiting list",
                n.promoted_at,
                why="seat from the reallocation" if n.via_reallocation else "a seat became free",
            )
        )
    if n.decided_at:
        step = "rejected" if n.status == S.REJECTED else "accepted"
        steps.append(_step(step, n.decided_at, n.decided_by, n.decision_reason))
    if n.withdrawn_at:
        step = "replaced by a substitute" if n.status == S.SUBSTITUTED else "withdrawn"
        steps.append(_step(step, n.withdrawn_at, n.withdrawn_by, n.withdrawal_reason))
    if n.outcome_at:
        steps.append(_step(f"outcome recorded: {n.outcome}", n.outcome_at))
    steps.sort(key=lambda s: s["when"] or "")
    return steps


def _certificate(c: Certificate) -> dict:
    return {
        "code": c.code,
        "state": "valid" if c.is_valid else "revoked",
        "verify_url": c.verify_url(),
        "issued_at": _when(c.issued_at),
        "issued_by": _who(c.issued_by),
        "revoked_at": _when(c.revoked_at),
        "revoked_by": _who(c.revoked_by),
        "revocation_reason": c.revocation_reason,
    }


def _evaluation(e: Evaluation) -> dict:
    return {
        "scores": {name: getattr(e, name) for name in SCORE_FIELDS},
        "comments": e.comments,
        "source": e.source,
        "submitted_at": _when(e.submitted_at),
        "entered_by": _who(e.entered_by),
    }


def _history(actor, participant: Participant, nominations: list) -> list[dict] | None:
    """The audit trail's entries about the participant, their nominations and what
    hangs on them, as far as ``actor`` may read the trail (None when not at all)."""
    from icihub.core.models import AuditEntry

    if not is_staff(actor):  # staff, or SYSTEM
        return None  # the trail is the staff's (a user sees only what they did)
    ids = [n.pk for n in nominations]
    q = _about(Participant, [participant.pk]) | _about(Nomination, ids)
    for model in (Attendance, Evaluation, Certificate):
        q |= _about(model, model.objects.filter(nomination_id__in=ids).values_list("pk", flat=True))
    return [
        {
            "when": _when(e.timestamp),
            "who": e.actor_label,
            "channel": e.via,
            "action": e.action,
            "object": f"{e.content_type.model if e.content_type else ''} #{e.object_id}",
            "description": e.object_repr,
            "changes": e.changes,
            "reason": e.reason,
            "message": e.message,
        }
        for e in _rows(AuditEntry, actor)
        .filter(q)
        .select_related("content_type")
        .order_by("timestamp", "pk")
    ]


def export_document(actor, participant: Participant) -> dict:
    """Everything recorded about ``participant`` that ``actor`` may see, as a
    JSON-serialisable document (see the module's text). Checks access; does not
    record the export (:func:`export_file` does)."""
    check_export(actor, participant)
    participant = _rows(Participant, actor).select_related("country", "user").get(pk=participant.pk)
    nominations = list(
        _rows(Nomination, actor)
        .filter(participant=participant)
        .select_related(
            "session",
            "session__course",
            "country",
            "nominated_by",
            "decided_by",
            "withdrawn_by",
        )
        .order_by("session__start", "pk")
    )
    ids = [n.pk for n in nominations]
    attendance: dict[int, list] = {}
    for row in (
        _rows(Attendance, actor).filter(nomination_id__in=ids).order_by("nomination_id", "day")
    ):
        attendance.setdefault(row.nomination_id, []).append(
            {"day": row.day.isoformat(), "present": row.present}
        )
    evaluations = {
        e.nomination_id: e
        for e in _rows(Evaluation, actor).filter(nomination_id__in=ids).select_related("entered_by")
    }
    certificates = {
        c.nomination_id: c
        for c in _rows(Certificate, actor)
        .filter(nomination_id__in=ids)
        .select_related("issued_by", "revoked_by", "nomination__session")
    }
    account = None
    user = participant.user
    if user is not None and (actor.pk == user.pk or can_see(actor, user)):
        account = {
            "username": user.get_username(),
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
            "role": user.role,
            "active": user.is_active,
            "language": user.preferred_language,
            "joined": _when(user.date_joined),
            "last_login": _when(user.last_login),
        }
    state = retention(participant)
    document = {
        "document": DOCUMENT,
        "version": VERSION,
        "generated_at": _when(timezone.now()),
        "generated_by": _requester(actor),
        "marking": str(PERSONAL_MARKING.label),
        "marking_code": PERSONAL_MARKING.value,
        "complete": True,
        "retention": {
            "years": state.years,
            "last_course_end": _when(state.last_course_end),
            "anonymisation_due_on": None if state.anonymised_at else _when(state.due_on),
        },
        "participant": {
            "id": participant.pk,
            "given_name": participant.given_name,
            "family_name": participant.family_name,
            "name_ar": participant.name_ar,
            "country": {"iso3": participant.country.iso3, "name": participant.country.name},
            "service": participant.service,
            "rank": participant.rank,
            "rank_code": participant.rank_code,
            "position": participant.position,
            "organisation": participant.organisation,
            "email": participant.email,
            "date_of_birth": _when(participant.date_of_birth),
            "recorded_at": _when(participant.created_at),
            "updated_at": _when(participant.updated_at),
            "anonymised_at": _when(participant.anonymised_at),
        },
        "account": account,
        "nominations": [
            {
                "id": n.pk,
                "session": {
                    "reference": n.session.reference,
                    "course_code": n.session.course.code,
                    "course_title": n.session.course.title,
                    "start": _when(n.session.start),
                    "end": _when(n.session.end),
                    "venue": n.session.venue,
                    "state": n.session.state,
                },
                "nominating_country": n.country.iso3,
                "priority": n.priority,
                "status": n.status,
                "holds_seat": n.has_seat,
                "seat_from_reallocation": n.via_reallocation,
                "substitute_for": n.substitute_for_id,
                "steps": _steps(n),
                "outcome": n.outcome,
                "outcome_at": _when(n.outcome_at),
                "attendance_percent": n.attendance_percent,
                "attendance": attendance.get(n.pk, []),
                "evaluation": _evaluation(evaluations[n.pk]) if n.pk in evaluations else None,
                "certificate": (_certificate(certificates[n.pk]) if n.pk in certificates else None),
            }
            for n in nominations
        ],
        "history": _history(actor, participant, nominations),
    }
    document["complete"] = _complete(actor, participant, document)
    return document


def _requester(actor) -> str:
    if is_system(actor):
        return audit.current().label or "system"
    return actor.get_username()


def _complete(actor, participant: Participant, document: dict) -> bool:
    """Whether the document holds everything recorded (the requester sees it all)."""
    if is_system(actor):
        return True
    nominations = Nomination.objects.filter(participant=participant)
    recorded = (
        nominations.count(),
        Attendance.objects.filter(nomination__participant=participant).count(),
        Evaluation.objects.filter(nomination__participant=participant).count(),
        Certificate.objects.filter(nomination__participant=participant).count(),
    )
    given = (
        len(document["nominations"]),
        sum(len(n["attendance"]) for n in document["nominations"]),
        sum(1 for n in document["nominations"] if n["evaluation"]),
        sum(1 for n in document["nominations"] if n["certificate"]),
    )
    account_missing = participant.user_id is not None and document["account"] is None
    return recorded == given and not account_missing


@dataclass
class ExportFile:
    content: bytes
    filename: str
    content_type: str
    marking: str


def export_file(actor, participant: Participant, fmt: str = "json") -> ExportFile:
    """The export as a file: ``json`` (the document) or ``zip`` (the document and
    the PDF of each valid certificate). Recorded in the audit trail."""
    if fmt not in EXPORT_FORMATS:
        raise ValidationError({"format": _("Choose json or zip.")})
    document = export_document(actor, participant)
    data = (json.dumps(document, ensure_ascii=False, indent=2, sort_keys=False) + "\n").encode()
    base = f"participant-{participant.pk}-personal-data"
    pdfs = 0
    if fmt == "json":
        content, content_type, filename = data, "application/json", f"{base}.json"
    else:
        from .certificates import render_pdf

        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(f"{base}.json", data)
            codes = [
                n["certificate"]["code"]
                for n in document["nominations"]
                if n["certificate"] and n["certificate"]["state"] == "valid"
            ]
            for certificate in (
                _rows(Certificate, actor)
                .filter(code__in=codes)
                .select_related("nomination__participant__country", "nomination__session__course")
            ):
                archive.writestr(f"certificates/{certificate.code}.pdf", render_pdf(certificate))
                pdfs += 1
        content, content_type, filename = buffer.getvalue(), "application/zip", f"{base}.zip"
    audit.log_event(
        audit.Action.EXPORT,
        participant,
        message=f"personal data export ({fmt})",
        data={
            "format": fmt,
            "nominations": len(document["nominations"]),
            "certificates": sum(1 for n in document["nominations"] if n["certificate"]),
            "certificate_pdfs": pdfs,
            "complete": document["complete"],
            "marking": PERSONAL_MARKING.value,
        },
        actor=actor,
    )
    return ExportFile(content, filename, content_type, PERSONAL_MARKING.value)


def own_participant(user) -> Participant:
    """The participant record of a signed-in participant (404 when none)."""
    if role_of(user) != Role.PARTICIPANT:
        raise PermissionDenied(_("Only participants have their own training record."))
    participant = Participant.objects.visible_to(user).filter(user=user).first()
    if participant is None:
        raise Http404(_("No participant record is linked to your account."))
    return participant


# -- anonymisation -------------------------------------------------------------------------------

# Personal fields of a participant and what they become.
PARTICIPANT_CLEARED = {
    "given_name": "",
    "family_name": "",
    "name_ar": "",
    "rank": "",
    "position": "",
    "organisation": "",
    "email": "",
    "date_of_birth": None,
    "name_key": "",
    "search_text": "",
}
USER_CLEARED = ("first_name", "last_name", "email", "preferred_language")
# Keys whose values are masked in the audit entries about the person's records.
PERSONAL_KEYS = {
    *PARTICIPANT_CLEARED,
    "username",
    "first_name",
    "last_name",
    "comments",
    "reason",
    "decision_reason",
    "withdrawal_reason",
    "revocation_reason",
}
TOKEN_KEYS = {"name"}  # an API token's name is the user's words


@dataclass
class Anonymised:
    participant: int
    anonymised_at: dt.datetime | None = None
    nominations: int = 0
    evaluations: int = 0
    certificates: int = 0
    account: str = ""  # "anonymised", "unlinked" or ""
    audit_entries: int = 0  # entries redacted


def can_anonymise(actor) -> bool:
    return is_system(actor) or role_of(actor) in ANONYMISE_ROLES


def can_override(actor) -> bool:
    """Who may anonymise before the retention period is over (with a reason)."""
    return is_system(actor) or role_of(actor) == Role.ADMIN


def check_anonymise(actor, *, before_due: bool = False) -> None:
    if not can_anonymise(actor):
        raise PermissionDenied(_("Only administrators and Centre staff anonymise participants."))
    if before_due and not can_override(actor):
        raise PermissionDenied(_("Only an administrator anonymises before the retention date."))


def _check_known(ids: list[int], known) -> None:
    """A :class:`ValidationError` naming the ids of ``ids`` not in ``known``."""
    missing = [pk for pk in ids if pk not in known]
    if missing:
        raise ValidationError(
            {
                "participant": _("No participant has the id %(ids)s.")
                % {"ids": ", ".join(str(pk) for pk in missing)}
            }
        )


def _clean_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason (e.g. the retention period).")})
    return reason


def anonymise(
    actor,
    participant: Participant,
    *,
    reason: str,
    today: dt.date | None = None,
    before_due: bool = False,
) -> Anonymised:
    """Remove ``participant``'s personal data (see the module's text).
    Administrators and Centre staff, or :data:`SYSTEM` on the command line.
    Refused (:class:`Conflict`) when already anonymised or not due;
    ``before_due`` (administrators and the command line only) overrides the
    retention period, not an upcoming or running session. Irreversible."""
    check_anonymise(actor, before_due=before_due)
    _check_visible(actor, participant)
    reason = _clean_reason(reason)
    with audit.acting(actor, reason=reason), transaction.atomic():
        return _anonymise(actor, participant.pk, reason, today, before_due=before_due)


def anonymise_many(
    actor,
    participant_ids: list[int],
    *,
    reason: str,
    today: dt.date | None = None,
    before_due: bool = False,
    progress: Progress | None = None,
) -> list[Anonymised]:
    """Anonymise several participants in one transaction (all or nothing): the
    command line's ``--participant ID ...``. Unknown ids are a
    :class:`ValidationError` before anything is written."""
    check_anonymise(actor, before_due=before_due)
    reason = _clean_reason(reason)
    ids = list(dict.fromkeys(participant_ids))
    _check_known(
        ids, set(_rows(Participant, actor).filter(pk__in=ids).values_list("pk", flat=True))
    )
    return _run(actor, ids, reason, today, before_due, progress)


def _run(actor, ids, reason, today, before_due, progress) -> list[Anonymised]:
    progress = progress or (lambda line: None)
    results = []
    with audit.acting(actor, reason=reason), transaction.atomic():
        for index, pk in enumerate(ids, start=1):
            result = _anonymise(actor, pk, reason, today, before_due=before_due)
            results.append(result)
            progress(
                _(
                    "  %(i)d/%(n)d participant #%(pk)d: %(nominations)d nominations kept, "
                    "%(entries)d audit entries redacted"
                )
                % {
                    "i": index,
                    "n": len(ids),
                    "pk": pk,
                    "nominations": result.nominations,
                    "entries": result.audit_entries,
                }
            )
    return results


def plan(actor, participant_ids: list[int] | None = None, today: dt.date | None = None):
    """What an anonymisation would do, without writing anything (``--dry-run``):
    ``(participant, Retention)`` for each participant due (``participant_ids``
    None) or each one given."""
    check_anonymise(actor)
    if participant_ids is None:
        return [(p, retention(p, today)) for p in due(actor, today)]
    rows = {
        p.pk: p
        for p in _rows(Participant, actor).filter(pk__in=participant_ids).select_related("country")
    }
    _check_known(participant_ids, rows)
    return [(rows[pk], retention(rows[pk], today)) for pk in dict.fromkeys(participant_ids)]


def anonymise_due(
    actor,
    *,
    reason: str,
    today: dt.date | None = None,
    progress: Progress | None = None,
    limit: int | None = None,
) -> list[Anonymised]:
    """Anonymise every participant due on ``today`` (all or nothing)."""
    check_anonymise(actor)
    reason = _clean_reason(reason)
    ids = list(due(actor, today).values_list("pk", flat=True))
    if limit is not None:
        ids = ids[:limit]
    if progress:
        progress(
            ngettext(
                "%(n)d participant due for anonymisation",
                "%(n)d participants due for anonymisation",
                len(ids),
            )
            % {"n": len(ids)}
        )
    return _run(actor, ids, reason, today, False, progress)


def _anonymise(
    actor, pk: int, reason: str, today: dt.date | None, *, before_due: bool = False
) -> Anonymised:
    from icihub.core.models import ApiToken, RecoveryCode, SignInFailure, TOTPDevice

    participant = (
        Participant._base_manager.select_for_update(of=("self",))
        .select_related("country", "user")
        .get(pk=pk)
    )
    state = retention(participant, today)
    if not state.allows(before_due):
        raise Conflict(state.explanation)
    early = not state.is_due
    now = timezone.now()
    result = Anonymised(participant=pk, anonymised_at=now)

    nominations = Nomination._base_manager.filter(participant_id=pk)
    nomination_ids = list(nominations.values_list("pk", flat=True))
    evaluations = Evaluation._base_manager.filter(nomination_id__in=nomination_ids)
    certificates = Certificate._base_manager.filter(nomination_id__in=nomination_ids)
    attendance_ids = list(
        Attendance._base_manager.filter(nomination_id__in=nomination_ids).values_list(
            "pk", flat=True
        )
    )
    result.nominations = len(nomination_ids)
    result.evaluations = evaluations.count()
    result.certificates = certificates.count()

    # What identifies the person, to be removed from the texts of the trail.
    new_name = _("Anonymised participant #%(pk)s") % {"pk": pk}
    replacements = [
        (participant.full_name, new_name),
        (f"{participant.family_name} {participant.given_name}", new_name),
        (participant.name_ar, new_name),
        (participant.email, REMOVED),
        (participant.given_name, new_name),
        (participant.family_name, new_name),
    ]
    # Free texts written about the person (cleared below): an entry whose reason
    # is one of them loses it too.
    free_texts = set()
    for values in nominations.values_list("reason", "decision_reason", "withdrawal_reason"):
        free_texts.update(v for v in values if v)
    free_texts.update(v for v in certificates.values_list("revocation_reason", flat=True) if v)
    free_texts.update(v for v in evaluations.values_list("comments", flat=True) if v)

    user = participant.user
    anonymise_account = (
        user is not None
        and user.role == Role.PARTICIPANT
        and not hasattr(user, "training_instructor")
    )
    token_ids: list[int] = []
    feed_ids: list[int] = []
    if user is not None:
        new_username = f"anonymised-{user.pk}"
        if anonymise_account:
            replacements += [
                (user.get_full_name(), new_name),
                (user.email, REMOVED),
                (user.get_username(), new_username),
                (user.first_name, new_name),
                (user.last_name, new_name),
            ]
            token_ids = list(ApiToken.objects.filter(user=user).values_list("pk", flat=True))
            feed_ids = list(CalendarFeed.objects.filter(user=user).values_list("pk", flat=True))

    # 1. The audit trail: redact first (what follows writes no personal data).
    result.audit_entries = _redact_trail(
        actor,
        reason,
        participant=participant,
        nomination_ids=nomination_ids,
        attendance_ids=attendance_ids,
        evaluation_ids=list(evaluations.values_list("pk", flat=True)),
        certificate_ids=list(certificates.values_list("pk", flat=True)),
        user=user if anonymise_account else None,
        token_ids=token_ids,
        feed_ids=feed_ids,
        replacements=replacements,
        free_texts=free_texts,
    )

    # 2. The participant's record. (QuerySet.update: no signal would copy the
    # old values into the trail; the entry below says what went, without them.)
    removed = [
        name
        for name, value in PARTICIPANT_CLEARED.items()
        if getattr(participant, name) not in ("", None)
    ]
    Participant._base_manager.filter(pk=pk).update(
        **PARTICIPANT_CLEARED, user=None, anonymised_at=now, updated_at=now
    )
    changes = {name: {"before": REMOVED, "after": PARTICIPANT_CLEARED[name]} for name in removed}
    changes["anonymised_at"] = {"before": None, "after": now.isoformat()}
    if participant.user_id:
        changes["user"] = {"before": participant.user_id, "after": None}
    participant.refresh_from_db()
    audit.record(
        audit.Action.TRANSITION,
        participant,
        changes,
        reason=reason,
        message=(
            "participant anonymised before the retention date (override): personal data removed"
            if early
            else "participant anonymised: personal data removed"
        ),
    )

    # 3. Free texts about the person on their records.
    _clear_texts(nominations, ("reason",), ("decision_reason", "withdrawal_reason"), now)
    _clear_texts(evaluations, ("comments",), (), now)
    _clear_texts(certificates, (), ("revocation_reason",), now)

    # 4. Their account.
    if user is not None:
        result.account = _close_account(actor, user, now, reason) if anonymise_account else ""
        result.account = result.account or "unlinked"
    _scrub_admin_log(participant, nomination_ids, user if anonymise_account else None)
    # The lockout counters of the old user name.
    if anonymise_account:
        SignInFailure.objects.filter(
            username__in={user.get_username().lower(), (user.email or "").lower()} - {""}
        ).delete()
        TOTPDevice.objects.filter(user=user).delete()
        RecoveryCode.objects.filter(user=user).delete()
    return result


def _clear_texts(qs, blank_fields: tuple, required_fields: tuple, now) -> None:
    """Empty ``blank_fields`` and replace non-empty ``required_fields`` by
    :data:`REMOVED` (the database requires a reason there); one masked entry per row."""
    touched = []
    wanted = ["pk", *blank_fields, *required_fields]
    for row in qs.only(*wanted):
        changes = {}
        for name in blank_fields:
            if getattr(row, name):
                changes[name] = {"before": REMOVED, "after": ""}
        for name in required_fields:
            if getattr(row, name) and getattr(row, name) != REMOVED:
                changes[name] = {"before": REMOVED, "after": REMOVED}
        if changes:
            touched.append((row.pk, changes))
    if not touched:
        return
    model = qs.model
    ids = [pk for pk, _c in touched]
    updates = dict.fromkeys(blank_fields, "")
    base = model._base_manager.filter(pk__in=ids)
    if updates:
        base.update(**updates, updated_at=now)
    for name in required_fields:
        base.exclude(**{name: ""}).update(**{name: REMOVED}, updated_at=now)
    rows = {row.pk: row for row in model._base_manager.filter(pk__in=ids).select_related()}
    audit.record_many(
        audit.Action.UPDATE,
        [(rows[pk], changes) for pk, changes in touched],
        message="personal data removed (participant anonymised)",
    )


def _close_account(actor, user, now, reason: str) -> str:
    """Anonymise and deactivate a participant's account; end its sessions."""
    from django.contrib.auth.hashers import make_password

    from icihub.core import security
    from icihub.core.models import ApiToken, User

    changes = {
        name: {"before": REMOVED, "after": ""} for name in USER_CLEARED if getattr(user, name)
    }
    changes["username"] = {"before": REMOVED, "after": f"anonymised-{user.pk}"}
    changes["is_active"] = {"before": user.is_active, "after": False}
    User._base_manager.filter(pk=user.pk).update(
        username=f"anonymised-{user.pk}",
        first_name="",
        last_name="",
        email="",
        preferred_language="",
        is_active=False,
        password=make_password(None),
    )
    user.refresh_from_db()
    audit.record(
        audit.Action.UPDATE,
        user,
        changes,
        reason=reason,
        message="participant's account anonymised and deactivated",
    )
    tokens = list(ApiToken.objects.filter(user=user))
    if tokens:
        ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=now)
        ApiToken.objects.filter(user=user).update(name="", updated_at=now)
        changes = {}
        for token in tokens:
            change = {"name": {"before": REMOVED, "after": ""}} if token.name else {}
            if token.revoked_at is None:
                change["revoked_at"] = {"before": None, "after": now.isoformat()}
            changes[token.pk] = change
        token_rows = ApiToken.objects.filter(pk__in=list(changes)).select_related("user")
        audit.record_many(
            audit.Action.UPDATE,
            [(t, changes[t.pk]) for t in token_rows if changes[t.pk]],
            message="API token revoked (participant anonymised)",
        )
    for feed in CalendarFeed.objects.filter(user=user).select_related("user"):
        feed.delete()  # audited (the signal): the feed's address stops answering
    security.end_sessions(actor, user, reason=reason)
    return "anonymised"


def _scrub_admin_log(participant, nomination_ids, user) -> None:
    """Django admin's own log keeps object descriptions: give them the new ones."""
    from django.contrib.admin.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    targets = [(Participant, [participant.pk]), (Nomination, nomination_ids)]
    if user is not None:
        from icihub.core.models import User

        targets.append((User, [user.pk]))
    for model, pks in targets:
        if not pks:
            continue
        content_type = ContentType.objects.get_for_model(model)
        for entry in LogEntry.objects.filter(
            content_type=content_type, object_id__in=[str(pk) for pk in pks]
        ):
            obj = model._base_manager.filter(pk=entry.object_id).first()
            LogEntry.objects.filter(pk=entry.pk).update(
                object_repr=(str(obj) if obj is not None else "")[:200]
            )


# -- the audit trail ----------------------------------------------------------------------------


def _scrubber(replacements: list[tuple[str, str]]) -> Callable[[str], str]:
    """Replace each identifier (a whole word or phrase, ignoring case) by its
    replacement; longer identifiers first."""
    pairs = {}
    for needle, replacement in replacements:
        needle = (needle or "").strip()
        if len(needle) >= 2 and needle.lower() not in pairs:
            pairs[needle.lower()] = replacement
    if not pairs:
        return lambda text: text
    needles = sorted(pairs, key=len, reverse=True)
    pattern = re.compile("|".join(rf"(?<!\w){re.escape(n)}(?!\w)" for n in needles), re.IGNORECASE)

    def scrub(text: str) -> str:
        if not text:
            return text
        return pattern.sub(lambda m: pairs.get(m.group(0).lower(), REMOVED), text)

    return scrub


def _scrub_value(value, scrub, keys: set):
    """``value`` (an entry's ``changes``) with personal keys masked and every
    string scrubbed."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if key in keys:
                out[key] = _mask(item)
            else:
                out[key] = _scrub_value(item, scrub, keys)
        return out
    if isinstance(value, list):
        return [_scrub_value(item, scrub, keys) for item in value]
    if isinstance(value, str):
        return scrub(value)
    return value


def _mask(value):
    if isinstance(value, dict):
        return {k: _mask(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask(v) for v in value]
    if value in (None, "", [], {}) or isinstance(value, bool):
        return value
    return REMOVED


def _redact_trail(
    actor,
    reason: str,
    *,
    participant,
    nomination_ids,
    attendance_ids,
    evaluation_ids,
    certificate_ids,
    user,
    token_ids,
    feed_ids,
    replacements,
    free_texts,
) -> int:
    from django.contrib.contenttypes.models import ContentType

    from icihub.core.models import ApiToken, AuditEntry, User

    own = (
        _about(Participant, [participant.pk])
        | _about(Nomination, nomination_ids)
        | _about(Attendance, attendance_ids)
        | _about(Evaluation, evaluation_ids)
        | _about(Certificate, certificate_ids)
    )
    tokens = _about(ApiToken, token_ids) | _about(CalendarFeed, feed_ids)
    by_user = Q(pk__in=[])
    if user is not None:
        own |= _about(User, [user.pk])
        names = {user.get_username(), user.get_username().lower()}
        by_user = Q(actor_id=user.pk) | Q(
            content_type__isnull=True, changes__username__in=sorted(names)
        )
    # Any other entry that names the person in its description, message or reason.
    mentions = Q(pk__in=[])
    for needle in {participant.full_name, participant.email} - {""}:
        if len(needle) >= 5:
            mentions |= (
                Q(object_repr__icontains=needle)
                | Q(message__icontains=needle)
                | Q(reason__icontains=needle)
            )
    scrub = _scrubber(replacements)
    token_type = {
        ContentType.objects.get_for_model(ApiToken).pk,
        ContentType.objects.get_for_model(CalendarFeed).pk,
    }

    def transform(entry) -> dict:
        targeted = entry.pk in targeted_ids
        values = {}
        keys = PERSONAL_KEYS | (TOKEN_KEYS if entry.content_type_id in token_type else set())
        changes = _scrub_value(entry.changes, scrub, keys if targeted else set())
        if changes != entry.changes:
            values["changes"] = changes
        for name in ("object_repr", "message", "actor_label"):
            text = getattr(entry, name)
            new = scrub(text)
            if new != text:
                values[name] = new[:250] if name == "object_repr" else new
        if entry.reason:
            new = REMOVED if targeted and entry.reason in free_texts else scrub(entry.reason)
            if new != entry.reason:
                values["reason"] = new
        if user is not None and entry.ip and entry.pk in by_user_ids:
            values["ip"] = None
        return values

    candidates = AuditEntry.objects.filter(own | tokens | by_user | mentions)
    targeted_ids = set(
        AuditEntry.objects.filter(own | tokens | by_user).values_list("pk", flat=True)
    )
    by_user_ids = set(AuditEntry.objects.filter(by_user).values_list("pk", flat=True))
    return audit.redact(
        candidates.order_by("pk").iterator(chunk_size=500),
        transform,
        actor=actor,
        reason=reason,
    )
