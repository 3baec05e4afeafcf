"""Every list page runs a constant number of SQL queries, whatever the row count."""

from __future__ import annotations

import datetime as dt
import itertools

from django.urls import reverse
from django.utils import timezone

from icihub.partners.models import Country, Organisation
from icihub.testing import assert_constant_queries, client_for
from icihub.training import services
from icihub.training.models import Session

from . import factories

counter = itertools.count(1000)


def _people(actor, iso3, n):
    return [factories.make_participant(actor, iso3, next(counter)) for _i in range(n)]


def test_session_page_with_growing_nominations(
    session, centre_staff, kwt_coordinator, qat_coordinator, instructor_user
):
    services.update_session(centre_staff, session, {"capacity": 60})
    services.set_quotas(
        centre_staff,
        session,
        {Country.objects.get(iso3="KWT"): 20, Country.objects.get(iso3="QAT"): 20},
    )
    instructor = services.create_instructor(
        centre_staff,
        {
            "full_name": "Lead Instructor",
            "organisation": Organisation.objects.get(slug="nato-school"),
            "country": Country.objects.get(iso3="DEU"),
            "user": instructor_user,
        },
    )
    services.assign(centre_staff, session, instructor, "lead")

    def grow():
        made = services.nominate_many(kwt_coordinator, session, _people(centre_staff, "KWT", 3))
        made += services.nominate_many(qat_coordinator, session, _people(centre_staff, "QAT", 2))
        services.accept(centre_staff, made[0])
        services.withdraw(kwt_coordinator, made[1])
        services.substitute(kwt_coordinator, made[2], _people(centre_staff, "KWT", 1)[0])

    grow()
    url = reverse("training:session_detail", args=[session.pk])
    for user in (centre_staff, kwt_coordinator, instructor_user):
        client = client_for(user)
        assert_constant_queries(lambda c=client: c.get(url), grow)


def test_list_pages(course, centre_staff, kwt_coordinator, participant_user):
    services.update_participant(
        centre_staff, factories.make_participant(centre_staff, "KWT", 1), {"user": participant_user}
    )
    state = {"n": 0}

    def grow():
        state["n"] += 1
        n = state["n"]
        other = factories.make_course(centre_staff, f"NIRC-Q-{n:03d}")
        start = timezone.localdate() + dt.timedelta(weeks=10 + n)
        factories.make_session(course, centre_staff, start=start, state="planned")
        session = factories.make_session(other, centre_staff, start=start, quotas={"KWT": 3})
        people = _people(centre_staff, "KWT", 2)
        for nomination in services.nominate_many(kwt_coordinator, session, people):
            services.accept(centre_staff, nomination)
        Session.objects.filter(pk=session.pk).update(state="running")
        session.refresh_from_db()
        services.record_attendance(
            centre_staff, session, {x.pk: set(session.days) for x in session.nominations.all()}
        )
        services.complete_session(centre_staff, session, override_dates=True, reason="test")
        for nomination in session.nominations.all():
            services.submit_evaluation(
                centre_staff, nomination, dict.fromkeys(services.SCORE_FIELDS, 4)
            )
        services.issue_certificates(centre_staff, session)
        instructor = services.create_instructor(
            centre_staff,
            {
                "full_name": f"Expert {n}",
                "organisation": Organisation.objects.get(slug="jallc"),
                "country": Country.objects.get(iso3="PRT"),
            },
        )
        services.assign(centre_staff, session, instructor, "instructor")
        services.create_trip(
            centre_staff,
            instructor,
            origin="Lisbon",
            arrival=session.start,
            departure=session.end,
            sessions=[session],
        )

    grow()
    month = (timezone.localdate() + dt.timedelta(weeks=11)).strftime("%Y-%m")
    pages = [
        ("training:course_list", ""),
        ("training:session_list", ""),
        ("training:participant_list", ""),
        ("training:certificate_list", ""),
        ("training:instructor_list", ""),
        ("training:calendar", "?view=list"),
        ("training:calendar", f"?month={month}"),
    ]
    staff = client_for(centre_staff)
    for name, query in pages:
        url = reverse(name) + query
        assert_constant_queries(lambda u=url: staff.get(u), grow)
    coordinator = client_for(kwt_coordinator)
    for name in ("training:participant_list", "training:certificate_list"):
        assert_constant_queries(lambda n=name: coordinator.get(reverse(n)), grow)
    course_page = reverse("training:course_detail", args=[course.pk])
    assert_constant_queries(lambda: staff.get(course_page), grow)
