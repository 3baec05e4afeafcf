"""Every write of the training app: access check, validation, one transaction,
audit (signals under ``audit.acting``; state changes as TRANSITION entries with
their reason), and the e-mails that follow a committed change.

Seats
-----
A nomination holds a seat when its status is *nominated* or *accepted*
(``has_seat``). The session row counts them in ``seats_taken``, which a check
constraint keeps within the capacity. Every service that gives or frees a seat
first locks the session row (``select_for_update``) inside its transaction, so
concurrent nominations for the last seat are served one after the other: the
first gets the seat, the others the waiting list.

Until the reallocation date a country holds at most its quota of seats; beyond
it, nominations go to the waiting list. A seat freed before that date (a
withdrawal, a rejection) goes to the same country's next waiting nominee.

Reallocation (:func:`reallocate`)
---------------------------------
On a session's reallocation date (by default six weeks before the start) the
quotas are released: every free seat may go to a waiting nominee of *any*
eligible country, in this order (:func:`fair_order`):

1. each free seat goes to the country that holds the fewest seats in the
   session so far, so seats are spread across countries round-robin;
2. ties between countries go to the one whose next waiting nominee was
   nominated earliest, then to the lower country code;
3. within a country, nominees go by the country's own priority (1 first), then
   by the time of nomination.

``icihub reallocate-seats`` runs it for every session whose date has come
(the worker's nightly job ``reallocate-seats``); staff can also run it on demand
for one session.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import hashlib
import secrets
from collections import defaultdict, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F, Max
from django.http import Http404
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from icihub import notifications
from icihub.core import audit
from icihub.core import services as core_services
from icihub.core.access import (
    STAFF_ROLES,
    Role,
    can_see,
    check_change,
    check_create,
    is_staff,
    require_role,
    role_of,
)
from icihub.core.errors import Conflict
from icihub.notifications.kinds import Kind as Notice
from icihub.partners.selectors import is_eligible

from .models import (
    SCORE_FIELDS,
    Assignment,
    Attendance,
    CalendarFeed,
    Certificate,
    Course,
    Evaluation,
    Instructor,
    Nomination,
    Participant,
    SeatQuota,
    Session,
    Trip,
)

Progress = Callable[[str], None]
S = Nomination.Status


def today() -> dt.date:
    return timezone.localdate()


def _on_commit(fn: Callable[[], object]) -> None:
    transaction.on_commit(fn, robust=True)


@contextlib.contextmanager
def without_cyclic_gc():
    """Keep Python's cyclic garbage collector out of a long job (an import, the
    reallocation): it makes tens of thousands of short-lived objects and no
    cycles to free, and the collector would walk them again and again."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def _transition(obj, field_name: str, before, after, reason: str = "") -> None:
    audit.record(
        audit.Action.TRANSITION,
        obj,
        {field_name: {"before": before, "after": after}},
        reason=reason,
    )


def _require_staff(actor) -> None:
    require_role(actor, *STAFF_ROLES)


def _visible_or_404(actor, obj) -> None:
    if not can_see(actor, obj):
        raise Http404(_("Not found."))


# -- courses ------------------------------------------------------------------------


def _course_format(data: dict, course: Course | None = None) -> dict:
    """A taught course's menu format follows its delivery method (see Course.save)."""
    data = dict(data)
    delivery = data.get("delivery") or (course.delivery if course else Course.Delivery.RESIDENT)
    current = data.get("format") or (course.format if course else "")
    if not current or current in Course.FORMAT_OF_DELIVERY.values():
        data["format"] = Course.FORMAT_OF_DELIVERY[delivery]
    return data


def create_course(actor, data: dict, *, reason: str = "") -> Course:
    """Add a course to the catalogue: one record that is also a menu activity."""
    data = _course_format(data)
    data.setdefault("provenance", Course.Provenance.ENTERED)
    return core_services.create(Course, actor, data, reason=reason)


