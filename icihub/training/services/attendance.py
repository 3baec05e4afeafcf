"""Attendance, completion and evaluations."""

from __future__ import annotations

from collections import defaultdict

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from icihub.core import audit
from icihub.core.access import (
    STAFF_ROLES,
    Role,
    check_change,
    is_staff,
    role_of,
)
from icihub.core.errors import Conflict

from .. import lifecycle
from ..models import (
    SCORE_FIELDS,
    Assignment,
    Attendance,
    Evaluation,
    Nomination,
    Participant,
    Session,
)
from ._common import S, _require_staff, _transition, _visible_or_404, today
from .sessions import _lock, _refuse, _with_override

# -- attendance and completion -----------------------------------------------------------


def can_take_attendance(actor, session: Session) -> bool:
    if is_staff(actor):
        return True
    return (
        role_of(actor) == Role.INSTRUCTOR
        and Assignment.objects.filter(session=session, instructor__user=actor).exists()
    )


def record_attendance(
    actor,
    session: Session,
    present: dict[int, set],
    *,
    all_present_days=(),
    reason: str = "",
) -> int:
    """Record who was present on which day, the whole grid at once (all or
    nothing): ``present`` maps accepted nominations' ids to the set of days each
    was present (the session's other days are recorded as absent).
    ``all_present_days`` marks every accepted nominee *not* in ``present``
    present on those days, keeping what was recorded for their other days ("all
    present", then untick individuals). Staff, and instructors for their own
    sessions only. Returns the number of rows written."""
    _visible_or_404(actor, session)
    if not can_take_attendance(actor, session):
        raise PermissionDenied(_("Instructors record attendance for their own sessions only."))
    if session.state not in (Session.State.RUNNING,):
        raise Conflict(_("Attendance is recorded while the session is running."))
    days = set(session.days)
    nominations = {n.pk: n for n in session.nominations.filter(status=S.ACCEPTED)}
    errors = {}
    for pk, marked in present.items():
        if pk not in nominations:
            errors[f"nomination_{pk}"] = _("Not an accepted nominee of this session.")
            continue
        outside = [d for d in marked if d not in days]
        if outside:
            errors[f"nomination_{pk}"] = _("%(day)s is not a day of this session.") % {
                "day": outside[0].isoformat()
            }
    outside = sorted(d for d in all_present_days if d not in days)
    if outside:
        errors["all_present_days"] = _("%(day)s is not a day of this session.") % {
            "day": outside[0].isoformat()
        }
    if errors:
        raise ValidationError(errors)
    marks = {pk: set(marked) for pk, marked in present.items()}
    if all_present_days:
        recorded: dict[int, set] = defaultdict(set)
        for pk, day in Attendance.objects.filter(
            nomination_id__in=list(nominations), present=True
        ).values_list("nomination_id", "day"):
            recorded[pk].add(day)
        for pk in nominations:
            if pk not in marks:
                marks[pk] = recorded[pk] | set(all_present_days)
    existing = {
        (a.nomination_id, a.day): a
        for a in Attendance.objects.filter(nomination_id__in=list(marks))
    }
    new_rows = []
    written = 0
    with audit.acting(actor, reason=reason), transaction.atomic():
        for pk, marked in marks.items():
            for day in sorted(days):
                is_present = day in marked
                row = existing.get((pk, day))
                if row is None:
                    new_rows.append(
                        Attendance(nomination_id=pk, day=day, present=is_present, recorded_by=actor)
                    )
                elif row.present != is_present:
                    row.present = is_present
                    row.recorded_by = actor
                    row.save()
                    written += 1
        if new_rows:
            Attendance.objects.bulk_create(new_rows)
            audit.record_bulk_create(new_rows)
            written += len(new_rows)
    return written


def attended(nomination: Nomination) -> bool:
    """Whether the nominee was present on at least one day of the session."""
    return Attendance.objects.filter(nomination=nomination, present=True).exists()


def outcome_for(present_days: int, day_count: int, rule_percent: int) -> tuple[str, int]:
    """The course's completion rule: no day present is a no-show; at least
    ``rule_percent`` of the session's days is completed; anything else is not
    completed. Returns (outcome, attendance percent)."""
    percent = round(100 * present_days / day_count) if day_count else 0
    if present_days == 0:
        return Nomination.Outcome.NO_SHOW, 0
    if present_days * 100 >= rule_percent * day_count:
        return Nomination.Outcome.COMPLETED, percent
    return Nomination.Outcome.NOT_COMPLETED, percent


