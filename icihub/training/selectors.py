"""Reads of the training app. Everything goes through ``visible_to(user)``.

Other apps rely on two of them (keep the signatures):
``open_sessions_for_activities`` (programme recommendations) and
``sessions_attended_by_country`` (programme execution)."""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict

from django.db.models import Avg, Count, Exists, OuterRef, Prefetch, Q
from django.utils import timezone

from icihub.core.access import Role, has_role, is_staff
from icihub.core.text import local

from . import seats
from .models import (
    SCORE_FIELDS,
    Assignment,
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

# -- for other apps ------------------------------------------------------------------


def open_sessions_for_activities(activity_ids, user) -> dict[int, list[tuple[Session, int]]]:
    """Upcoming sessions open for nominations that still have free seats, visible
    to ``user``, keyed by activity id (a course's id is its activity's id); each
    value lists ``(session, free seats)`` by start date."""
    ids = list(activity_ids)
    if not ids:
        return {}
    sessions = (
        seats.with_free_seats(
            Session.objects.visible_to(user).open_for_nominations(timezone.localdate())
        )
        .filter(course_id__in=ids)
        .select_related("course")
        .order_by("start", "pk")
    )
    result: dict[int, list[tuple[Session, int]]] = defaultdict(list)
    for session in sessions:
        result[session.course_id].append((session, seats.free_seats(session)))
    return dict(result)


def sessions_attended_by_country(country, user, year: int | None = None):
    """Completed sessions that people of ``country`` attended (an accepted nominee
    who completed or did not complete; no-shows do not count), visible to
    ``user``, annotated with ``attendees`` (that country's attending nominees) and
    ``completers``. Ordered by start date."""
    attended = Q(
        nominations__country=country,
        nominations__status=Nomination.Status.ACCEPTED,
        nominations__outcome__in=[
            Nomination.Outcome.COMPLETED,
            Nomination.Outcome.NOT_COMPLETED,
        ],
    )
    qs = Session.objects.visible_to(user).filter(state=Session.State.COMPLETED)
    if year is not None:
        qs = qs.filter(start__year=year)
    return (
        qs.annotate(
            attendees=Count("nominations", filter=attended, distinct=True),
            completers=Count(
                "nominations",
                filter=attended & Q(nominations__outcome=Nomination.Outcome.COMPLETED),
                distinct=True,
            ),
        )
        .filter(attendees__gt=0)
        .select_related("course")
        .order_by("start", "pk")
    )


# -- catalogue and sessions -----------------------------------------------------------


def courses(user):
    return (
        Course.objects.visible_to(user)
        .select_related("provider")
        .prefetch_related("areas", "eligible_frameworks", "eligible_countries")
    )


def sessions(user):
    return Session.objects.visible_to(user).select_related("course", "course__provider")


def upcoming_sessions(user, today: dt.date | None = None):
    today = today or timezone.localdate()
    return sessions(user).filter(end__gte=today).exclude(state=Session.State.CANCELLED)


def nominations(user):
    return Nomination.objects.visible_to(user).select_related(
        "participant", "participant__country", "country", "session", "session__course"
    )


def session_nominations(session: Session, user):
    """The nominations of one session that ``user`` may see (a coordinator: their
    country's), by country and priority."""
    return (
        nominations(user)
        .filter(session=session)
        .select_related("certificate", "evaluation", "substitute_for__participant")
        .order_by("country__name", "priority", "nominated_at", "pk")
    )


def session_nomination_rows(session: Session, user):
    """What the session page's table shows, and nothing more (it may hold
    hundreds of rows): the nominee, the country, status, outcome, certificate."""
    return (
        Nomination.objects.visible_to(user)
        .filter(session=session)
        .select_related("participant", "country", "certificate", "substitute_for__participant")
        .only(
            "pk",
            "status",
            "priority",
            "via_reallocation",
            "outcome",
            "attendance_percent",
            "substitute_for_id",
            "substitute_for__participant__given_name",
            "substitute_for__participant__family_name",
            "substitute_for__participant__anonymised_at",
            "participant__given_name",
            "participant__family_name",
            "participant__anonymised_at",
            "participant__name_ar",
            "participant__rank",
            "country__iso3",
            "country__name",
            "certificate__id",
            "certificate__nomination_id",
        )
        .order_by("country__name", "priority", "nominated_at", "pk")
    )


def seat_table(session: Session, user) -> list[dict]:
    """Per country the user may see: quota, seats held, waiting."""
    quotas = {
        q.country_id: q
        for q in SeatQuota.objects.visible_to(user)
        .filter(session=session)
        .select_related("country")
    }
    counts: dict[int, dict] = defaultdict(lambda: {"held": 0, "waiting": 0, "accepted": 0})
    names = {}
    for country_id, iso3, name, status, has_seat in (
        Nomination.objects.visible_to(user)
        .filter(session=session, status__in=Nomination.ACTIVE)
        .values_list("country_id", "country__iso3", "country__name", "status", "has_seat")
    ):
        names[country_id] = (iso3, name)
        row = counts[country_id]
        if has_seat:
            row["held"] += 1
        if status == Nomination.Status.WAITLISTED:
            row["waiting"] += 1
        if status == Nomination.Status.ACCEPTED:
            row["accepted"] += 1
    for country_id, quota in quotas.items():
        names.setdefault(country_id, (quota.country.iso3, local(quota.country)))
    rows = []
    for country_id, (iso3, name) in sorted(names.items(), key=lambda item: item[1][1]):
        quota = quotas.get(country_id)
        rows.append(
            {
                "country_id": country_id,
                "iso3": iso3,
                "name": name,
                "quota": quota.seats if quota else 0,
                **counts[country_id],
            }
        )
    return rows


def participants(user):
    return Participant.objects.visible_to(user).select_related("country")


def instructors(user):
    return Instructor.objects.visible_to(user).select_related("organisation", "country")


def certificates(user):
    return Certificate.objects.visible_to(user).select_related(
        "nomination",
        "nomination__participant",
        "nomination__participant__country",
        "nomination__country",
        "nomination__session",
        "nomination__session__course",
    )


def with_certificates(qs, user):
    """Nominations with their certificate as ``user`` may see it, read through
    the Certificate policy (``visible_certificate``: the row or None; an
    instructor sees no certificate, so no verification code), and
    ``certificate_issued`` (whether one was issued: part of the outcome, which
    whoever sees the nomination sees). Pages render these two, never the
    nomination's ``certificate`` relation, so pages and API cannot differ."""
    return qs.prefetch_related(
        Prefetch(
            "certificate",
            queryset=Certificate.objects.visible_to(user),
            to_attr="visible_certificate",
        )
    ).annotate(certificate_issued=Exists(Certificate.objects.filter(nomination=OuterRef("pk"))))


def trips(user):
    return (
        Trip.objects.visible_to(user)
        .select_related("instructor", "instructor__organisation")
        .prefetch_related(Prefetch("sessions", queryset=Session.objects.select_related("course")))
    )


def assignments(user):
    return Assignment.objects.visible_to(user).select_related(
        "instructor", "instructor__organisation", "session", "session__course"
    )


# -- participants' and instructors' own pages ----------------------------------------------


def my_nominations(user):
    return (
        Nomination.objects.visible_to(user)
        .filter(participant__user=user)
        .select_related("session", "session__course", "country", "certificate", "evaluation")
        .order_by("-session__start")
    )


def my_sessions(user):
    return (
        Session.objects.visible_to(user)
        .filter(assignments__instructor__user=user)
        .select_related("course")
        .annotate(accepted=Count("nominations", filter=Q(nominations__status="accepted")))
        .order_by("-start")
        .distinct()
    )


def can_see_evaluations(user, session: Session) -> bool:
    """Evaluation summaries: staff, and the session's own instructors."""
    if is_staff(user):
        return True
    return (
        has_role(user, Role.INSTRUCTOR)
        and session.assignments.filter(instructor__user=user).exists()
    )


def can_see_course_evaluations(user) -> bool:
    """A course's evaluation summary, over all its sessions: staff only."""
    return is_staff(user)


# -- evaluation summaries ---------------------------------------------------------------


def _summary(qs) -> dict:
    aggregates = qs.aggregate(
        responses=Count("pk"), **{f"avg_{name}": Avg(name) for name in SCORE_FIELDS}
    )
    scores = {name: aggregates[f"avg_{name}"] for name in SCORE_FIELDS}
    present = [v for v in scores.values() if v is not None]
    return {
        "responses": aggregates["responses"],
        "scores": scores,
        "mean": sum(present) / len(present) if present else None,
    }


def evaluation_summary(session: Session) -> dict:
    """Mean score per question and overall for one session (called only for users
    allowed to see it; the individual questionnaires stay private)."""
    summary = _summary(Evaluation.objects.filter(nomination__session=session))
    summary["participants"] = session.nominations.filter(status=Nomination.Status.ACCEPTED).count()
    return summary


def course_evaluation_summary(course: Course) -> dict:
    summary = _summary(Evaluation.objects.filter(nomination__session__course=course))
    summary["sessions"] = (
        Evaluation.objects.filter(nomination__session__course=course)
        .values("nomination__session")
        .distinct()
        .count()
    )
    return summary


# -- calendar ----------------------------------------------------------------------------


def month_grid(user, year: int, month: int) -> dict:
    """A month view: weeks of days, each with the sessions running that day."""
    first = dt.date(year, month, 1)
    last = dt.date(year, month, calendar.monthrange(year, month)[1])
    running = list(
        sessions(user)
        .filter(start__lte=last, end__gte=first)
        .exclude(state=Session.State.CANCELLED)
        .order_by("start", "pk")
    )
    weeks = []
    for week in calendar.Calendar(firstweekday=6).monthdatescalendar(year, month):
        weeks.append(
            [
                {
                    "date": day,
                    "in_month": day.month == month,
                    "sessions": [s for s in running if s.start <= day <= s.end],
                }
                for day in week
            ]
        )
    previous = (first - dt.timedelta(days=1)).replace(day=1)
    following = last + dt.timedelta(days=1)
    return {
        "weeks": weeks,
        "month": first,
        "previous": previous,
        "next": following,
        "sessions": running,
    }


# -- public certificate check ---------------------------------------------------------------


def certificate_state(code: str) -> str | None:
    """ "valid", "revoked" or None (unknown). The public verification page shows
    this and nothing more, so it reads the certificate table directly, by the
    unguessable code, without revealing any other field."""
    if not code or len(code) > 20:
        return None
    row = Certificate.objects.filter(code=code).values("revoked_at").first()
    if row is None:
        return None
    return "valid" if row["revoked_at"] is None else "revoked"
