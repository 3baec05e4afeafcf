"""Sessions: dates, quotas, the lifecycle, and the joining instructions."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from icihub.core import audit
from icihub.core.access import (
    check_change,
    check_create,
)
from icihub.core.errors import Conflict
from icihub.core.text import local
from icihub.partners.selectors import is_eligible

from .. import lifecycle
from ..models import (
    Course,
    SeatQuota,
    Session,
)
from ..permissions import can_override_dates
from ..seats import SeatLedger
from ._common import S, _on_commit, _require_staff, _transition, _visible_or_404, today
from .reallocation import _fill_free_seats

# -- sessions -----------------------------------------------------------------------

SESSION_FIELDS = {
    "reference",
    "start",
    "end",
    "venue",
    "capacity",
    "director",
    "nomination_deadline",
    "reallocation_date",
    "is_public",
    "joining_instructions",
    "notes",
}


def _check_session_dates(values: dict) -> dict:
    errors = {}
    start, end = values.get("start"), values.get("end")
    if start and end and end < start:
        errors["end"] = _("The session cannot end before it starts.")
    deadline = values.get("nomination_deadline")
    if start and deadline and deadline > start:
        errors["nomination_deadline"] = _("The nomination deadline must not be after the start.")
    realloc = values.get("reallocation_date")
    if start and realloc and realloc > start:
        errors["reallocation_date"] = _("The reallocation date must not be after the start.")
    capacity = values.get("capacity")
    if capacity is not None and capacity < 1:
        errors["capacity"] = _("A session has at least one seat.")
    return errors


def create_session(
    actor, course: Course, data: dict, *, quotas: dict | None = None, reason: str = ""
) -> Session:
    """Schedule a session of ``course``. Defaults: the course's capacity, the Centre
    as venue, the reallocation date six weeks and the nomination deadline eight
    weeks before the start."""
    check_create(actor, Session)
    _visible_or_404(actor, course)
    unknown = set(data) - SESSION_FIELDS
    if unknown:
        raise ValidationError({name: _("Unknown field.") for name in sorted(unknown)})
    values = dict(data)
    start = values.get("start")
    if not start:
        raise ValidationError({"start": _("Give the start date.")})
    values.setdefault("end", start + dt.timedelta(days=max(course.duration_days, 1) - 1))
    if values.get("capacity") is None:  # 0 is refused below, not replaced
        values["capacity"] = course.default_capacity
    if not values.get("reallocation_date"):
        values["reallocation_date"] = Session.default_reallocation_date(start)
    if not values.get("nomination_deadline"):
        values["nomination_deadline"] = start - dt.timedelta(weeks=8)
    if not values.get("venue"):
        values.pop("venue", None)
    errors = _check_session_dates(values)
    if course.status != Course.Status.ACTIVE:
        errors["course"] = _("The course is retired: no new sessions.")
    if errors:
        raise ValidationError(errors)
    if not values.get("reference"):
        values["reference"] = _unique_reference(course, start)
    session = Session(course=course, **values)
    with audit.acting(actor, reason=reason), transaction.atomic():
        session.full_clean()
        try:
            session.save()
        except IntegrityError:
            raise Conflict(_("A session with this reference exists."))
        if quotas:
            _apply_quotas(session, quotas)
    return session


def _unique_reference(course: Course, start: dt.date) -> str:
    base = f"{course.code}-{start:%Y-%m-%d}"
    reference, n = base, 1
    while Session.objects.filter(reference=reference).exists():
        n += 1
        reference = f"{base}-{n}"
    return reference


def _lock(session: Session) -> Session:
    """The session row, locked until the end of the transaction."""
    return (
        Session.objects.select_for_update(of=("self",)).select_related("course").get(pk=session.pk)
    )


def _accepted_count(session: Session) -> int:
    return session.nominations.filter(status=S.ACCEPTED).count()


def update_session(actor, session: Session, data: dict, *, reason: str = "") -> Session:
    """Change a session. Refused: a capacity below the seats taken, dates that
    break accepted seats (moving a session with accepted participants within six
    weeks of its start), and any change to a completed or cancelled session."""
    check_change(actor, session)
    unknown = set(data) - SESSION_FIELDS
    if unknown:
        raise ValidationError({name: _("Unknown field.") for name in sorted(unknown)})
    with audit.acting(actor, reason=reason), transaction.atomic():
        locked = _lock(session)
        if locked.state in (Session.State.COMPLETED, Session.State.CANCELLED):
            raise Conflict(
                _("A %(state)s session cannot be changed.")
                % {"state": locked.get_state_display().lower()}
            )
        values = {name: getattr(locked, name) for name in SESSION_FIELDS}
        values.update(data)
        errors = _check_session_dates(values)
        ledger = SeatLedger.of(locked)
        if values["capacity"] is not None and not ledger.fits(locked, values["capacity"]):
            errors["capacity"] = ngettext(
                "The capacity cannot go below the %(n)d seat already taken "
                "(accepted or held by nominees).",
                "The capacity cannot go below the %(n)d seats already taken "
                "(accepted or held by nominees).",
                ledger.taken(locked),
            ) % {"n": ledger.taken(locked)}
        quota_total = sum(ledger.quotas(locked).values())
        if values["capacity"] is not None and values["capacity"] < quota_total:
            errors.setdefault(
                "capacity",
                ngettext(
                    "The capacity cannot go below the %(n)d seat of the country quotas.",
                    "The capacity cannot go below the %(n)d seats of the country quotas.",
                    quota_total,
                )
                % {"n": quota_total},
            )
        moved = values["start"] != locked.start or values["end"] != locked.end
        if moved and _accepted_count(locked):
            limit = today() + dt.timedelta(weeks=6)
            if locked.start <= limit or values["start"] <= limit:
                errors["start"] = _(
                    "A session with accepted participants cannot be moved within six "
                    "weeks of its start; cancel it instead."
                )
        if errors:
            raise ValidationError(errors)
        for name, value in data.items():
            setattr(locked, name, value)
        locked.full_clean()
        locked.save()
        _fill_free_seats(locked, ledger=ledger)
    session.refresh_from_db()
    return session


def set_quotas(actor, session: Session, quotas: dict, *, reason: str = "") -> Session:
    """Set the seat quota of each country given (``{country: seats}``; 0 removes
    the quota). Refused: an ineligible country, quotas adding up to more than the
    capacity, a quota below the seats a country already holds."""
    check_change(actor, session)
    with audit.acting(actor, reason=reason), transaction.atomic():
        locked = _lock(session)
        if locked.state in (Session.State.COMPLETED, Session.State.CANCELLED):
            raise Conflict(_("The quotas of a finished session cannot be changed."))
        _apply_quotas(locked, quotas)
        _fill_free_seats(locked)
    session.refresh_from_db()
    return session


def _apply_quotas(session: Session, quotas: dict) -> None:
    errors = {}
    current = {q.country_id: q for q in session.quotas.select_related("country")}
    wanted = {q.country_id: q.seats for q in current.values()}
    held = SeatLedger.of(session).held(session)
    for country, seats in quotas.items():
        label = country.iso3
        try:
            seats = int(seats)
        except (TypeError, ValueError):
            errors[f"quota_{label}"] = _("Give a whole number of seats.")
            continue
        if seats < 0:
            errors[f"quota_{label}"] = _("A quota cannot be negative.")
            continue
        if seats and not is_eligible(country, session.course, on=session.start):
            errors[f"quota_{label}"] = _("%(country)s is not eligible for this course.") % {
                "country": local(country)
            }
            continue
        if not session.quotas_released_at and seats < held.get(country.pk, 0):
            errors[f"quota_{label}"] = ngettext(
                "%(country)s already holds %(n)d seat; the quota cannot be lower.",
                "%(country)s already holds %(n)d seats; the quota cannot be lower.",
                held[country.pk],
            ) % {"country": local(country), "n": held[country.pk]}
            continue
        wanted[country.pk] = seats
    total = sum(wanted.values())
    if total > session.capacity:
        errors["quotas"] = ngettext(
            "The quotas add up to %(total)d seat, more than the capacity of %(capacity)d.",
            "The quotas add up to %(total)d seats, more than the capacity of %(capacity)d.",
            total,
        ) % {"total": total, "capacity": session.capacity}
    if errors:
        raise ValidationError(errors)
    by_pk = {country.pk: country for country in quotas}
    for country_id, seats in wanted.items():
        row = current.get(country_id)
        if seats == 0:
            if row is not None:
                row.delete()
        elif row is None:
            SeatQuota.objects.create(session=session, country=by_pk[country_id], seats=seats)
        elif row.seats != seats:
            row.seats = seats
            row.save()


TRANSITIONS = {
    Session.State.PLANNED: {Session.State.OPEN, Session.State.CANCELLED},
    Session.State.OPEN: {
        Session.State.PLANNED,
        Session.State.CLOSED,
        Session.State.RUNNING,
        Session.State.CANCELLED,
    },
    Session.State.CLOSED: {Session.State.OPEN, Session.State.RUNNING, Session.State.CANCELLED},
    Session.State.RUNNING: {Session.State.CANCELLED},
    Session.State.COMPLETED: set(),
    Session.State.CANCELLED: set(),
}


def _refuse(found, *, override: bool, actor, reason: str) -> None:
    """Raise for the blockers (:mod:`..lifecycle`) that refuse a step. Overriding
    the dates needs the right (:func:`~..permissions.can_override_dates`) and a
    reason, recorded with the transition."""
    if override and any(b.overridable for b in found):
        if not can_override_dates(actor):
            raise PermissionDenied(_("Only Centre staff override the session's dates."))
        if not reason.strip():
            raise ValidationError({"reason": _("Give a reason for overriding the dates.")})
    refused = lifecycle.refusing(found, override=override)
    if not refused:
        return
    if all(b.overridable for b in refused):
        raise ValidationError({b.field: b.message for b in refused})
    raise Conflict(
        " ".join(b.message for b in refused),
        errors=[{"field": b.field, "message": b.message} for b in refused],
    )


def change_state(
    actor, session: Session, state: str, *, reason: str = "", override_dates: bool = False
) -> Session:
    """Move a session through its lifecycle: planned → open for nominations →
    nominations closed → running → completed (:func:`complete_session`); it can be
    cancelled at any point before completion, with a reason. What blocks a step is
    :func:`..lifecycle.blockers`' answer: a session runs from its start date on
    unless Centre staff override the date (``override_dates``, with a reason)."""
    check_change(actor, session)
    if state not in Session.State.values:
        raise ValidationError({"state": _("Unknown state “%(s)s”.") % {"s": state}})
    with audit.acting(actor, reason=reason), transaction.atomic():
        locked = _lock(session)
        before = locked.state
        if state == before:
            return locked
        if state == Session.State.COMPLETED:
            raise ValidationError(
                {
                    "state": _(
                        "Complete a running session with “Complete”, which applies the "
                        "course's completion rule."
                    )
                }
            )
        if state not in TRANSITIONS[before]:
            raise Conflict(
                _("A session cannot go from “%(a)s” to “%(b)s”.")
                % {
                    "a": Session.State(before).label,
                    "b": Session.State(state).label,
                }
            )
        if state == Session.State.CANCELLED and not reason.strip():
            raise ValidationError({"reason": _("Give a reason for cancelling.")})
        found = lifecycle.blockers(locked, state, today=today())
        if state == Session.State.OPEN:
            # The deadline is the form's field: a field error, as before.
            for blocker in lifecycle.refusing(found):
                raise ValidationError({blocker.field: blocker.message})
        _refuse(found, override=override_dates, actor=actor, reason=reason)
        locked.state = state
        if state == Session.State.CANCELLED:
            locked.cancel_reason = reason.strip()
        locked.full_clean()
        locked.save()
        _transition(locked, "state", before, state, _with_override(found, override_dates, reason))
    session.refresh_from_db()
    return session


def _with_override(found, override: bool, reason: str) -> str:
    """The reason recorded with a transition, marked when it overrode a date."""
    overridden = [b for b in found if override and b.overridable]
    if not overridden:
        return reason
    return _("Dates overridden (%(codes)s): %(reason)s") % {
        "codes": ", ".join(b.code for b in overridden),
        "reason": reason.strip(),
    }


# -- joining instructions -----------------------------------------------------------------


def send_joining_instructions(actor, session: Session, *, reason: str = "") -> int:
    """E-mail the joining instructions to every accepted nominee not yet sent them."""
    check_change(actor, session)
    _require_staff(actor)
    if not session.joining_instructions.strip():
        raise ValidationError({"joining_instructions": _("Write the joining instructions first.")})
    pending = list(
        session.nominations.filter(status=S.ACCEPTED, joining_sent_at__isnull=True).values_list(
            "pk", flat=True
        )
    )
    from .. import emails

    with audit.acting(actor, reason=reason), transaction.atomic():
        now = timezone.now()
        for nomination in session.nominations.filter(pk__in=pending):
            nomination.joining_sent_at = now
            nomination.save()
        for pk in pending:
            _on_commit(lambda pk=pk: emails.joining_instructions(pk))
    return len(pending)
