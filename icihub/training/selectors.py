"""Reads of the training app. Everything goes through ``visible_to(user)``.

Other apps rely on two of them (keep the signatures):
``open_sessions_for_activities`` (programme recommendations) and
``sessions_attended_by_country`` (programme execution)."""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from types import SimpleNamespace

from django.db.models import (
    Avg,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from icihub.core.access import Role, has_role, is_staff
from icihub.core.listing import IdsFirst
from icihub.core.permissions import countries_for, own_country
from icihub.core.text import local, localized
from icihub.partners.models import Organisation
from icihub.partners.selectors import eligible_countries

from . import permissions, seats
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
    value lists ``(session, free seats)`` by start date. ``activity_ids``: ids,
    or a query of them (a subquery, where the ids are many). No ids: no query
    (Django answers an empty ``__in`` without asking the database)."""
    sessions = (
        seats.with_free_seats(
            Session.objects.visible_to(user).open_for_nominations(timezone.localdate())
        )
        .filter(course_id__in=activity_ids)
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
    qs = Session.objects.visible_to(user).filter(state=Session.State.COMPLETED)
    if year is not None:
        qs = qs.filter(start__year=year)
    completed = Q(nominations__outcome=Nomination.Outcome.COMPLETED)
    return (
        # One join to the attending nominations, grouped by session: the join
        # keeps only attended sessions, and both counts are taken in the same
        # pass (an EXISTS and two correlated counts read each session's
        # nominations three times: 4-6 ms for a programme's 141 sessions at ten
        # times the demo data on PostgreSQL, against 2-3 ms). The filter comes
        # before the annotation, so the counts are over the filtered join.
        qs.filter(
            nominations__country=country,
            nominations__status=Nomination.Status.ACCEPTED,
            nominations__outcome__in=[
                Nomination.Outcome.COMPLETED,
                Nomination.Outcome.NOT_COMPLETED,
            ],
        )
        .annotate(
            attendees=Count("nominations"),
            completers=Count("nominations", filter=completed),
        )
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


def opening_month(user, today: dt.date | None = None) -> dt.date:
    """The first day of the month the calendar opens on: this month, or the
    month of the next session ``user`` may see when no session of theirs is
    still to come (or running) in this one."""
    today = today or timezone.localdate()
    this_month = today.replace(day=1)
    start = (
        upcoming_sessions(user, today)
        .order_by("start", "pk")
        .values_list("start", flat=True)
        .first()
    )
    if (
        start is None
        or start < this_month
        or (start.year, start.month) == (today.year, today.month)
    ):
        return this_month
    return start.replace(day=1)


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


class _Person:
    """A participant as the session table shows them (``full_name``: the model's)."""

    __slots__ = ("pk", "given_name", "family_name", "anonymised_at", "name_ar", "rank")
    full_name = Participant.full_name

    def __init__(self, pk, given_name, family_name, anonymised_at, name_ar="", rank=""):
        self.pk, self.given_name, self.family_name = pk, given_name, family_name
        self.anonymised_at, self.name_ar, self.rank = anonymised_at, name_ar, rank


class _Row:
    """Just what the session table shows of a nomination (and the predicates of
    ``training.permissions`` ask: ``status``, ``is_active``, the model's)."""

    __slots__ = (
        "pk",
        "status",
        "priority",
        "via_reallocation",
        "outcome",
        "attendance_percent",
        "country_id",
        "country",
        "participant",
        "substitute_for_id",
        "substitute_for",
        "issued_certificate",
    )
    ACTIVE = Nomination.ACTIVE
    is_active = Nomination.is_active


def session_nomination_table(session: Session, user) -> list:
    """:func:`session_nomination_rows` as light rows rather than model instances
    (a nomination, its participant and its country: 1,500 of them for 500 rows,
    11 ms at 10×), with the attributes the session page reads: ``participant``
    (``rank``, ``full_name``, ``name_ar``), ``country.iso3``,
    ``substitute_for.participant.full_name``, ``issued_certificate.pk``."""
    countries: dict[int, SimpleNamespace] = {}
    rows = []
    # The certificate's id as a subquery of each row (an index probe), not a
    # left join: joined, PostgreSQL hashed all the certificates (100,000 at 10×,
    # 15 ms) rather than probe the index for the session's 500 nominations.
    certificate_of = Certificate.objects.filter(nomination=OuterRef("pk")).values("pk")[:1]
    for values in (
        session_nomination_rows(session, user)
        .annotate(certificate_pk=Subquery(certificate_of))
        .values_list(
            "pk",
            "status",
            "priority",
            "via_reallocation",
            "outcome",
            "attendance_percent",
            "country_id",
            "country__iso3",
            "participant_id",
            "participant__given_name",
            "participant__family_name",
            "participant__anonymised_at",
            "participant__name_ar",
            "participant__rank",
            "substitute_for_id",
            "substitute_for__participant_id",
            "substitute_for__participant__given_name",
            "substitute_for__participant__family_name",
            "substitute_for__participant__anonymised_at",
            "certificate_pk",
        )
    ):
        row = _Row()
        (row.pk, row.status, row.priority, row.via_reallocation, row.outcome) = values[:5]
        row.attendance_percent, row.country_id = values[5], values[6]
        row.country = countries.get(row.country_id) or countries.setdefault(
            row.country_id, SimpleNamespace(pk=row.country_id, iso3=values[7])
        )
        row.participant = _Person(*values[8:14])
        row.substitute_for_id = values[14]
        row.substitute_for = (
            SimpleNamespace(pk=values[14], participant=_Person(*values[15:19]))
            if values[14] is not None
            else None
        )
        certificate = values[19]
        row.issued_certificate = SimpleNamespace(pk=certificate) if certificate else None
        rows.append(row)
    return rows


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


def people_to_nominate(user):
    """The people ``user`` sees of the countries they act for (a coordinator:
    their own country's; staff: everyone's)."""
    qs = participants(user)
    ids = countries_for(user)
    return qs if ids is None else qs.filter(country_id__in=ids)


def nomination_candidates(user, session: Session):
    """The people ``user`` may nominate to ``session`` (:func:`people_to_nominate`)
    of an eligible country, not anonymised, not already nominated to it."""
    taken = session.nominations.filter(status__in=Nomination.ACTIVE).values("participant_id")
    qs = people_to_nominate(user).filter(
        country__in=eligible_countries(session.course, on=session.start),
        anonymised_at__isnull=True,
    )
    return qs.exclude(pk__in=taken).order_by("family_name", "given_name", "pk")


def free_quota_seats(session: Session, user) -> int:
    """The seats the countries ``user`` acts for may take now (the seat
    ledger's answer: within their quotas while they bind, else the free seats)."""
    ledger = seats.SeatLedger.of(session)
    free = ledger.free(session)
    ids = countries_for(user)
    if ids is None or not ledger.quotas_bind(session):
        return free if ids is None or ids else 0
    room = sum(
        max(ledger.quota(session, country_id) - ledger.held_by(session, country_id), 0)
        for country_id in ids
    )
    return min(room, free)


def instructors(user):
    return Instructor.objects.visible_to(user).select_related("organisation", "country")


def instructors_with_counts(user):
    """:func:`instructors` with ``trip_count`` and ``session_count`` (their
    trips and assignments, every one), counted per row by a correlated
    subquery: the database counts only for the rows a page shows, not for
    every instructor joined to every trip and assignment before paginating."""
    return instructors(user).annotate(
        trip_count=_count(Trip.objects.all(), "instructor"),
        session_count=_count(Assignment.objects.all(), "instructor"),
    )


CERTIFICATE_RELATED = (
    "nomination",
    "nomination__participant",
    "nomination__participant__country",
    "nomination__country",
    "nomination__session",
    "nomination__session__course",
)


def certificates(user):
    return Certificate.objects.visible_to(user).select_related(*CERTIFICATE_RELATED)


def certificates_in_order(user):
    """:func:`certificates` for reading a page of the register in its order
    (the newest first): the same rows, the access rule asked of each
    certificate (a correlated ``EXISTS`` over :func:`certificates`' own filter)
    rather than joined. Joined, SQLite started from the country's nominations
    (a coordinator: 45,000 at 10×) and sorted every certificate of them for 50
    (28 ms); asked of each row, it walks the order's index and stops at 50
    (0.3 ms). Count the list with :func:`certificates` (joined: the faster count)."""
    visible = Certificate.objects.visible_to(user)
    if not visible.query.has_filters():  # staff: every certificate, nothing to ask
        return certificates(user)
    return Certificate.objects.filter(Exists(visible.filter(pk=OuterRef("pk")))).select_related(
        *CERTIFICATE_RELATED
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
    # The session's nominations first (their ids, and their statuses for the
    # participants), then the evaluations by those ids: joined by the session,
    # PostgreSQL hashed the whole evaluation table for a session of hundreds of
    # nominations (25 ms at 10×; by the ids, an index scan: under 1 ms).
    rows = list(session.nominations.order_by().values_list("pk", "status"))
    summary = _summary(Evaluation.objects.filter(nomination_id__in=[pk for pk, _s in rows]))
    summary["participants"] = sum(1 for _pk, s in rows if s == Nomination.Status.ACCEPTED)
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


@dataclass(frozen=True)
class CertificateCheck:
    """What the public check of a code shows: what is printed on the certificate
    (the holder's name in both scripts, the course, the dates) and its status,
    nothing more (no e-mail, no country details, no internal ids). ``state`` is
    "valid", "revoked" or "unknown"; the other fields are empty for an unknown
    code. After anonymisation the names are gone: ``holder`` is empty and
    ``anonymised`` says why."""

    code: str
    state: str
    holder: str = ""
    holder_ar: str = ""
    anonymised: bool = False
    course_code: str = ""
    course_title: str = ""
    course_title_ar: str = ""
    start: dt.date | None = None
    end: dt.date | None = None
    issued_on: dt.date | None = None
    revoked_on: dt.date | None = None

    @property
    def found(self) -> bool:
        return self.state != "unknown"

    @property
    def local_holder(self) -> str:
        """The holder's name in the page's language: Arabic script on an Arabic
        page when the certificate carries it, the Latin one otherwise."""
        return localized(self.holder, self.holder_ar)

    @property
    def other_holder(self) -> str:
        """The name in the other script, when the certificate carries both."""
        local = self.local_holder
        return next((n for n in (self.holder, self.holder_ar) if n and n != local), "")

    @property
    def local_course_title(self) -> str:
        return localized(self.course_title, self.course_title_ar)


_CHECK_FIELDS = (
    "revoked_at",
    "issued_at",
    "nomination__participant__given_name",
    "nomination__participant__family_name",
    "nomination__participant__rank",
    "nomination__participant__name_ar",
    "nomination__participant__anonymised_at",
    "nomination__session__start",
    "nomination__session__end",
    "nomination__session__course__code",
    "nomination__session__course__title",
    "nomination__session__course__title_ar",
)


def certificate_check(code: str) -> CertificateCheck:
    """The public check of a verification code (already normalised:
    ``services.normalise_code``). It reads the certificate by its unguessable
    code, in one query whether or not the code exists (the same work either
    way), and only the fields printed on the certificate."""
    row = Certificate.objects.filter(code=(code or "")[:20]).values(*_CHECK_FIELDS).first()
    if row is None:
        return CertificateCheck(code=code, state="unknown")
    p = "nomination__participant__"
    course = "nomination__session__course__"
    anonymised = row[p + "anonymised_at"] is not None
    holder = " ".join(
        part for part in (row[p + "rank"], row[p + "given_name"], row[p + "family_name"]) if part
    )
    return CertificateCheck(
        code=code,
        state="valid" if row["revoked_at"] is None else "revoked",
        holder="" if anonymised else holder,
        holder_ar="" if anonymised else row[p + "name_ar"],
        anonymised=anonymised,
        course_code=row[course + "code"],
        course_title=row[course + "title"],
        course_title_ar=row[course + "title_ar"],
        start=row["nomination__session__start"],
        end=row["nomination__session__end"],
        issued_on=timezone.localdate(row["issued_at"]),
        revoked_on=timezone.localdate(row["revoked_at"]) if row["revoked_at"] else None,
    )


def certificate_state(code: str) -> str | None:
    """ "valid", "revoked" or None (unknown)."""
    state = certificate_check(code).state
    return None if state == "unknown" else state


# -- work queues (the home page composes them; the navigation shows their counts) ----------

#: Sessions starting within this many days (or running, or ended but not yet
#: completed) are watched for open issues on the Centre staff's home page.
SOON_DAYS = 42

#: The Regional Centre (its organisation's country is the host country).
CENTRE_ORGANISATION = "nato-ici-rc"


def nominations_to_decide(user):
    """Nominations waiting for a decision that ``user`` may take (staff): those
    holding a seat but not yet accepted, in sessions still to run, the oldest
    first. Empty for everybody but those who keep the Centre's queues."""
    if not permissions.keeps_centre_queues(user):
        return Nomination.objects.none()
    return (
        Nomination.objects.visible_to(user)
        .filter(status=Nomination.Status.NOMINATED)
        .exclude(session__state__in=[Session.State.COMPLETED, Session.State.CANCELLED])
        .select_related("participant", "country", "session", "session__course")
        .order_by("nominated_at", "pk")
    )


def nominations_to_decide_count(user) -> int:
    """The length of :func:`nominations_to_decide` (one COUNT; the navigation's badge)."""
    if not permissions.keeps_centre_queues(user):
        return 0
    return nominations_to_decide(user).count()


def group_by_session(nominations) -> list[dict]:
    """``[{"session": s, "nominations": [...]}, ...]`` in the order the sessions
    first appear (the oldest waiting nomination first)."""
    groups: dict[int, dict] = {}
    for nomination in nominations:
        group = groups.setdefault(
            nomination.session_id, {"session": nomination.session, "nominations": []}
        )
        group["nominations"].append(nomination)
    return list(groups.values())


def certificates_to_issue(user):
    """Nominees of completed sessions who completed the course and have no
    certificate yet, visible to ``user`` (the Centre issues them), by session."""
    if not permissions.keeps_centre_queues(user):
        return Nomination.objects.none()
    return (
        Nomination.objects.visible_to(user)
        .filter(
            session__state=Session.State.COMPLETED,
            status=Nomination.Status.ACCEPTED,
            outcome=Nomination.Outcome.COMPLETED,
            certificate__isnull=True,
        )
        .select_related("participant", "country", "session", "session__course")
        .order_by("session__end", "session_id", "participant__family_name", "pk")
    )


def certificates_to_issue_count(user) -> int:
    if not permissions.keeps_centre_queues(user):
        return 0
    return certificates_to_issue(user).count()


def sessions_with_open_issues(user, today: dt.date | None = None):
    """Sessions starting within :data:`SOON_DAYS` days, running, or ended but not
    yet completed, that have an open issue: undecided nominations, no
    instructor, an assigned instructor without a trip to it, or (once ended) a
    level-1 evaluation missing from a nominee who completed (an instructor
    based in the Centre's own country needs no trip). Each row carries
    ``undecided``, ``no_instructor``, ``without_trip`` and ``missing_evaluations``;
    the soonest first. A constant number of queries whatever the rows."""
    if not permissions.keeps_centre_queues(user):
        return Session.objects.none()
    today = today or timezone.localdate()
    # an instructor based in the Centre's own country needs no trip
    host_country = Organisation.objects.filter(slug=CENTRE_ORGANISATION).values("country")[:1]
    assignments_without_trip = (
        Assignment.objects.filter(session=OuterRef("pk"))
        .exclude(instructor__trips__sessions=OuterRef("pk"))
        .exclude(instructor__country=Subquery(host_country))
    )
    qs = (
        Session.objects.visible_to(user)
        .exclude(state__in=[Session.State.COMPLETED, Session.State.CANCELLED])
        .filter(start__lte=today + dt.timedelta(days=SOON_DAYS))
        .select_related("course")
        .annotate(
            undecided=_count(
                Nomination.objects.filter(status=Nomination.Status.NOMINATED), "session"
            ),
            no_instructor=~Exists(Assignment.objects.filter(session=OuterRef("pk"))),
            without_trip=_count(assignments_without_trip, "session"),
            missing_evaluations=_count(
                Nomination.objects.filter(
                    status=Nomination.Status.ACCEPTED,
                    session__end__lt=today,
                    session__course__level1_evaluation_required=True,
                    evaluation__isnull=True,
                ).exclude(
                    outcome__in=[Nomination.Outcome.NO_SHOW, Nomination.Outcome.NOT_COMPLETED]
                ),
                "session",
            ),
        )
        .filter(
            Q(undecided__gt=0)
            | Q(no_instructor=True)
            | Q(without_trip__gt=0)
            | Q(missing_evaluations__gt=0)
        )
        .order_by("start", "pk")
    )
    return qs


def _count(qs, field: str):
    """A correlated COUNT of ``qs`` rows whose ``field`` is the outer row."""
    return Coalesce(
        Subquery(
            qs.filter(**{field: OuterRef("pk")})
            .order_by()
            .values(field)
            .annotate(n=Count("pk"))
            .values("n")[:1],
            output_field=IntegerField(),
        ),
        Value(0),
    )


def sessions_open_to_country(user, today: dt.date | None = None) -> list[dict]:
    """For a coordinator: the sessions open for nominations that their country
    may take seats in (a quota for it, or the quotas released), the nearest
    deadline first, each as ``{"session", "deadline", "quota", "held",
    "free"}`` where ``free`` is the seats the country may still take now. The
    seats come from one :class:`~icihub.training.seats.SeatLedger` over all the
    sessions (a constant number of queries)."""
    country = own_country(user)
    if country is None:
        return []
    today = today or timezone.localdate()
    sessions_ = list(
        Session.objects.visible_to(user)
        .open_for_nominations(today)
        .filter(Q(quotas__country=country) | Q(quotas_released_at__isnull=False))
        .select_related("course")
        .distinct()
        .order_by("nomination_deadline", "start", "pk")
    )
    ledger = seats.SeatLedger(sessions_)
    rows = []
    for session in sessions_:
        quota = ledger.quota(session, country.pk)
        held = ledger.held_by(session, country.pk)
        if ledger.quotas_bind(session):
            free = max(min(quota - held, ledger.free(session)), 0)
        else:
            free = ledger.free(session)
        rows.append(
            {
                "session": session,
                "deadline": session.nomination_deadline,
                "days_left": (session.nomination_deadline - today).days,
                "quota": quota,
                "held": held,
                "free": free,
            }
        )
    return rows


def nomination_state_counts(user) -> list[dict]:
    """How many of the nominations ``user`` may see are in each state (a
    coordinator: their country's), in the order of the states; states with none
    are left out."""
    return nomination_state_rows(nomination_counts_by_state(user))


def nomination_counts_by_state(user) -> dict[str, int]:
    """{state: how many of the nominations ``user`` may see are in it}."""
    return dict(
        Nomination.objects.visible_to(user)
        .order_by()
        .values_list("status")
        # COUNT(*), not COUNT(id): the (country, status) index answers it alone
        # (an index-only scan) on PostgreSQL, for a country's 45,000 nominations.
        .annotate(n=Count("*"))
        .values_list("status", "n")
    )


def nomination_state_rows(counts: dict[str, int]) -> list[dict]:
    """:func:`nomination_state_counts` of ``counts`` (:func:`nomination_counts_by_state`)."""
    return [
        {"status": value, "label": label, "count": counts[value]}
        for value, label in Nomination.Status.choices
        if counts.get(value)
    ]


def recent_nomination_changes(user, limit: int = 10):
    """The nominations ``user`` may see that changed last (nominated, decided,
    promoted, withdrawn), the latest first. Their ids, then their rows: PostgreSQL
    planned the six-table query for 2.5 ms against 0.3 of execution
    (:class:`~icihub.core.listing.IdsFirst`)."""
    return IdsFirst(
        Nomination.objects.visible_to(user)
        .select_related("participant", "country", "session", "session__course")
        .order_by("-updated_at", "-pk")
    )[:limit]
