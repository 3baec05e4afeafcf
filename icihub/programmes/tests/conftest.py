from __future__ import annotations

import datetime as dt
import itertools

import pytest

_n = itertools.count(1)


@pytest.fixture
def activity(db):
    """Make a menu activity (test set-up, straight through the ORM)."""
    from icihub.menu.models import Activity, Area
    from icihub.partners.models import Framework

    def make(code=None, *, areas=("cyber-defence",), frameworks=("ici",), **fields):
        n = next(_n)
        fields.setdefault("title", f"Menu activity {n}")
        fields.setdefault("format", Activity.Format.COURSE)
        fields.setdefault("marking", "public")
        a = Activity.objects.create(code=code or f"PA-{n:05d}", **fields)
        a.areas.set(Area.objects.filter(code__in=areas))
        a.eligible_frameworks.set(Framework.objects.filter(code__in=frameworks))
        return a

    return make


@pytest.fixture
def build_programme(db, activity):
    """A programme with ``objectives`` x ``goals`` x ``items`` built through the
    services by ``actor`` (draft)."""
    from icihub.partners.models import Country
    from icihub.programmes import services

    def build(
        actor,
        iso3="KWT",
        *,
        start=2025,
        kind="itpp",
        objectives=1,
        goals=1,
        items=1,
        activities=None,
    ):
        programme = services.create_programme(
            actor,
            {
                "country": Country.objects.get(iso3=iso3),
                "kind": kind,
                "start_year": start,
                "end_year": start + (1 if kind == "ipcp" else 3),
            },
        )
        k = 0
        for o in range(objectives):
            objective = services.add_objective(actor, programme, {"title": f"Objective {o + 1}"})
            for g in range(goals):
                goal = services.add_goal(
                    actor, objective, {"title": f"Goal {o + 1}.{g + 1}", "areas": ["cyber-defence"]}
                )
                for _i in range(items):
                    a = activities[k] if activities else activity()
                    k += 1
                    services.add_item(
                        actor, goal, {"activity": a, "planned_year": start, "seats": 2}
                    )
        programme.refresh_from_db()
        return programme

    return build


@pytest.fixture
def attended_session(db):
    """A completed course session attended by ``attendees`` people of a country."""
    from icihub.partners.models import Country
    from icihub.training.models import Course, Nomination, Participant, Session

    def make(
        course_or_code, iso3="KWT", *, attendees=2, start=dt.date(2025, 3, 2), state="completed"
    ):
        if isinstance(course_or_code, Course):
            course = course_or_code
        else:
            course = Course.objects.filter(code=course_or_code).first() or Course.objects.create(
                code=course_or_code, title=f"Course {course_or_code}", marking="public"
            )
        n = next(_n)
        session = Session.objects.create(
            course=course,
            reference=f"S-{n}",
            start=start,
            end=start + dt.timedelta(days=4),
            capacity=20,
            nomination_deadline=start,
            reallocation_date=start,
            state=state,
            seats_taken=attendees,
        )
        country = Country.objects.get(iso3=iso3)
        for i in range(attendees):
            person = Participant.objects.create(
                given_name="Officer", family_name=f"{iso3}-{n}-{i}", country=country, service="army"
            )
            Nomination.objects.create(
                session=session,
                participant=person,
                country=country,
                status="accepted",
                has_seat=True,
                outcome="completed" if state == "completed" else "",
            )
        return session

    return make