def update_course(actor, course: Course, data: dict, *, reason: str = "") -> Course:
    return core_services.update(course, actor, _course_format(data, course), reason=reason)


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
        if values["capacity"] is not None and values["capacity"] < locked.seats_taken:
            errors["capacity"] = _(
                "The capacity cannot go below the %(n)d seats already taken "
                "(accepted or held by nominees)."
            ) % {"n": locked.seats_taken}
        quota_total = sum(locked.quotas.values_list("seats", flat=True))
        if values["capacity"] is not None and values["capacity"] < quota_total:
            errors.setdefault(
                "capacity",
                _("The capacity cannot go below the %(n)d seats of the country quotas.")
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
        _fill_free_seats(locked)
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
    held = _held_by_country(session)
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
                "country": country.name
            }
            continue
        if not session.quotas_released_at and seats < held.get(country.pk, 0):
            errors[f"quota_{label}"] = _(
                "%(country)s already holds %(n)d seats; the quota cannot be lower."
            ) % {"country": country.name, "n": held[country.pk]}
            continue
        wanted[country.pk] = seats
    total = sum(wanted.values())
    if total > session.capacity:
        errors["quotas"] = _(
            "The quotas add up to %(total)d seats, more than the capacity of %(capacity)d."
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


def change_state(actor, session: Session, state: str, *, reason: str = "") -> Session:
    """Move a session through its lifecycle: planned → open for nominations →
    nominations closed → running → completed (:func:`complete_session`); it can be
    cancelled at any point before completion, with a reason."""
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
        if state == Session.State.OPEN and locked.nomination_deadline < today():
            raise ValidationError(
                {"nomination_deadline": _("The nomination deadline has passed: move it first.")}
            )
        if state == Session.State.RUNNING:
            pending = locked.nominations.filter(status=S.NOMINATED).count()
            if pending:
                raise Conflict(
                    _("Accept or reject the %(n)d pending nominations first.") % {"n": pending}
                )
        locked.state = state
        if state == Session.State.CANCELLED:
            locked.cancel_reason = reason.strip()
        locked.full_clean()
        locked.save()
        _transition(locked, "state", before, state, reason)
    session.refresh_from_db()
    return session


# -- participants --------------------------------------------------------------------

PARTICIPANT_FIELDS = {
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
    "user",
}


def find_duplicates(
    country_id: int,
    given_name: str,
    family_name: str,
    email: str = "",
    date_of_birth: dt.date | None = None,
    *,
    exclude_pk: int | None = None,
) -> list[Participant]:
    """The participants who are the same person as the one described.

    One person is one participant. Two records of the same country are the same
    person when
      * their e-mail addresses are equal (ignoring case), or
      * their Latin names are equal once normalised (case, accents, spaces and
        punctuation ignored: "Al-Sabah" = "al sabah") and neither the e-mail
        addresses nor the dates of birth prove them different (both given and
        unequal).
    """
    key = Participant.make_name_key(given_name, family_name)
    email = (email or "").strip().lower()
    candidates = Participant.objects.filter(country_id=country_id, name_key=key)
    if email:
        candidates = candidates | Participant.objects.filter(
            country_id=country_id, email__iexact=email
        )
    if exclude_pk:
        candidates = candidates.exclude(pk=exclude_pk)
    found = []
    for other in candidates.select_related("country"):
        if email and other.email.lower() == email:
            found.append(other)
            continue
        if other.name_key != key:
            continue
        if email and other.email and other.email.lower() != email:
            continue
        if date_of_birth and other.date_of_birth and other.date_of_birth != date_of_birth:
            continue
        found.append(other)
    return found


def _duplicate_error(duplicates: list[Participant]) -> ValidationError:
    other = duplicates[0]
    return ValidationError(
        {
            "__all__": _(
                "This person is already recorded as participant #%(pk)d (%(name)s): one "
                "person is one participant."
            )
            % {"pk": other.pk, "name": other.full_name}
        },
        code="duplicate",
    )


def _clean_participant_data(data: dict) -> dict:
    unknown = set(data) - PARTICIPANT_FIELDS
    if unknown:
        raise ValidationError({name: _("Unknown field.") for name in sorted(unknown)})
    values = dict(data)
    for name in ("given_name", "family_name", "name_ar", "rank", "position", "organisation"):
        if name in values and isinstance(values[name], str):
            values[name] = " ".join(values[name].split())
    if "email" in values and values["email"]:
        values["email"] = values["email"].strip().lower()
    return values


def create_participant(actor, data: dict, *, reason: str = "") -> Participant:
    """Record a person. A coordinator records their own country's people only;
    a duplicate of an existing participant is refused (see :func:`find_duplicates`)."""
    values = _clean_participant_data(data)
    country = values.get("country")
    if country is None:
        raise ValidationError({"country": _("Give the country.")})
    if role_of(actor) == Role.COORDINATOR and country.pk != actor.country_id:
        raise ValidationError(
            {"country": _("A national coordinator records only their own country's people.")}
        )
    check_create(actor, Participant, country_id=country.pk)
    if values.get("user") is not None and not is_staff(actor):
        raise PermissionDenied(_("Only staff link a participant to an account."))
    participant = Participant(**values)
    participant.full_clean(validate_constraints=False)
    duplicates = find_duplicates(
        country.pk,
        participant.given_name,
        participant.family_name,
        participant.email,
        participant.date_of_birth,
    )
    if duplicates:
        raise _duplicate_error(duplicates)
    with audit.acting(actor, reason=reason), transaction.atomic():
        try:
            participant.save()
        except IntegrityError:
            raise Conflict(_("This person is already recorded: one person is one participant."))
    return participant


def update_participant(actor, participant: Participant, data: dict, *, reason: str = ""):
    check_change(actor, participant)
    if participant.is_anonymised:
        raise Conflict(_("This participant was anonymised: the record can no longer be changed."))
    values = _clean_participant_data(data)
    if "user" in values and values["user"] != participant.user and not is_staff(actor):
        raise PermissionDenied(_("Only staff link a participant to an account."))
    if (
        role_of(actor) == Role.COORDINATOR
        and "country" in values
        and values["country"].pk != actor.country_id
    ):
        raise ValidationError({"country": _("You may not move a person to another country.")})
    for name, value in values.items():
        setattr(participant, name, value)
    participant.full_clean(validate_constraints=False)
    duplicates = find_duplicates(
        participant.country_id,
        participant.given_name,
        participant.family_name,
        participant.email,
        participant.date_of_birth,
        exclude_pk=participant.pk,
    )
    if duplicates:
        raise _duplicate_error(duplicates)
    with audit.acting(actor, reason=reason), transaction.atomic():
        try:
            participant.save()
        except IntegrityError:
            raise Conflict(_("This person is already recorded: one person is one participant."))
    return participant


# -- nominations ---------------------------------------------------------------------


def _held_by_country(session: Session) -> dict[int, int]:
    held: dict[int, int] = defaultdict(int)
    for country_id in session.nominations.filter(has_seat=True).values_list(
        "country_id", flat=True
    ):
        held[country_id] += 1
    return held


def _quota_of(session: Session, country_id: int) -> int:
    row = session.quotas.filter(country_id=country_id).values_list("seats", flat=True).first()
    return row or 0


def _seat_available(session: Session, country_id: int) -> bool:
    """Whether ``country_id`` may take a seat now (the session row is locked)."""
    if session.seats_taken >= session.capacity:
        return False
    if session.quotas_released_at is not None:
        return True
    held = session.nominations.filter(country_id=country_id, has_seat=True).count()
    return held < _quota_of(session, country_id)


def _take_seat(session: Session) -> None:
    Session.objects.filter(pk=session.pk).update(seats_taken=F("seats_taken") + 1)
    session.seats_taken += 1


def _free_seat(session: Session) -> None:
    Session.objects.filter(pk=session.pk).update(seats_taken=F("seats_taken") - 1)
    session.seats_taken -= 1


def check_can_nominate(actor, session: Session, participant: Participant) -> None:
    """Raise a clear error when ``actor`` may not nominate ``participant`` to ``session``."""
    role = role_of(actor)
    if role not in STAFF_ROLES and role != Role.COORDINATOR:
        raise PermissionDenied(_("Only national coordinators and Centre staff nominate."))
    if role == Role.COORDINATOR and participant.country_id != actor.country_id:
        raise ValidationError(
            {"participant": _("A national coordinator nominates only their own country's people.")}
        )
    _visible_or_404(actor, session)
    _visible_or_404(actor, participant)
    if participant.is_anonymised:
        raise ValidationError(
            {"participant": _("This participant was anonymised: they cannot be nominated.")}
        )
    if not session.accepts_nominations(today()):
        if session.state != Session.State.OPEN:
            message = _("This session is not open for nominations (it is %(state)s).") % {
                "state": session.get_state_display().lower()
            }
        else:
            message = _("The nomination deadline (%(date)s) has passed.") % {
                "date": session.nomination_deadline.isoformat()
            }
        raise ValidationError({"session": message})
    if not is_eligible(participant.country, session.course, on=session.start):
        raise ValidationError(
            {
                "participant": _(
                    "%(country)s is not eligible for this course: it is open to %(audience)s."
                )
                % {
                    "country": participant.country.name,
                    "audience": _audience(session.course),
                }
            }
        )


def _audience(course: Course) -> str:
    names = [f.acronym for f in course.eligible_frameworks.all()]
    names += [c.name for c in course.eligible_countries.all()]
    return ", ".join(names) or _("every partner")


def nominate(
    actor,
    session: Session,
    participant: Participant,
    *,
    priority: int | None = None,
    reason: str = "",
) -> Nomination:
    """Nominate one person (see :func:`nominate_many`)."""
    return nominate_many(actor, session, [participant], priority=priority, reason=reason)[0]


def nominate_many(
    actor,
    session: Session,
    participants: list[Participant],
    *,
    priority: int | None = None,
    reason: str = "",
) -> list[Nomination]:
    """Nominate people in priority order (the first is the country's first
    choice). Within the country's quota a nominee holds a seat; beyond it, the
    nominee goes to the waiting list. All or nothing."""
    if not participants:
        raise ValidationError({"participants": _("Choose at least one person.")})
    seen = set()
    for participant in participants:
        if participant.pk in seen:
            raise ValidationError(
                {"participants": _("%(name)s is listed twice.") % {"name": participant.full_name}}
            )
        seen.add(participant.pk)
        check_can_nominate(actor, session, participant)
    if priority is not None and not Nomination.PRIORITY_MIN <= priority <= Nomination.PRIORITY_MAX:
        raise ValidationError(
            {
                "priority": _("A priority is a number from %(min)d to %(max)d.")
                % {"min": Nomination.PRIORITY_MIN, "max": Nomination.PRIORITY_MAX}
            }
        )
    created = []
    with audit.acting(actor, reason=reason), transaction.atomic():
        locked = _lock(session)
        if not locked.accepts_nominations(today()):
            raise ValidationError({"session": _("This session is not open for nominations.")})
        already = set(
            locked.nominations.filter(
                participant__in=participants, status__in=Nomination.ACTIVE
            ).values_list("participant_id", flat=True)
        )
        if already:
            names = [p.full_name for p in participants if p.pk in already]
            raise ValidationError(
                {
                    "participants": _("Already nominated to this session: %(names)s.")
                    % {"names": ", ".join(names)}
                }
            )
        next_priority: dict[int, int] = {}
        for participant in participants:
            country_id = participant.country_id
            if priority is not None and len(participants) == 1:
                rank = priority
            else:
                if country_id not in next_priority:
                    top = locked.nominations.filter(country_id=country_id).aggregate(
                        m=Max("priority")
                    )["m"]
                    next_priority[country_id] = (top or 0) + 1
                # after the last, within the range (the last ones share it and
                # go by nomination time)
                rank = min(next_priority[country_id], Nomination.PRIORITY_MAX)
                next_priority[country_id] += 1
            seated = _seat_available(locked, country_id)
            nomination = Nomination(
                session=locked,
                participant=participant,
                country_id=country_id,
                priority=rank,
                status=S.NOMINATED if seated else S.WAITLISTED,
                has_seat=seated,
                # A seat taken at once never came from the waiting list, even
                # after the release: via_reallocation is for promoted nominees.
                via_reallocation=False,
                reason=reason,
                nominated_by=actor if getattr(actor, "is_authenticated", False) else None,
                nominated_at=timezone.now(),
            )
            try:
                with transaction.atomic():
                    nomination.save()
            except IntegrityError:
                raise Conflict(
                    _("%(name)s is already nominated to this session.")
                    % {"name": participant.full_name}
                )
            if seated:
                _take_seat(locked)
            _transition(nomination, "status", None, nomination.status, reason)
            created.append(nomination)
    from . import emails

    for nomination in created:
        if nomination.status == S.WAITLISTED:
            _on_commit(lambda pk=nomination.pk: emails.nomination_waitlisted(pk))
    notifications.notify(
        Notice.NOMINATION_WAITLISTED, [n for n in created if n.status == S.WAITLISTED]
    )
    if any(n.status == S.NOMINATED for n in created):
        notifications.notify(Notice.NOMINATIONS_WAITING, locked)
    return created


def _decide_check(actor, nomination: Nomination) -> None:
    check_change(actor, nomination)
    _require_staff(actor)


def accept(actor, nomination: Nomination, *, reason: str = "") -> Nomination:
    """Centre staff accept a nominee. A waiting nominee is accepted only when a
    seat is free for their country."""
    _decide_check(actor, nomination)
    with audit.acting(actor, reason=reason), transaction.atomic():
        locked = _lock(nomination.session)
        nomination = Nomination.objects.select_for_update().get(pk=nomination.pk)
        if locked.state in (Session.State.COMPLETED, Session.State.CANCELLED):
            raise Conflict(_("The session is %(state)s.") % {"state": locked.get_state_display()})
        before = nomination.status
        if before == S.ACCEPTED:
            return nomination
        if before not in (S.NOMINATED, S.WAITLISTED):
            raise Conflict(
                _("A %(status)s nomination cannot be accepted.")
                % {"status": nomination.get_status_display().lower()}
            )
        if before == S.WAITLISTED:
            if not _seat_available(locked, nomination.country_id):
                raise Conflict(_no_seat_message(locked, nomination.country.name))
            _take_seat(locked)
            nomination.has_seat = True
            nomination.via_reallocation = locked.quotas_released_at is not None
        nomination.status = S.ACCEPTED
        nomination.decided_by = actor
        nomination.decided_at = timezone.now()
        nomination.decision_reason = reason
        nomination.save()
        _transition(nomination, "status", before, S.ACCEPTED, reason)
    from . import emails

    _on_commit(lambda: emails.nomination_accepted(nomination.pk))
    notifications.notify(Notice.NOMINATION_ACCEPTED, nomination, params={"detail": reason.strip()})
    return nomination


def reallocation_phase(session: Session) -> str:
    """Where ``session``'s waiting list stands (the one home of the rule; the
    daily reallocation, :func:`reallocate`, processes only sessions open or
    closed for nominations whose quotas still bind; once released, a freed seat
    goes to the next waiting nominee at once, see :func:`_fill_free_seats`,
    while the session is not yet running):

    - ``"started"``: the session has started: no seat is reallocated any more;
    - ``"released"``: the quotas are released: a freed seat goes at once;
    - ``"due"``: the release date has come: the next daily run releases them;
    - ``"scheduled"``: the quotas are released on the reallocation date."""
    if session.state not in (Session.State.OPEN, Session.State.CLOSED, Session.State.PLANNED):
        return "started"
    if session.quotas_released_at is not None:
        return "released"
    if session.reallocation_date <= today():
        return "due"
    return "scheduled"


def _no_seat_message(session: Session, country: str) -> str:
    """Why a waiting nominee cannot be accepted now, and what will really happen
    to the waiting list (:func:`reallocation_phase`)."""
    values = {"country": country, "date": session.reallocation_date.isoformat()}
    phase = reallocation_phase(session)
    if phase == "started":
        return (
            _(
                "No seat is free for %(country)s: the session is full. Seats of a session "
                "that has started are not reallocated; a waiting nominee can be accepted only "
                "after a seat is freed (a withdrawal or a rejection) or the capacity is raised."
            )
            % values
        )
    if phase == "released":
        return _(
            "No seat is free: the session is full (the quotas were released on %(date)s). "
            "When a seat is freed, it goes at once to the next waiting nominee in the fair "
            "order of the reallocation."
        ) % {"date": timezone.localtime(session.quotas_released_at).date().isoformat()}
    if phase == "due":
        return (
            _(
                "No seat is free for %(country)s: the quota is used up or the session is full. "
                "The unused quota seats are due for release since %(date)s and go to the waiting "
                "list at the next daily reallocation."
            )
            % values
        )
    return (
        _(
            "No seat is free for %(country)s: the quota is used up or the session is full. "
            "Unused quota seats are released to the waiting list on %(date)s."
        )
        % values
    )


def waiting_list_outlook(session: Session) -> str:
    """What will happen to a waiting nominee of ``session``, in their words (the
    waiting-list e-mail; :func:`reallocation_phase`)."""
    phase = reallocation_phase(session)
    if phase == "released":
        return _(
            "The unused quota seats were released on %(date)s: when a seat is freed, it "
            "goes at once to the next waiting nominee, and you will hear from us."
        ) % {"date": formats.date_format(timezone.localtime(session.quotas_released_at).date())}
    if phase == "due":
        return _(
            "The unused quota seats are released to the waiting list at the next daily "
            "reallocation; you will hear from us if a seat becomes free."
        )
    if phase == "started":
        return _(
            "The session has started: a seat goes to a waiting nominee only if one is freed; "
            "you will hear from us if it is."
        )
    return _(
        "Unused seats are reallocated on %(date)s; you will hear from us if a seat becomes free."
    ) % {"date": formats.date_format(session.reallocation_date)}


def reject(actor, nomination: Nomination, *, reason: str) -> Nomination:
    """Centre staff reject a nominee, with a reason. A held seat is freed."""
    _decide_check(actor, nomination)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give a reason for the rejection.")})
    with audit.acting(actor, reason=reason), transaction.atomic():
        locked = _lock(nomination.session)
        nomination = Nomination.objects.select_for_update().get(pk=nomination.pk)
        before = nomination.status
        if before not in Nomination.ACTIVE:
            raise Conflict(
                _("A %(status)s nomination cannot be rejected.")
                % {"status": nomination.get_status_display().lower()}
            )
        if locked.state in (Session.State.COMPLETED, Session.State.CANCELLED):
            raise Conflict(_("The session is %(state)s.") % {"state": locked.get_state_display()})
        if nomination.has_seat:
            _free_seat(locked)
        nomination.status = S.REJECTED
        nomination.has_seat = False
        nomination.decided_by = actor
        nomination.decided_at = timezone.now()
        nomination.decision_reason = reason.strip()
        nomination.save()
        _transition(nomination, "status", before, S.REJECTED, reason)
        _fill_free_seats(locked)
    from . import emails

    _on_commit(lambda: emails.nomination_rejected(nomination.pk))
    notifications.notify(Notice.NOMINATION_REJECTED, nomination, params={"detail": reason.strip()})
    return nomination


def withdraw(actor, nomination: Nomination, *, reason: str = "") -> Nomination:
    """The nominee, their coordinator or staff withdraw a nomination; a held seat
    goes to the next waiting nominee (see the module's documentation)."""
    check_change(actor, nomination)
    with audit.acting(actor, reason=reason), transaction.atomic():
        locked = _lock(nomination.session)
        nomination = Nomination.objects.select_for_update().get(pk=nomination.pk)
        before = nomination.status
        if before not in Nomination.ACTIVE:
            raise Conflict(
                _("A %(status)s nomination cannot be withdrawn.")
                % {"status": nomination.get_status_display().lower()}
            )
        if locked.state in (Session.State.COMPLETED, Session.State.CANCELLED):
            raise Conflict(_("The session is %(state)s.") % {"state": locked.get_state_display()})
        if nomination.has_seat:
            _free_seat(locked)
        nomination.status = S.WITHDRAWN
        nomination.has_seat = False
        nomination.withdrawn_by = actor
        nomination.withdrawn_at = timezone.now()
        nomination.withdrawal_reason = reason
        nomination.save()
        _transition(nomination, "status", before, S.WITHDRAWN, reason)
        _fill_free_seats(locked)
    return nomination


def check_substitute(actor, nomination: Nomination) -> None:
    """May ``actor`` replace this nominee? (404 if the nomination is not visible,
    PermissionDenied otherwise.) Pages ask before reading the form."""
    check_change(actor, nomination)
    if role_of(actor) not in STAFF_ROLES and role_of(actor) != Role.COORDINATOR:
        raise PermissionDenied(_("Only national coordinators and Centre staff substitute."))


def substitute(
    actor, nomination: Nomination, participant: Participant, *, reason: str = ""
) -> Nomination:
    """Replace a nominee by another person of the same country, who keeps the
    seat (and the status and priority) of the one replaced."""
    check_substitute(actor, nomination)
    if participant.country_id != nomination.country_id:
        raise ValidationError(
            {"participant": _("The substitute must be of the same country as the nominee.")}
        )
    _visible_or_404(actor, participant)
    with audit.acting(actor, reason=reason), transaction.atomic():
        locked = _lock(nomination.session)
        old = Nomination.objects.select_for_update().get(pk=nomination.pk)
        if old.status not in Nomination.ACTIVE:
            raise Conflict(
                _("A %(status)s nomination cannot be substituted.")
                % {"status": old.get_status_display().lower()}
            )
        if locked.state not in (Session.State.OPEN, Session.State.CLOSED):
            raise Conflict(_("Substitutions end when the session starts."))
        if locked.nominations.filter(
            participant=participant, status__in=Nomination.ACTIVE
        ).exists():
            raise ValidationError(
                {
                    "participant": _("%(name)s is already nominated to this session.")
                    % {"name": participant.full_name}
                }
            )
        before = old.status
        kept = {
            "status": old.status,
            "has_seat": old.has_seat,
            "priority": old.priority,
            "via_reallocation": old.via_reallocation,
            "promoted_at": old.promoted_at,
            "decided_by_id": old.decided_by_id,
            "decided_at": old.decided_at,
            "decision_reason": old.decision_reason,
        }
        old.status = S.SUBSTITUTED
        old.has_seat = False
        old.withdrawn_by = actor
        old.withdrawn_at = timezone.now()
        old.withdrawal_reason = reason
        old.save()
        _transition(old, "status", before, S.SUBSTITUTED, reason)
        new = Nomination(
            session=locked,
            participant=participant,
            country_id=old.country_id,
            substitute_for=old,
            reason=reason,
            nominated_by=actor,
            nominated_at=timezone.now(),
            **kept,
        )
        new.save()
        _transition(new, "status", None, new.status, reason)
    return new


# -- waiting list and reallocation -----------------------------------------------------


def fair_order(waiting: Iterable, held: dict[int, int]) -> list:
    """Order waiting nominees for released seats (see the module documentation):
    the country holding the fewest seats first (round-robin), ties to the country
    whose next nominee was nominated earliest, then the lower country id; within a
    country by priority, then nomination time. ``waiting`` items need
    ``country_id``, ``priority``, ``nominated_at`` and ``pk``."""
    queues: dict[int, deque] = {}
    for n in sorted(waiting, key=lambda n: (n.priority, n.nominated_at, n.pk)):
        queues.setdefault(n.country_id, deque()).append(n)
    held = defaultdict(int, held)
    ordered = []
    while queues:
        country_id = min(
            queues,
            key=lambda c: (held[c], queues[c][0].nominated_at, queues[c][0].pk, c),
        )
        ordered.append(queues[country_id].popleft())
        held[country_id] += 1
        if not queues[country_id]:
            del queues[country_id]
    return ordered


def _eligible_country_ids(
    session: Session, country_ids: Iterable[int], cache: dict | None = None
) -> set[int]:
    """Which of ``country_ids`` may take part in the session's course on its
    start date (the rule of ``partners.selectors.is_eligible``), in one query.
    ``cache`` keeps each course's eligible frameworks and countries."""
    from icihub.partners.models import Country
    from icihub.partners.selectors import eligible_countries_q

    cache = {} if cache is None else cache
    audience = cache.get(session.course_id)
    if audience is None:
        course = session.course
        audience = (
            list(course.eligible_frameworks.values_list("pk", flat=True)),
            list(course.eligible_countries.values_list("pk", flat=True)),
        )
        cache[session.course_id] = audience
    ids = set(country_ids)
    frameworks, countries = audience
    if not frameworks and not countries:
        return ids
    key = (session.course_id, session.start)
    eligible = cache.get(key)
    if eligible is None:
        eligible = set(
            Country.objects.filter(
                eligible_countries_q(frameworks, countries, on=session.start)
            ).values_list("pk", flat=True)
        )
        cache[key] = eligible
    return ids & eligible


def _promotion_plan(
    session: Session, waiting: list, held: dict[int, int], cache: dict | None = None
) -> list:
    """Which waiting nominees take the free seats of ``session`` now (in order)."""
    free = session.capacity - session.seats_taken
    if free <= 0 or not waiting:
        return []
    if session.quotas_released_at is not None:
        eligible = _eligible_country_ids(session, {n.country_id for n in waiting}, cache)
        ordered = fair_order([n for n in waiting if n.country_id in eligible], held)
        return ordered[:free]
    quotas = dict(session.quotas.values_list("country_id", "seats"))
    plan = []
    by_country: dict[int, list] = defaultdict(list)
    for n in sorted(waiting, key=lambda n: (n.priority, n.nominated_at, n.pk)):
        by_country[n.country_id].append(n)
    for country_id, queue in sorted(by_country.items()):
        room = quotas.get(country_id, 0) - held.get(country_id, 0)
        plan.extend(queue[: max(room, 0)])
    plan.sort(key=lambda n: (n.priority, n.nominated_at, n.pk))
    return plan[:free]


def _promote(session: Session, nominations: list, reason: str, notify: list | None = None):
    """Give the seats to ``nominations`` (waiting nominees of the locked
    ``session``): one update, one audit entry (the transition, with its reason)
    per nominee written in one bulk insert (``audit.record_many``), and the
    "promoted" e-mails after commit (or into ``notify``)."""
    if not nominations:
        return []
    now = timezone.now()
    released = session.quotas_released_at is not None
    pks = [n.pk for n in nominations]
    changed = Nomination.objects.filter(pk__in=pks, status=S.WAITLISTED).update(
        status=S.NOMINATED,
        has_seat=True,
        promoted_at=now,
        via_reallocation=released,
        updated_at=now,
    )
    if changed != len(pks):
        raise Conflict(_("The waiting list changed meanwhile: try again."))
    Session.objects.filter(pk=session.pk).update(seats_taken=F("seats_taken") + len(pks))
    session.seats_taken += len(pks)
    changes = {
        "status": {"before": S.WAITLISTED.value, "after": S.NOMINATED.value},
        "has_seat": {"before": False, "after": True},
        "via_reallocation": {"before": False, "after": released},
    }
    for nomination in nominations:
        nomination.session = session  # (for the audit's description, without a query)
        nomination.status = S.NOMINATED
        nomination.has_seat = True
        nomination.promoted_at = now
        nomination.via_reallocation = released
    # One transition entry per promoted nominee, in one bulk insert.
    audit.record_many(audit.Action.TRANSITION, [(n, changes) for n in nominations], reason=reason)
    notifications.notify(Notice.NOMINATION_PROMOTED, nominations)
    if notify is not None:
        notify.extend(pks)
    else:
        from . import emails

        _on_commit(lambda: emails.nominations_promoted(pks))
    return nominations


def _fill_free_seats(session: Session, reason: str = "") -> list:
    """Give free seats to waiting nominees (the session row is locked)."""
    if session.state not in (Session.State.OPEN, Session.State.CLOSED, Session.State.PLANNED):
        return []
    waiting = list(session.nominations.filter(status=S.WAITLISTED).select_related("participant"))
    if not waiting or session.seats_taken >= session.capacity:
        return []
    plan = _promotion_plan(session, waiting, _held_by_country(session))
    return _promote(session, plan, reason or _("A seat became free."))


#: How many times the daily run tries one session before reporting it failed.
REALLOCATION_ATTEMPTS = 3


class SessionOutcome:
    """What the reallocation did to one session."""

    REALLOCATED = "reallocated"  # quotas released, waiting nominees promoted
    UNCHANGED = "unchanged"  # quotas released (or already), nobody to promote
    CONFLICT = "conflict"  # still failing after every attempt: nothing written


@dataclass
class SessionReallocation:
    """The result of the reallocation of one session (its own transaction)."""

    session_id: int
    reference: str
    outcome: str
    attempts: int = 1
    reason: str = ""
    promoted: list = field(default_factory=list)  # (nominee, country iso3)

    @property
    def failed(self) -> bool:
        return self.outcome == SessionOutcome.CONFLICT

    def as_dict(self) -> dict:
        return {
            "session": self.session_id,
            "reference": self.reference,
            "outcome": self.outcome,
            "attempts": self.attempts,
            "reason": self.reason,
            "promoted": [{"participant": name, "country": iso3} for name, iso3 in self.promoted],
        }

    def line(self) -> str:
        """One line of the command's report."""
        if self.outcome == SessionOutcome.REALLOCATED:
            text = _("%(ref)s: reallocated, %(n)d promoted") % {
                "ref": self.reference,
                "n": len(self.promoted),
            }
        elif self.outcome == SessionOutcome.UNCHANGED:
            text = _("%(ref)s: unchanged (%(why)s)") % {"ref": self.reference, "why": self.reason}
        else:
            text = _("%(ref)s: conflict after %(n)d attempts: %(why)s") % {
                "ref": self.reference,
                "n": self.attempts,
                "why": self.reason,
            }
        if self.outcome != SessionOutcome.CONFLICT and self.attempts > 1:
            text += " " + _("(after %(n)d attempts)") % {"n": self.attempts}
        return text


@dataclass
class ReallocationReport:
    """What a reallocation run did: per session (``results``) and in total. A
    scheduled job records :meth:`as_dict`; ``ok`` is false when some session
    finally failed (the others were processed all the same)."""

    day: dt.date
    dry_run: bool
    sessions: int = 0
    released: int = 0
    promoted: list = field(default_factory=list)  # (session reference, nominee, country iso3)
    results: list[SessionReallocation] = field(default_factory=list)

    @property
    def failed(self) -> list[SessionReallocation]:
        return [r for r in self.results if r.failed]

    @property
    def ok(self) -> bool:
        return not self.failed

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(
            (SessionOutcome.REALLOCATED, SessionOutcome.UNCHANGED, SessionOutcome.CONFLICT), 0
        )
        for result in self.results:
            counts[result.outcome] += 1
        return counts

    def as_dict(self) -> dict:
        return {
            "day": self.day.isoformat(),
            "dry_run": self.dry_run,
            "sessions": self.sessions,
            "released": self.released,
            "promoted": len(self.promoted),
            "counts": self.counts(),
            "ok": self.ok,
            "results": [r.as_dict() for r in self.results],
        }

    def summary(self) -> str:
        verb = _("would be") if self.dry_run else _("were")
        text = _(
            "%(day)s: %(released)d of %(sessions)d due sessions released their quotas; "
            "%(n)d waiting nominees %(verb)s promoted."
        ) % {
            "day": self.day.isoformat(),
            "released": self.released,
            "sessions": self.sessions,
            "n": len(self.promoted),
            "verb": verb,
        }
        if self.failed:
            text += " " + _("%(n)d sessions failed: %(refs)s.") % {
                "n": len(self.failed),
                "refs": ", ".join(r.reference for r in self.failed),
            }
        return text


def due_for_reallocation(day: dt.date):
    """Sessions whose reallocation date has come and whose quotas still bind."""
    return Session.objects.filter(
        state__in=[Session.State.OPEN, Session.State.CLOSED],
        reallocation_date__lte=day,
        start__gt=day,
        quotas_released_at__isnull=True,
    )


def reallocate(
    day: dt.date | None = None,
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
    actor=None,
    session: Session | None = None,
    reason: str = "",
) -> ReallocationReport:
    """Release the quotas of the sessions due on ``day`` (today by default) and
    promote waiting nominees of any eligible country to the free seats, in the
    fair order of :func:`fair_order`. With ``session``, do it for that session
    now, whatever its reallocation date (staff, on demand). ``dry_run`` writes
    nothing and reports what would happen.

    Each session is its own transaction, tried up to
    :data:`REALLOCATION_ATTEMPTS` times when it conflicts with a concurrent
    change (a nominee withdrawn meanwhile, a deadlock): one session that still
    fails is reported (``report.results``, outcome "conflict") and never stops
    the others. On demand (``session``), a final failure raises :class:`Conflict`."""
    with without_cyclic_gc():
        report = _reallocate(day, dry_run, progress, actor, session, reason)
    if session is not None and report.failed:
        raise Conflict(report.failed[0].reason)
    return report


# The errors worth another attempt: a changed waiting list (Conflict from
# _promote), a deadlock, a lock timeout or a constraint hit by a concurrent
# write (DatabaseError: OperationalError, IntegrityError, ...).
_RETRYABLE = (Conflict, DatabaseError)


def _reallocate(day, dry_run, progress, actor, session, reason) -> ReallocationReport:
    day = day or today()
    progress = progress or (lambda line: None)
    report = ReallocationReport(day=day, dry_run=dry_run)
    if session is not None:
        check_change(actor, session)
        _require_staff(actor)
        if session.state not in (Session.State.OPEN, Session.State.CLOSED):
            raise Conflict(_("Only sessions open or closed for nominations are reallocated."))
        ids = [session.pk]  # released now, or already: fill any seat freed since
    else:
        ids = list(due_for_reallocation(day).values_list("pk", flat=True))
    report.sessions = len(ids)
    reason = reason or _("Reallocation of unused quota seats (%(day)s)") % {"day": day.isoformat()}
    progress(f"{len(ids)} sessions due for reallocation on {day.isoformat()}")
    # One query for every waiting nominee of the due sessions (the first attempt
    # of each session uses it; a retry reads the session's list again, locked).
    waiting_by_session: dict[int, list] = defaultdict(list)
    for n in (
        Nomination.objects.filter(session_id__in=ids, status=S.WAITLISTED)
        .select_related("participant", "country")
        .order_by("session_id", "priority", "nominated_at", "id")
        .iterator(chunk_size=2000)
    ):
        waiting_by_session[n.session_id].append(n)
    quiet = [pk for pk in ids if pk not in waiting_by_session]
    busy = [pk for pk in ids if pk in waiting_by_session]
    now = timezone.now()
    cache: dict = {}
    notify: list[int] = []
    with audit.acting(actor, reason=reason):
        if quiet:
            # Sessions nobody waits for only release their quotas: one UPDATE per
            # 500 (a batch cannot conflict: it skips any session that has been
            # released or has got a waiting nominee meanwhile, which then goes
            # through the per-session path below).
            busy.extend(_release_quiet(quiet, now, dry_run, report))
        for index, pk in enumerate(busy, start=1):
            result = _reallocate_one(
                pk, waiting_by_session.get(pk), now, dry_run, reason, cache, notify
            )
            report.results.append(result)
            if not result.failed:
                report.released += 1
                report.promoted.extend((result.reference, *p) for p in result.promoted)
            if index % 200 == 0:
                progress(f"  {index}/{len(busy)} sessions with waiting nominees")
    if notify:
        from . import emails

        # After the sessions' own commits: one batch, one mail connection.
        _on_commit(lambda: emails.nominations_promoted(notify))
        progress(f"  {len(notify)} promotion e-mails queued")
    report.results.sort(key=lambda r: r.reference)
    progress(report.summary())
    return report


def _release_quiet(ids: list[int], now, dry_run: bool, report: ReallocationReport) -> list[int]:
    """Release the quotas of sessions without waiting nominees; returns those
    that got a waiting nominee (or were released) meanwhile, left for the
    per-session path."""
    left: list[int] = []
    for chunk_start in range(0, len(ids), 500):
        chunk = ids[chunk_start : chunk_start + 500]
        with transaction.atomic():
            pending = Session.objects.filter(pk__in=chunk, quotas_released_at__isnull=True).exclude(
                pk__in=Nomination.objects.filter(session_id__in=chunk, status=S.WAITLISTED).values(
                    "session_id"
                )
            )
            rows = list(pending.order_by().values_list("pk", "reference"))
            done = {pk for pk, _ref in rows}
            if rows and not dry_run:
                Session.objects.filter(pk__in=done, quotas_released_at__isnull=True).update(
                    quotas_released_at=now
                )
                audit.log_event(
                    audit.Action.TRANSITION,
                    None,
                    message=f"quotas released (no waiting nominees): {len(rows)} sessions",
                    data={"sessions": sorted(done)},
                )
        left.extend(pk for pk in chunk if pk not in done)
        report.released += len(rows)
        report.results.extend(
            SessionReallocation(
                pk, ref, SessionOutcome.UNCHANGED, reason=_("nobody on the waiting list")
            )
            for pk, ref in rows
        )
    return left


def _reallocate_one(pk, prefetched, now, dry_run, reason, cache, notify) -> SessionReallocation:
    """Reallocate one session in its own transaction, with up to
    :data:`REALLOCATION_ATTEMPTS` attempts. Never raises for a conflict: the
    result says what happened."""
    reference = ""
    error: Exception | None = None
    for attempt in range(1, REALLOCATION_ATTEMPTS + 1):
        promoted_pks: list[int] = []
        try:
            with transaction.atomic():
                locked = (
                    Session.objects.select_for_update(of=("self",))
                    .select_related("course")
                    .get(pk=pk)
                )
                reference = locked.reference
                if locked.quotas_released_at is None:
                    locked.quotas_released_at = now
                    if not dry_run:
                        Session.objects.filter(pk=pk).update(quotas_released_at=now)
                        _transition(locked, "quotas_released_at", None, now.isoformat(), reason)
                if attempt == 1 and prefetched is not None:
                    waiting = [n for n in prefetched if n.status == S.WAITLISTED]
                else:  # read again, under the session's lock
                    waiting = list(
                        locked.nominations.filter(status=S.WAITLISTED)
                        .select_related("participant", "country")
                        .order_by("priority", "nominated_at", "id")
                    )
                plan = _promotion_plan(locked, waiting, _held_by_country(locked), cache)
                if not dry_run:
                    _promote(locked, plan, reason, promoted_pks)
                if dry_run:
                    transaction.set_rollback(True)
        except _RETRYABLE as exc:
            error = exc
            continue
        except Session.DoesNotExist:
            error = Conflict(_("The session was deleted meanwhile."))
            break
        notify.extend(promoted_pks)
        promoted = [(n.participant.full_name, n.country.iso3) for n in plan]
        if promoted:
            return SessionReallocation(
                pk, reference, SessionOutcome.REALLOCATED, attempt, promoted=promoted
            )
        why = _("no free seat") if waiting else _("nobody on the waiting list")
        return SessionReallocation(pk, reference, SessionOutcome.UNCHANGED, attempt, reason=why)
    if not reference:
        reference = Session.objects.filter(pk=pk).values_list("reference", flat=True).first() or ""
    return SessionReallocation(
        pk,
        reference or f"#{pk}",
        SessionOutcome.CONFLICT,
        attempts=attempt,
        reason=str(error) or error.__class__.__name__,
    )


# -- attendance and completion -----------------------------------------------------------


def can_take_attendance(actor, session: Session) -> bool:
    if is_staff(actor):
        return True
    return (
        role_of(actor) == Role.INSTRUCTOR
        and Assignment.objects.filter(session=session, instructor__user=actor).exists()
    )


def record_attendance(actor, session: Session, present: dict[int, set], *, reason: str = "") -> int:
    """Record who was present on which day: ``present`` maps each accepted
    nomination's id to the set of days it was present (the other days of the
    session are recorded as absent). Staff, and instructors for their own
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
    if errors:
        raise ValidationError(errors)
    existing = {
        (a.nomination_id, a.day): a
        for a in Attendance.objects.filter(nomination_id__in=list(present))
    }
    new_rows = []
    written = 0
    with audit.acting(actor, reason=reason), transaction.atomic():
        for pk, marked in present.items():
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


def complete_session(actor, session: Session, *, reason: str = "") -> dict[str, int]:
    """Close a running session: apply the course's completion rule to every
    accepted nominee from the recorded attendance. Returns the counts per outcome."""
    check_change(actor, session)
    _require_staff(actor)
    counts: dict[str, int] = defaultdict(int)
    with audit.acting(actor, reason=reason), transaction.atomic():
        locked = _lock(session)
        if locked.state != Session.State.RUNNING:
            raise Conflict(_("Only a running session can be completed."))
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
        _transition(locked, "state", Session.State.RUNNING, Session.State.COMPLETED, reason)
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


# -- certificates ---------------------------------------------------------------------

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


def new_certificate_code() -> str:
    """A unique, unguessable verification code such as ``K7QF-3MZP-WX2D``."""
    while True:
        raw = "".join(secrets.choice(CODE_ALPHABET) for _i in range(12))
        code = f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"
        if not Certificate.objects.filter(code=code).exists():
            return code


def normalise_code(code: str) -> str:
    raw = "".join(ch for ch in (code or "").upper() if ch.isalnum())
    if len(raw) != 12:
        return (code or "").strip().upper()
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def _certificate_blocker(nomination: Nomination) -> str | None:
    if nomination.outcome != Nomination.Outcome.COMPLETED:
        return _("%(name)s has not completed the course.") % {
            "name": nomination.participant.full_name
        }
    if (
        nomination.session.course.level1_evaluation_required
        and not Evaluation.objects.filter(nomination=nomination).exists()
    ):
        return _("%(name)s has not returned the level-1 evaluation the course requires.") % {
            "name": nomination.participant.full_name
        }
    if Certificate.objects.filter(nomination=nomination).exists():
        return _("%(name)s already has a certificate.") % {"name": nomination.participant.full_name}
    return None


def issue_certificate(actor, nomination: Nomination, *, reason: str = "") -> Certificate:
    """Issue the certificate of a nominee who completed the course (and returned
    the level-1 evaluation when the course requires it)."""
    _visible_or_404(actor, nomination)
    _require_staff(actor)
    nomination = Nomination.objects.select_related("session__course", "participant").get(
        pk=nomination.pk
    )
    blocker = _certificate_blocker(nomination)
    if blocker:
        raise Conflict(blocker)
    with audit.acting(actor, reason=reason), transaction.atomic():
        try:
            with transaction.atomic():
                certificate = Certificate.objects.create(
                    nomination=nomination, code=new_certificate_code(), issued_by=actor
                )
        except IntegrityError:
            raise Conflict(_("This nominee already has a certificate."))
    from . import emails

    _on_commit(lambda: emails.certificate_issued(certificate.pk))
    return certificate


def issue_certificates(actor, session: Session, *, reason: str = "") -> tuple[list, list[str]]:
    """Issue every certificate due for ``session``; returns (issued, reasons why
    others were not issued)."""
    check_change(actor, session)
    _require_staff(actor)
    if session.state != Session.State.COMPLETED:
        raise Conflict(_("Certificates are issued once the session is completed."))
    issued, skipped = [], []
    nominations = session.nominations.filter(
        status=S.ACCEPTED, outcome=Nomination.Outcome.COMPLETED, certificate__isnull=True
    ).select_related("participant", "session__course")
    with transaction.atomic():
        for nomination in nominations:
            blocker = _certificate_blocker(nomination)
            if blocker:
                skipped.append(blocker)
                continue
            issued.append(issue_certificate(actor, nomination, reason=reason))
    return issued, skipped


def revoke_certificate(actor, certificate: Certificate, *, reason: str) -> Certificate:
    check_change(actor, certificate)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give a reason for revoking.")})
    if certificate.revoked_at is not None:
        raise Conflict(_("This certificate is already revoked."))
    with audit.acting(actor, reason=reason), transaction.atomic():
        certificate.revoked_at = timezone.now()
        certificate.revoked_by = actor
        certificate.revocation_reason = reason.strip()
        certificate.save()
        _transition(certificate, "valid", True, False, reason)
    return certificate


# -- instructors, assignments, trips ---------------------------------------------------


def create_instructor(actor, data: dict, *, reason: str = "") -> Instructor:
    return core_services.create(Instructor, actor, data, reason=reason)


def update_instructor(actor, instructor: Instructor, data: dict, *, reason: str = ""):
    return core_services.update(instructor, actor, data, reason=reason)


def assign(
    actor, session: Session, instructor: Instructor, role: str, *, reason: str = ""
) -> Assignment:
    check_change(actor, session)
    _visible_or_404(actor, instructor)
    if role not in Assignment.Part.values:
        raise ValidationError({"role": _("Unknown role.")})
    if Assignment.objects.filter(session=session, instructor=instructor).exists():
        raise ValidationError(
            {"instructor": _("This instructor is already assigned to this session.")}
        )
    with audit.acting(actor, reason=reason), transaction.atomic():
        try:
            with transaction.atomic():
                return Assignment.objects.create(session=session, instructor=instructor, role=role)
        except IntegrityError:
            raise Conflict(_("This instructor is already assigned to this session."))


def unassign(actor, assignment: Assignment, *, reason: str = "") -> None:
    check_change(actor, assignment)
    if assignment.session.trips.filter(instructor=assignment.instructor).exists():
        raise Conflict(_("A trip covers this session: change the trip first."))
    core_services.delete(assignment, actor, reason=reason)


def create_trip(
    actor,
    instructor: Instructor,
    *,
    origin: str,
    arrival: dt.date,
    departure: dt.date,
    sessions: list[Session],
    notes: str = "",
    reason: str = "",
) -> Trip:
    """Record an instructor's journey. The trip covers one or more sessions the
    instructor is assigned to, each overlapping its stay (a guest speaker may come
    for one day of a session); an instructor's trips do not overlap."""
    check_create(actor, Trip)
    _visible_or_404(actor, instructor)
    errors = {}
    if not (origin or "").strip():
        errors["origin"] = _("Say where the instructor travels from.")
    if arrival and departure and departure < arrival:
        errors["departure"] = _("The departure cannot be before the arrival.")
    if not sessions:
        errors["sessions"] = _("A trip covers at least one session.")
    assigned = set(
        Assignment.objects.filter(instructor=instructor, session__in=sessions).values_list(
            "session_id", flat=True
        )
    )
    for session in sessions:
        if session.pk not in assigned:
            errors["sessions"] = _("%(s)s: the instructor is not assigned to it.") % {
                "s": session.reference
            }
            break
        if arrival and departure and (session.end < arrival or session.start > departure):
            errors["sessions"] = _("%(s)s lies outside the trip's dates.") % {
                "s": session.reference
            }
            break
    if errors:
        raise ValidationError(errors)
    with audit.acting(actor, reason=reason), transaction.atomic():
        # The instructor's row, locked: concurrent trips of one instructor are
        # checked one after the other (on PostgreSQL the exclusion constraint
        # training_trip_no_overlap also refuses an overlap written by any other path).
        list(Instructor.objects.select_for_update().filter(pk=instructor.pk).values_list("pk"))
        overlap = _overlapping_trip(instructor, arrival, departure)
        if overlap:
            raise ValidationError(
                {"arrival": _("Another trip of this instructor overlaps: %(t)s.") % {"t": overlap}}
            )
        trip = Trip(
            instructor=instructor,
            origin=origin.strip(),
            arrival=arrival,
            departure=departure,
            notes=notes,
        )
        trip.full_clean()
        try:
            with transaction.atomic():
                trip.save()
        except IntegrityError:
            raise Conflict(
                _(
                    "Another trip of this instructor overlaps these dates (recorded "
                    "meanwhile): an instructor's trips do not overlap."
                )
            )
        trip.sessions.set(sessions)
    return trip


def _overlapping_trip(instructor: Instructor, arrival: dt.date, departure: dt.date):
    """Another trip of ``instructor`` sharing a day with arrival-departure, or None."""
    return Trip.objects.filter(
        instructor=instructor, arrival__lte=departure, departure__gte=arrival
    ).first()


def delete_trip(actor, trip: Trip, *, reason: str = "") -> None:
    core_services.delete(trip, actor, reason=reason)


# -- calendar feeds ----------------------------------------------------------------------


def feed_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def new_feed_key(actor) -> str:
    """Give ``actor`` a new secret calendar address (the previous one stops
    working). Returns the key, which is shown once and never stored."""
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("Sign in first."))
    key = secrets.token_urlsafe(24)
    with audit.acting(actor), transaction.atomic():
        CalendarFeed.objects.filter(user=actor).delete()
        CalendarFeed.objects.create(user=actor, key_hash=feed_hash(key))
    return key


def revoke_feed(actor) -> bool:
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("Sign in first."))
    with audit.acting(actor), transaction.atomic():
        deleted, _rows = CalendarFeed.objects.filter(user=actor).delete()
    return bool(deleted)


def feed_user(key: str):
    """The user of a calendar key, or None (a revoked or unknown key)."""
    if not key:
        return None
    feed = (
        CalendarFeed.objects.select_related("user", "user__country")
        .filter(key_hash=feed_hash(key))
        .first()
    )
    if feed is None or not feed.user.is_active:
        return None
    now = timezone.now()
    if feed.last_used_at is None or now - feed.last_used_at > dt.timedelta(hours=1):
        with audit.suspended():
            CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=now)
    return feed.user


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
    from . import emails

    with audit.acting(actor, reason=reason), transaction.atomic():
        now = timezone.now()
        for nomination in session.nominations.filter(pk__in=pending):
            nomination.joining_sent_at = now
            nomination.save()
        for pk in pending:
            _on_commit(lambda pk=pk: emails.joining_instructions(pk))
    return len(pending)
