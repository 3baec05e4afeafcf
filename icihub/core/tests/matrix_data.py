"""The small world the access matrix and the API fuzzer run against.

Built through the services, as the people of each role would build it: for
Kuwait and for Qatar a participant, nominations (in an open session and in a
completed one), a certificate, an individual programme (agreed and active:
objective, goal, item, delivery, versions), a request, a dialogue event
releasable to that partner with a follow-up action, participant, attendee and
citation; plus rows that only some roles see (a NATO-only menu activity and
source, a person kept off the public pages, an instructor and a trip that are
not the instructor account's, a published snapshot) and the public reference
data loaded for every test database.

Each private row carries a *marker*: a word found in its name or title and
nowhere else, so that a test can tell from any page, list, export or JSON
answer whether the row leaked to someone who may not see it (see ``MARKERS``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from icihub.core import services as core_services
from icihub.core.access import SYSTEM, Marking
from icihub.core.models import Citation, Source, User
from icihub.testing import give_authenticator, make_user

# The accounts of the matrix, one per role (two coordinators), as
# (role, country, user name). "anon" is the visitor who is not signed in.
ROLES = ("anon", "admin", "nato", "centre", "coord_kwt", "coord_qat", "instructor", "participant")
ACCOUNTS = {
    "admin": ("admin", None, "mx-admin"),
    "nato": ("nato_staff", None, "mx-nato"),
    "centre": ("centre_staff", None, "mx-centre"),
    "coord_kwt": ("coordinator", "KWT", "mx-coord-kwt"),
    "coord_qat": ("coordinator", "QAT", "mx-coord-qat"),
    "instructor": ("instructor", None, "mx-instructor"),
    "participant": ("participant", None, "mx-participant"),
}

# Words that appear in one private row each (its name, title or description).
# A response for a role that may not see the row must not contain its word.
MARKERS = {
    "participant_kwt": "Matrixkwtperson",
    "participant_qat": "Matrixqatperson",
    "programme_kwt": "Matrixkwtprogramme",
    "programme_qat": "Matrixqatprogramme",
    "objective_kwt": "Matrixkwtobjective",
    "objective_qat": "Matrixqatobjective",
    "goal_kwt": "Matrixkwtgoal",
    "goal_qat": "Matrixqatgoal",
    "delivery_kwt": "Matrixkwtdelivery",
    "delivery_qat": "Matrixqatdelivery",
    "request_kwt": "Matrixkwtrequest",
    "request_qat": "Matrixqatrequest",
    "event_kwt": "Matrixkwtevent",
    "event_qat": "Matrixqatevent",
    "action_kwt": "Matrixkwtaction",
    "action_qat": "Matrixqataction",
    "action_public": "Matrixpublicaction",
    "attendee_kwt": "Matrixkwtattendee",
    "attendee_qat": "Matrixqatattendee",
    "evaluation_kwt": "Matrixkwtcomment",
    "instructor_other": "Matrixotherinstructor",
    "trip_other": "Matrixothertrip",
    "person_hidden": "Matrixhiddenperson",
    "activity_nato": "Matrixnatoactivity",
    "source_nato": "Matrixnatosource",
    # issue 15 (certificates): the verification codes, which no instructor sees
    # (an instructor sees the outcome of their sessions' participants, no code)
    "certificate_kwt": "MXKWTCERTCODE",
    "certificate_qat": "MXQATCERTCODE",
    # gulf (issue 10): a public row, for the lists' ``shows`` check
    "closure": "Matrixclosure",
    # planning (issue 10): rooms are staff's; an unavailable period its instructor's too
    "room": "Matrixroom",
    "unavailability_own": "Matrixownunavailable",
    "unavailability_other": "Matrixotherunavailable",
    # notifications: each coordinator's own (a Kuwait notice must not reach Qatar)
    "notification_kwt": "Matrixkwtnotice",
    "notification_qat": "Matrixqatnotice",
}


@dataclass
class World:
    users: dict[str, User] = field(default_factory=dict)  # role key -> account
    objects: dict[str, object] = field(default_factory=dict)  # object key -> row
    tokens: dict[str, str] = field(default_factory=dict)  # role key -> raw bearer token
    feed_keys: dict[str, str] = field(default_factory=dict)  # role key -> calendar feed key

    def __getitem__(self, key: str):
        return self.objects[key]


def _country(iso3: str):
    from icihub.partners.models import Country

    return Country.objects.get(iso3=iso3)


def build_world() -> World:
    """Build the world (a few seconds). Call inside a transaction that the
    caller rolls back, or on a database that is flushed afterwards."""
    from icihub.core.security import requires_2fa

    world = World()
    for role, (kind, iso3, username) in ACCOUNTS.items():
        user = make_user(kind, iso3, username=username)
        world.users[role] = user
        world.objects[f"user_{role}"] = user
        if requires_2fa(user):
            give_authenticator(user)  # staff have one, as after their enrolment
        row, raw = core_services.create_token(SYSTEM, user, name=f"Matrixtoken{role}")
        world.tokens[role] = raw
        world.objects[f"token_{role}"] = row
    from django.contrib.auth.models import Group

    Group.objects.get_or_create(name="Matrix group")
    _reference(world)
    _training(world)
    _programmes(world)
    _dialogue(world)
    _reports(world)
    _gulf(world)
    _planning(world)
    _notifications(world)
    from icihub.training import services as training

    for role in ("coord_kwt", "participant"):
        world.feed_keys[role] = training.new_feed_key(world.users[role])
    return world


# -- reference data: public rows from the loaders, and a few private ones ---------------


def _reference(world: World) -> None:
    from icihub.menu import services as menu
    from icihub.menu.models import Activity, Area
    from icihub.partners import services as partners
    from icihub.partners.models import (
        Appointment,
        Framework,
        Grouping,
        Organisation,
        Partnership,
        Person,
    )

    nato = world.users["nato"]
    o = world.objects
    o["framework"] = Framework.objects.get(code="ici")
    o["country_kwt"] = _country("KWT")
    o["country_qat"] = _country("QAT")
    o["grouping"] = Grouping.objects.filter(is_public=True).order_by("pk").first()
    o["partnership_kwt"] = Partnership.objects.get(country__iso3="KWT", framework__code="ici")
    o["organisation"] = Organisation.objects.get(slug="nato-ici-rc")
    o["person"] = Person.objects.filter(is_public=True).order_by("pk").first()
    o["appointment"] = (
        Appointment.objects.filter(is_public=True, person__is_public=True).order_by("pk").first()
    )
    o["area"] = Area.objects.get(code="cyber-defence")
    o["source"] = Source.objects.filter(marking=Marking.PUBLIC).order_by("pk").first()
    o["source_nato"] = core_services.create(
        Source,
        nato,
        {
            "key": "matrix-nato-source",
            "title": "Matrixnatosource internal minute",
            "publisher": "NATO",
            "kind": Source.Kind.OFFICIAL,
            "marking": Marking.NATO,
        },
    )
    o["person_hidden"] = partners.create_person(
        nato, {"name": "Matrixhiddenperson", "slug": "matrixhiddenperson", "is_public": False}
    )
    o["citation"] = partners.add_citation(
        nato,
        o["person_hidden"],
        {"attribute": "name", "value": "Matrixhiddenperson", "source": o["source"]},
    )
    provider = o["organisation"]
    o["activity"] = menu.create_activity(
        nato,
        {
            "code": "MX-PUB-1",
            "title": "Matrix public seminar",
            "format": Activity.Format.COURSE,
            "provider": provider,
            "marking": Marking.PUBLIC,
            "languages": "en",
        },
    )
    o["activity"].areas.set([o["area"]])
    o["activity"].eligible_frameworks.set([o["framework"]])
    o["activity_nato"] = menu.create_activity(
        nato,
        {
            "code": "MX-NATO-1",
            "title": "Matrixnatoactivity staff seminar",
            "format": Activity.Format.COURSE,
            "provider": provider,
            "marking": Marking.NATO,
            "languages": "en",
        },
    )
    assert Citation.objects.filter(pk=o["citation"].pk).exists()


# -- training -----------------------------------------------------------------------------


def _training(world: World) -> None:
    from icihub.menu.models import Area
    from icihub.partners.models import Framework, Organisation
    from icihub.training import services as training
    from icihub.training.models import SCORE_FIELDS, Attendance, Course, Session

    centre = world.users["centre"]
    o = world.objects
    today = timezone.localdate()
    course = training.create_course(
        centre,
        {
            "code": "MX-T-001",
            "title": "Matrix crisis management",
            "provider": Organisation.objects.get(slug="nato-ici-rc"),
            "marking": Marking.PUBLIC,
            "aim": "To prepare officers.",
            "duration_days": 3,
            "default_capacity": 10,
            "areas": list(Area.objects.filter(code="crisis-management")),
        },
    )
    course.eligible_frameworks.set(Framework.objects.filter(code="ici"))
    o["course"] = Course.objects.get(pk=course.pk)

    def session(start, public):
        s = training.create_session(
            centre,
            o["course"],
            {
                "start": start,
                "capacity": 6,
                "nomination_deadline": today + dt.timedelta(days=7),
                "is_public": public,
            },
            quotas={_country("KWT"): 2, _country("QAT"): 2},
        )
        training.change_state(centre, s, Session.State.OPEN)
        s.refresh_from_db()
        return s

    o["session_open"] = session(today + dt.timedelta(weeks=10), True)
    o["session_done"] = session(today + dt.timedelta(weeks=12), False)
    o["quota_kwt"] = o["session_open"].quotas.get(country__iso3="KWT")
    o["quota_qat"] = o["session_open"].quotas.get(country__iso3="QAT")

    o["participant_kwt"] = training.create_participant(
        centre,
        {
            "given_name": "Ahmad",
            "family_name": "Matrixkwtperson",
            "country": _country("KWT"),
            "service": "army",
            "rank": "Major",
            "rank_code": "OF-3",
            "email": "ahmad.matrix@kwt.example.test",
            "user": world.users["participant"],
        },
    )
    o["participant_qat"] = training.create_participant(
        world.users["coord_qat"],
        {
            "given_name": "Hamad",
            "family_name": "Matrixqatperson",
            "country": _country("QAT"),
            "service": "navy",
            "rank": "Captain",
            "rank_code": "OF-2",
            "email": "hamad.matrix@qat.example.test",
        },
    )
    for iso, coordinator in (("kwt", world.users["coord_kwt"]), ("qat", world.users["coord_qat"])):
        person = o[f"participant_{iso}"]
        o[f"nomination_open_{iso}"] = training.nominate(coordinator, o["session_open"], person)
        o[f"nomination_done_{iso}"] = training.nominate(coordinator, o["session_done"], person)

    # instructors: the instructor account's own, and another one
    o["instructor_own"] = training.create_instructor(
        centre,
        {
            "full_name": "Instructor Matrixown",
            "organisation": Organisation.objects.get(slug="nato-school"),
            "country": _country("ITA"),
            "user": world.users["instructor"],
        },
    )
    o["instructor_other"] = training.create_instructor(
        centre,
        {
            "full_name": "Matrixotherinstructor",
            "organisation": Organisation.objects.get(slug="jallc"),
            "country": _country("PRT"),
        },
    )
    o["assignment_own"] = training.assign(centre, o["session_open"], o["instructor_own"], "lead")
    o["assignment_other"] = training.assign(
        centre, o["session_done"], o["instructor_other"], "lead"
    )
    s_open, s_done = o["session_open"], o["session_done"]
    o["trip_own"] = training.create_trip(
        centre,
        o["instructor_own"],
        origin="Oberammergau",
        arrival=s_open.start,
        departure=s_open.end,
        sessions=[s_open],
    )
    o["trip_other"] = training.create_trip(
        centre,
        o["instructor_other"],
        origin="Matrixothertrip",
        arrival=s_done.start,
        departure=s_done.end,
        sessions=[s_done],
    )

    # the second session runs and completes: attendance, evaluations, certificates
    for iso in ("kwt", "qat"):
        training.accept(centre, o[f"nomination_done_{iso}"])
    training.change_state(centre, s_done, Session.State.RUNNING, override_dates=True, reason="test")
    s_done.refresh_from_db()
    training.record_attendance(
        centre,
        s_done,
        {o[f"nomination_done_{iso}"].pk: set(s_done.days) for iso in ("kwt", "qat")},
    )
    scores = dict.fromkeys(SCORE_FIELDS, 4)
    o["evaluation_kwt"] = training.submit_evaluation(
        world.users["participant"], o["nomination_done_kwt"], scores, comments="Matrixkwtcomment"
    )
    o["evaluation_qat"] = training.submit_evaluation(centre, o["nomination_done_qat"], scores)
    training.complete_session(centre, s_done, override_dates=True, reason="test")
    for iso in ("kwt", "qat"):
        o[f"nomination_done_{iso}"].refresh_from_db()
        o[f"certificate_{iso}"] = training.issue_certificate(centre, o[f"nomination_done_{iso}"])
        o[f"attendance_{iso}"] = Attendance.objects.filter(
            nomination=o[f"nomination_done_{iso}"]
        ).first()
    # issue 15: the instructor account also taught the completed session, whose
    # participants' certificates carry known codes (the leak markers above).
    o["assignment_own_done"] = training.assign(centre, s_done, o["instructor_own"], "instructor")
    from icihub.core import audit
    from icihub.training.models import Certificate

    with audit.suspended():
        for iso in ("kwt", "qat"):
            Certificate.objects.filter(pk=o[f"certificate_{iso}"].pk).update(
                code=MARKERS[f"certificate_{iso}"]
            )
            o[f"certificate_{iso}"].refresh_from_db()
    for key in ("session_open", "session_done"):
        o[key].refresh_from_db()


# -- programmes and requests ----------------------------------------------------------------


def _programmes(world: World) -> None:
    from icihub.programmes import services as programmes

    nato = world.users["nato"]
    o = world.objects
    year = timezone.localdate().year
    for iso, coordinator in (("kwt", world.users["coord_kwt"]), ("qat", world.users["coord_qat"])):
        tag = f"Matrix{iso}"
        programme = programmes.create_programme(
            coordinator,
            {
                "country": _country(iso.upper()),
                "kind": "itpp",
                "title": f"{tag}programme",
                "start_year": year,
                "end_year": year + 3,
            },
        )
        objective = programmes.add_objective(coordinator, programme, {"title": f"{tag}objective"})
        goal = programmes.add_goal(
            coordinator, objective, {"title": f"{tag}goal", "areas": ["cyber-defence"]}
        )
        item = programmes.add_item(
            coordinator, goal, {"activity": o["activity"], "planned_year": year, "seats": 2}
        )
        programmes.submit(coordinator, programme)
        programme.refresh_from_db()
        programmes.agree(nato, programme)
        programme.refresh_from_db()
        programmes.activate(nato, programme)
        programme.refresh_from_db()
        item.refresh_from_db()
        delivery = programmes.record_delivery(
            nato,
            item,
            {
                "kind": "other",
                "title": f"{tag}delivery",
                "delivered_on": timezone.localdate() - dt.timedelta(days=3),
            },
        )
        request = programmes.create_request(
            coordinator,
            {"kind": "activity", "subject": f"{tag}request", "activity": o["activity"]},
        )
        o[f"programme_{iso}"] = programme
        o[f"objective_{iso}"] = objective
        o[f"goal_{iso}"] = goal
        o[f"item_{iso}"] = item
        o[f"delivery_{iso}"] = delivery
        o[f"request_{iso}"] = request
        o[f"version_{iso}"] = programme.versions.order_by("number").first()


# -- the political dialogue -----------------------------------------------------------------


def _dialogue(world: World) -> None:
    from icihub.dialogue import services as dialogue

    nato = world.users["nato"]
    o = world.objects
    for iso in ("kwt", "qat"):
        tag = f"Matrix{iso}"
        event = dialogue.create_event(
            nato,
            {
                "title": f"{tag}event consultations",
                "format": "consultations",
                "date": "2024-05",
                "marking": Marking.REL_PARTNER,
                "country": _country(iso.upper()),
                "summary": "Bilateral talks.",
            },
            participants=dialogue.resolve_participants(
                [{"country": iso.upper(), "role": "member"}]
            ),
            attendees=dialogue.resolve_attendees([{"name": f"{tag}attendee", "role": "delegate"}]),
        )
        o[f"event_{iso}"] = event
        o[f"event_participant_{iso}"] = event.participants.first()
        o[f"attendee_{iso}"] = event.attendees.first()
        o[f"event_citation_{iso}"] = dialogue.add_citation(
            event, nato, attribute="title", value=f"{tag}event", source_key=o["source"].key
        )
        o[f"action_{iso}"] = dialogue.create_action(
            event,
            nato,
            {
                "description": f"{tag}action follow-up",
                "owner_organisation": o["organisation"],
                "due": timezone.localdate() + dt.timedelta(days=30),
            },
        )

    o["event_public"] = dialogue.create_event(
        nato,
        {
            "title": "Matrix open conference",
            "format": "conference",
            "date": "2024-06",
            "marking": Marking.PUBLIC,
            "summary": "A public conference.",
        },
    )
    o["action_public"] = dialogue.create_action(
        o["event_public"],
        nato,
        {
            "description": "Matrixpublicaction internal follow-up",
            "owner_organisation": o["organisation"],
            "due": timezone.localdate() + dt.timedelta(days=30),
        },
    )


# -- reports --------------------------------------------------------------------------------


def _reports(world: World) -> None:
    from icihub.reports import services as reports

    world.objects["snapshot"] = reports.lock_year(
        world.users["nato"], timezone.localdate().year - 1, note="matrix"
    )


# -- gulf: the Gulf calendar (issue 10) -------------------------------------------------------


def _gulf(world: World) -> None:
    from icihub.gulf import services as gulf

    centre = world.users["centre"]
    world.objects["closure"] = gulf.create_closure(
        centre,
        {
            "name": "Matrixclosure summer break",
            "start": dt.date(2027, 7, 25),
            "end": dt.date(2027, 8, 26),
        },
    )
    world.objects["islamic_date"] = gulf.set_islamic_date(
        centre, hijri_year=1448, event="eid_al_fitr", shift_days=0, confirmed=True
    )


# -- the year planner (issue 10) ------------------------------------------------------------


def _planning(world: World) -> None:
    """A draft plan (staff only) and a published one (coordinators read it; the
    instructor account sees its own session in it), each with a course, a
    planned session and a solver run. Built without solving (the world must be
    quick); the states are set as the solver and publishing would. And the
    inputs kept outside any plan: a room (staff's), an unavailable period of
    the instructor account (theirs to read too) and one of another instructor."""
    from icihub.planning import services as planning
    from icihub.planning.models import Plan, PlanCourse, PlannedSession, PlanRun

    centre = world.users["centre"]
    o = world.objects
    for key, year, state in (("draft", 2031, "draft"), ("published", 2032, "published")):
        plan = planning.create_plan(centre, year, propose=False)
        Plan.objects.filter(pk=plan.pk).update(state=state)
        plan.refresh_from_db()
        o[f"plan_{key}"] = plan
        start = dt.date(year, 3, 2)
        planned = PlannedSession.objects.create(
            plan=plan,
            course=o["course"],
            key=f"MX-T-001-{key}",
            start=start,
            end=start + dt.timedelta(days=2),
        )
        planned.instructors.set([o["instructor_own"]])
        o[f"planned_{key}"] = planned
    course = PlanCourse.objects.create(plan=o["plan_draft"], course=o["course"], iterations=1)
    course.instructors.set([o["instructor_own"]])
    o["plan_course"] = course
    o["plan_run"] = PlanRun.objects.create(plan=o["plan_draft"], requested_by=centre)
    o["room"] = planning.create_room(centre, {"name": "Matrixroom hall", "capacity": 2})
    for key, instructor in (("own", "instructor_own"), ("other", "instructor_other")):
        o[f"unavailability_{key}"] = planning.create_unavailability(
            centre,
            {
                "instructor": o[instructor],
                "start": dt.date(2031, 4, 5),
                "end": dt.date(2031, 4, 16),
                "reason": f"Matrix{key}unavailable exercise",
            },
        )


# -- notifications ----------------------------------------------------------------------------


def _notifications(world: World) -> None:
    """Each coordinator's notice that their programme was returned (created at
    once: the world's transaction never commits, so nothing is sent after
    commit)."""
    from icihub.notifications import services as notifications

    for iso in ("kwt", "qat"):
        programme = world.objects[f"programme_{iso}"]
        [notice] = notifications.deliver(
            "programme_returned",
            "programmes.Programme",
            programme.pk,
            recipient_ids=[world.users[f"coord_{iso}"].pk],
            params=notifications._params(programme, {"detail": f"Matrix{iso}notice: add a goal"}),
        )
        world.objects[f"notification_{iso}"] = notice
