"""Instructors, their assignments to sessions, and their trips."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from icihub.core import audit
from icihub.core import services as core_services
from icihub.core.access import (
    check_change,
    check_create,
)
from icihub.core.errors import Conflict

from ..models import (
    Assignment,
    Instructor,
    Session,
    Trip,
)
from ._common import _visible_or_404

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
