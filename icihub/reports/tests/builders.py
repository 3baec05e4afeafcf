"""A year of the Centre built from scratch through the services, and quick
builders for the query-count tests.

The year (:func:`build_year`) is a 365-day period from 100 days ago, so that
requests can be dated in it (a request cannot be dated in the future) while
sessions, which take nominations only before they start, lie ahead. What it
holds, and therefore what every figure must say, is written out in
``test_figures.py``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from icihub.core.access import Marking
from icihub.dialogue import services as dialogue
from icihub.dialogue.models import Event
from icihub.menu.models import Area
from icihub.partners.models import Country, Framework, Organisation
from icihub.programmes import services as programmes
from icihub.programmes.models import Delivery, ProgrammeItem
from icihub.reports.scope import Period
from icihub.training import services as training
from icihub.training.models import Course, Nomination, Participant, Session

PRESENT_ALL = "all"


@dataclass
class Year:
    period: Period
    today: dt.date
    courses: dict = field(default_factory=dict)
    sessions: dict = field(default_factory=dict)
    people: dict = field(default_factory=dict)
    nominations: dict = field(default_factory=dict)
    instructors: dict = field(default_factory=dict)
    trips: dict = field(default_factory=dict)
    events: dict = field(default_factory=dict)
    requests: dict = field(default_factory=dict)
    items: dict = field(default_factory=dict)
    programme: object = None


def country(iso3: str) -> Country:
    return Country.objects.get(iso3=iso3)


def make_course(actor, code: str, area: str, *, title: str = "", days: int = 5) -> Course:
    course = training.create_course(
        actor,
        {
            "code": code,
            "title": title or f"Course {code}",
            "provider": Organisation.objects.get(slug="nato-ici-rc"),
            "marking": Marking.PUBLIC,
            "duration_days": days,
            "default_capacity": 10,
            "areas": list(Area.objects.filter(code=area)),
        },
    )
    course.eligible_frameworks.set(Framework.objects.filter(code="ici"))
    return Course.objects.get(pk=course.pk)


def make_session(actor, course, start: dt.date, capacity: int, quotas: dict) -> Session:
    session = training.create_session(
        actor,
        course,
        {
            "start": start,
            "capacity": capacity,
            "nomination_deadline": timezone.localdate() + dt.timedelta(days=7),
        },
        quotas={country(iso3): seats for iso3, seats in quotas.items()},
    )
    training.change_state(actor, session, Session.State.OPEN)
    session.refresh_from_db()
    return session


def make_person(actor, iso3: str, name: str, service: str, rank_code: str) -> Participant:
    return training.create_participant(
        actor,
        {
            "given_name": name,
            "family_name": f"Testperson-{iso3}",
            "country": country(iso3),
            "service": service,
            "rank_code": rank_code,
            "email": f"{name.lower()}@{iso3.lower()}.example.test",
        },
    )


def nominate(actor, session, person) -> Nomination:
    return training.nominate(actor, session, person)


def run_and_complete(staff, session, attendance: dict[Nomination, object]) -> None:
    """Accept every nominee still holding a seat, run the session, record who was
    present on which days (``"all"`` or a number of days from the first), complete."""
    for nomination in session.nominations.filter(status=Nomination.Status.NOMINATED):
        training.accept(staff, nomination)
    training.change_state(staff, session, Session.State.RUNNING, override_dates=True, reason="test")
    session.refresh_from_db()
    days = session.days
    present = {}
    for nomination, spec in attendance.items():
        chosen = days if spec == PRESENT_ALL else days[:spec]
        present[nomination.pk] = set(chosen)
    training.record_attendance(staff, session, present)


def complete(staff, session) -> None:
    training.complete_session(staff, session, override_dates=True, reason="test")
    session.refresh_from_db()


def build_year(staff, nato, kwt_coordinator, qat_coordinator) -> Year:
    today = timezone.localdate()
    period = Period(today - dt.timedelta(days=100), today + dt.timedelta(days=264))
    year = Year(period=period, today=today)

    # -- the catalogue and three sessions -------------------------------------------
    c1 = make_course(staff, "NIRC-R-001", "crisis-management", title="Crisis management")
    c2 = make_course(staff, "NIRC-R-002", "cyber-defence", title="Cyber defence", days=3)
    c3 = make_course(staff, "NIRC-R-003", "maritime-security", title="Maritime security")
    year.courses = {"c1": c1, "c2": c2, "c3": c3}
    s1_start = today + dt.timedelta(weeks=8)
    s1 = make_session(staff, c1, s1_start, 10, {"KWT": 3, "QAT": 2, "SAU": 1})
    s2 = make_session(staff, c2, s1_start + dt.timedelta(days=6), 6, {"KWT": 2, "QAT": 2})
    s3 = make_session(staff, c3, today + dt.timedelta(weeks=20), 6, {"KWT": 2})
    year.sessions = {"s1": s1, "s2": s2, "s3": s3}

    # -- people: (country, service, NATO rank code) ----------------------------------
    specs = {
        "k1": ("KWT", "army", "OF-3"),
        "k2": ("KWT", "navy", "OF-1"),
        "k3": ("KWT", "army", "OF-2"),
        "k4": ("KWT", "police", "OR-5"),
        "k5": ("KWT", "army", "OF-6"),
        "k6": ("KWT", "army", "OF-2"),
        "q1": ("QAT", "army", "OF-3"),
        "q2": ("QAT", "army", "OF-3"),
        "q3": ("QAT", "ministry", "OF-4"),
        "s1": ("SAU", "army", "CIV"),
    }
    for key, (iso3, service, rank) in specs.items():
        coordinator = {"KWT": kwt_coordinator, "QAT": qat_coordinator}.get(iso3, staff)
        year.people[key] = make_person(coordinator, iso3, key.upper(), service, rank)
    p = year.people
    n = year.nominations

    # -- session 1: quotas, a waiting list, a withdrawal, a reallocation ---------------
    for key in ("k1", "k2", "k3", "k4"):
        n[("s1", key)] = nominate(kwt_coordinator, s1, p[key])  # k4 beyond the quota: waits
    for key in ("q1", "q2"):
        n[("s1", key)] = nominate(qat_coordinator, s1, p[key])
    n[("s1", "s1")] = nominate(staff, s1, p["s1"])
    assert n[("s1", "k4")].status == Nomination.Status.WAITLISTED
    training.withdraw(qat_coordinator, n[("s1", "q2")], reason="not available")
    for key in ("k1", "k2", "k3", "q1", "s1"):
        training.accept(staff, n[("s1", key)])
    training.reallocate(actor=staff, session=s1, reason="test reallocation")
    n[("s1", "k4")].refresh_from_db()
    assert n[("s1", "k4")].via_reallocation
    training.accept(staff, n[("s1", "k4")])

    # -- session 2: the same person trained twice; a withdrawal from the waiting list --
    for key in ("k1", "k5", "k6"):
        n[("s2", key)] = nominate(kwt_coordinator, s2, p[key])
    n[("s2", "q3")] = nominate(qat_coordinator, s2, p["q3"])
    training.withdraw(kwt_coordinator, n[("s2", "k6")], reason="changed post")
    for key in ("k1", "k5", "q3"):
        training.accept(staff, n[("s2", key)])

    # -- session 3: accepted nominees, an instructor's trip, then cancelled ------------
    for key in ("k2", "k3"):
        n[("s3", key)] = nominate(kwt_coordinator, s3, p[key])
        training.accept(staff, n[("s3", key)])

    # -- instructors and trips ------------------------------------------------------------
    def instructor(key, org):
        year.instructors[key] = training.create_instructor(
            staff,
            {
                "full_name": f"Instructor {key.upper()}",
                "organisation": Organisation.objects.get(slug=org),
                "country": country("ITA"),
            },
        )
        return year.instructors[key]

    i1, i2, i3 = (
        instructor("i1", "nato-school"),
        instructor("i2", "jallc"),
        instructor("i3", "marcom"),
    )
    i4 = instructor("i4", "kwt-nsb")  # a local expert: no trip
    for session, who, part in (
        (s1, i1, "lead"),
        (s2, i1, "lead"),
        (s1, i2, "instructor"),
        (s3, i3, "lead"),
        (s1, i4, "guest"),
    ):
        training.assign(staff, session, who, part)
    year.trips["i1"] = training.create_trip(
        staff,
        i1,
        origin="Oberammergau",
        arrival=s1.start - dt.timedelta(days=1),
        departure=s2.end + dt.timedelta(days=1),
        sessions=[s1, s2],
    )
    year.trips["i2"] = training.create_trip(
        staff, i2, origin="Lisbon", arrival=s1.start, departure=s1.end, sessions=[s1]
    )
    year.trips["i3"] = training.create_trip(
        staff, i3, origin="Northwood", arrival=s3.start, departure=s3.end, sessions=[s3]
    )
    training.change_state(staff, s3, Session.State.CANCELLED, reason="instructors unavailable")

    # -- running, attendance, evaluations, completion -------------------------------------
    run_and_complete(
        staff,
        s1,
        {
            n[("s1", "k1")]: PRESENT_ALL,
            n[("s1", "k2")]: 4,  # 4 of 5 days = 80%: completed
            n[("s1", "k3")]: 2,  # 40%: not completed
            n[("s1", "k4")]: PRESENT_ALL,
            n[("s1", "s1")]: PRESENT_ALL,
            # q1 attends no day: a no-show
        },
    )
    training.submit_evaluation(staff, n[("s1", "k1")], dict.fromkeys(_scores(), 5))
    training.submit_evaluation(staff, n[("s1", "k2")], dict.fromkeys(_scores(), 3))
    complete(staff, s1)
    run_and_complete(
        staff,
        s2,
        {n[("s2", "k1")]: PRESENT_ALL, n[("s2", "k5")]: PRESENT_ALL, n[("s2", "q3")]: PRESENT_ALL},
    )
    training.submit_evaluation(
        staff, n[("s2", "k5")], {**dict.fromkeys(_scores(), 4), "overall": 5}
    )
    complete(staff, s2)

    # -- dialogue events ---------------------------------------------------------------------
    def event(key, title, fmt, level, date, marking):
        year.events[key] = dialogue.create_event(
            nato,
            {"title": title, "format": fmt, "level": level, "date": date, "marking": marking},
        )

    event(
        "e1",
        "Conference at the Centre",
        Event.Format.CONFERENCE,
        "expert",
        (today + dt.timedelta(days=30)).isoformat(),
        Marking.PUBLIC,
    )
    event(
        "e2",
        "Advisory group",
        Event.Format.POLICY_ADVISORY_GROUP,
        "senior_officials",
        (today + dt.timedelta(days=60)).strftime("%Y-%m"),
        Marking.REL_ICI,
    )
    event(
        "e3",
        "Before the period",
        Event.Format.CONFERENCE,
        "expert",
        (period.start - dt.timedelta(days=5)).isoformat(),
        Marking.PUBLIC,
    )
    event(
        "e4",
        "Undated consultations",
        Event.Format.INFORMAL_CONSULTATIONS,
        "expert",
        "",
        Marking.PUBLIC,
    )
    event(
        "e5",
        "Council with the partners",
        Event.Format.NAC_ICI,
        "ambassadorial",
        (today + dt.timedelta(days=10)).isoformat(),
        Marking.NATO,
    )

    # -- Kuwait's programme: three activities, two delivered ----------------------------------
    first = period.start.year
    programme = programmes.create_programme(
        kwt_coordinator,
        {"country": country("KWT"), "kind": "ipcp", "start_year": first, "end_year": first + 1},
    )
    objective = programmes.add_objective(kwt_coordinator, programme, {"title": "Preparedness"})
    goal = programmes.add_goal(kwt_coordinator, objective, {"title": "Trained staff"})
    for key, course in (("a", c1), ("b", c2), ("c", c3)):
        year.items[key] = programmes.add_item(
            kwt_coordinator, goal, {"activity": course, "planned_year": first, "seats": 2}
        )
    programmes.submit(kwt_coordinator, programme)
    programmes.agree(nato, programme)
    for key, item in year.items.items():
        year.items[key] = ProgrammeItem.objects.get(pk=item.pk)  # the programme is agreed now
    programmes.record_delivery(
        nato, year.items["a"], {"kind": Delivery.Kind.SESSION, "session": s1}
    )
    programmes.record_delivery(
        nato,
        year.items["b"],
        {
            "kind": Delivery.Kind.EXPERT_VISIT,
            "title": "Advisory visit on cyber defence",
            "delivered_on": today - dt.timedelta(days=20),
            "participants": 4,
        },
    )
    year.programme = programme
    # Qatar's programme is still a draft: it counts nowhere.
    draft = programmes.create_programme(
        qat_coordinator,
        {"country": country("QAT"), "kind": "ipcp", "start_year": first, "end_year": first + 1},
    )
    draft_objective = programmes.add_objective(qat_coordinator, draft, {"title": "Draft"})
    draft_goal = programmes.add_goal(qat_coordinator, draft_objective, {"title": "Draft goal"})
    programmes.add_item(qat_coordinator, draft_goal, {"activity": c1, "planned_year": first})

    # -- requests: one answered in 20 days, two waiting, one older still waiting --------------
    def request(key, coordinator, days_ago, subject):
        year.requests[key] = programmes.create_request(
            coordinator,
            {
                "kind": "expert",
                "subject": subject,
                "requested_on": today - dt.timedelta(days=days_ago),
            },
        )

    request("r0", kwt_coordinator, 130, "An old request")
    request("r1", kwt_coordinator, 60, "Expert on energy security")
    request("r2", kwt_coordinator, 30, "Seats on the maritime course")
    request("r3", qat_coordinator, 10, "Study visit")
    programmes.respond(
        nato, year.requests["r1"], response="Agreed.", responded_on=today - dt.timedelta(days=40)
    )
    return year


def _scores():
    from icihub.training.models import SCORE_FIELDS

    return SCORE_FIELDS


# -- fast builders for query-count tests (straight to the database) --------------------------


def grow(course, start: dt.date, *, countries=("KWT", "QAT", "BHR"), people=3, org="jallc"):
    """One more completed session with completers of ``countries``, an instructor
    with a trip, an evaluation: rows of every kind the dashboard counts."""
    from icihub.training.models import Evaluation, Instructor, SeatQuota, Trip

    session = Session.objects.create(
        course=course,
        reference=f"{course.code}-{start.isoformat()}-{Session.objects.count()}",
        start=start,
        end=start + dt.timedelta(days=2),
        capacity=30,
        nomination_deadline=start,
        reallocation_date=start,
        state=Session.State.COMPLETED,
    )
    for iso3 in countries:
        c = country(iso3)
        SeatQuota.objects.create(session=session, country=c, seats=people)
        for i in range(people):
            person = Participant.objects.create(
                given_name=f"G{session.pk}-{i}",
                family_name=f"F{iso3}",
                country=c,
                service="army",
                rank_code="OF-3",
            )
            nomination = Nomination.objects.create(
                session=session,
                participant=person,
                country=c,
                status=Nomination.Status.ACCEPTED,
                has_seat=True,
                outcome=Nomination.Outcome.COMPLETED,
            )
            Evaluation.objects.create(
                nomination=nomination,
                **dict.fromkeys(_scores(), 4),
            )
    instructor = Instructor.objects.create(
        full_name=f"Grown instructor {session.pk}",
        organisation=Organisation.objects.get(slug=org),
        country=country("ITA"),
    )
    trip = Trip.objects.create(
        instructor=instructor, origin="Lisbon", arrival=start, departure=session.end
    )
    trip.sessions.set([session])
    Event.objects.create(
        title=f"Grown event {session.pk}",
        format=Event.Format.CONFERENCE,
        level="expert",
        date=start.isoformat(),
        marking=Marking.PUBLIC,
    )
    return session