def complete_session(
    actor, session: Session, *, reason: str = "", override_dates: bool = False
) -> dict[str, int]:
    """Close a running session: apply the course's completion rule to every
    accepted nominee from the recorded attendance. Irreversible. Not before the
    session's end date unless Centre staff override it (``override_dates``, with
    a reason). Returns the counts per outcome."""
    check_change(actor, session)
    _require_staff(actor)
    counts: dict[str, int] = defaultdict(int)
    with audit.acting(actor, reason=reason), transaction.atomic():
        locked = _lock(session)
        if locked.state != Session.State.RUNNING:
            raise Conflict(_("Only a running session can be completed."))
        found = lifecycle.blockers(locked, Session.State.COMPLETED, today=today())
        _refuse(found, override=override_dates, actor=actor, reason=reason)
        rule = locked.course.min_attendance_percent
        day_count = locked.day_count
        present = defaultdict(int)
        for nomination_id in Attendance.objects.filter(
            nomination__session=locked, present=True, day__gte=locked.start, day__lte=locked.end
        ).values_list("nomination_id", flat=True):
            present[nomination_id] += 1
        now = timezone.now()
        for nomination in locked.nominations.filter(status=S.ACCEPTED):
            outcome, percent = outcome_for(present[nomination.pk], day_count, rule)
            nomination.outcome = outcome
            nomination.attendance_percent = percent
            nomination.outcome_at = now
            nomination.save()
            counts[outcome] += 1
        locked.state = Session.State.COMPLETED
        locked.save()
        _transition(
            locked,
            "state",
            Session.State.RUNNING,
            Session.State.COMPLETED,
            _with_override(found, override_dates, reason),
        )
    session.refresh_from_db()
    return dict(counts)


# -- evaluations ------------------------------------------------------------------------


def evaluation_source(actor, nomination: Nomination) -> str:
    """How ``actor`` may fill in this nominee's evaluation: online (the
    participant themselves) or from paper (staff). 404 if the nomination is not
    visible, PermissionDenied for anyone else. Pages ask before reading the form."""
    _visible_or_404(actor, nomination)
    role = role_of(actor)
    if role in STAFF_ROLES:
        return Evaluation.Source.PAPER
    participant_user = (
        Participant.objects.filter(pk=nomination.participant_id)
        .values_list("user_id", flat=True)
        .first()
    )
    if role == Role.PARTICIPANT and participant_user == actor.pk:
        return Evaluation.Source.ONLINE
    raise PermissionDenied(_("Only the participant or staff fill in the evaluation."))


def submit_evaluation(
    actor, nomination: Nomination, scores: dict, *, comments: str = "", reason: str = ""
) -> Evaluation:
    """A participant fills in their own level-1 questionnaire, or staff enter one
    from paper. Scores 1-5 for every question; one questionnaire per nominee."""
    source = evaluation_source(actor, nomination)
    nomination = Nomination.objects.select_related("session", "participant").get(pk=nomination.pk)
    errors = {}
    clean = {}
    for name in SCORE_FIELDS:
        value = scores.get(name)
        try:
            value = int(value)
        except (TypeError, ValueError):
            errors[name] = _("Give a score from 1 to 5.")
            continue
        if not 1 <= value <= 5:
            errors[name] = _("Give a score from 1 to 5.")
            continue
        clean[name] = value
    if nomination.status != S.ACCEPTED:
        errors["nomination"] = _("Only accepted participants evaluate a session.")
    elif nomination.session.state not in (Session.State.RUNNING, Session.State.COMPLETED):
        errors["nomination"] = _("The evaluation opens when the session runs.")
    elif not attended(nomination):
        errors["nomination"] = _(
            "Only participants who attended evaluate a session: %(name)s has no day "
            "recorded as present."
        ) % {"name": nomination.participant.full_name}
    if errors:
        raise ValidationError(errors)
    if Evaluation.objects.filter(nomination=nomination).exists():
        raise Conflict(_("This evaluation has already been submitted."))
    evaluation = Evaluation(
        nomination=nomination,
        comments=comments.strip(),
        source=source,
        entered_by=actor,
        **clean,
    )
    with audit.acting(actor, reason=reason), transaction.atomic():
        evaluation.full_clean(exclude=["nomination"])
        try:
            evaluation.save()
        except IntegrityError:
            raise Conflict(_("This evaluation has already been submitted."))
    return evaluation
