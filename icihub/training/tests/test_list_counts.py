"""The big lists count their rows exactly up to ``ICIHUB_LIST_COUNT_CAP`` and
say "more than" beyond it (the API: ``count`` is the cap and ``count_capped``
true), read their pages' ids first without changing rows or order, and the
instructors page counts trips and sessions for its rows only."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.db.models import Count
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from icihub.partners.models import Country, Organisation
from icihub.testing import ApiClient, client_for
from icihub.training import selectors, services
from icihub.training.models import Certificate, Instructor, Nomination, Session

from . import factories

counter = itertools.count(2000)


def _completed_session(course, centre_staff, kwt_coordinator, qat_coordinator, n: int):
    """A completed session with certified Kuwaiti and Qatari nominees, its
    instructor and the instructor's trip."""
    other = factories.make_course(centre_staff, f"NIRC-C-{n:03d}")
    start = timezone.localdate() + dt.timedelta(weeks=10 + n)
    session = factories.make_session(
        other, centre_staff, start=start, capacity=5, quotas={"KWT": 3, "QAT": 2}
    )
    made = services.nominate_many(
        kwt_coordinator,
        session,
        [factories.make_participant(centre_staff, "KWT", next(counter)) for _i in range(3)],
    )
    made += services.nominate_many(
        qat_coordinator,
        session,
        [factories.make_participant(centre_staff, "QAT", next(counter)) for _i in range(2)],
    )
    for nomination in made:
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
    assert len(services.issue_certificates(centre_staff, session)[0]) == 5
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
    return session


@pytest.fixture
def records(course, centre_staff, kwt_coordinator, qat_coordinator):
    for n in range(1, 4):
        _completed_session(course, centre_staff, kwt_coordinator, qat_coordinator, n)


LISTS = [
    ("training/nominations", Nomination),
    ("training/certificates", Certificate),
    ("training/attendance", None),
]


@pytest.mark.parametrize("path,model", LISTS)
@pytest.mark.parametrize("who", ["centre_staff", "kwt_coordinator"])
def test_the_api_count_is_exact_below_the_cap_and_capped_above(records, request, path, model, who):
    user = request.getfixturevalue(who)
    api = ApiClient(user)
    exact = api.get(path, {"limit": 1000}).json()
    total = len(exact["items"])
    assert total > 3
    assert exact["count"] == total and exact["count_capped"] is False
    if model is not None:
        assert total == model.objects.visible_to(user).count()
    with override_settings(ICIHUB_LIST_COUNT_CAP=total):
        at_cap = api.get(path, {"limit": 1000}).json()
    assert (at_cap["count"], at_cap["count_capped"]) == (total, False)
    with override_settings(ICIHUB_LIST_COUNT_CAP=total - 1):
        capped = api.get(path, {"limit": 1000}).json()
    assert (capped["count"], capped["count_capped"]) == (total - 1, True)
    # the rows and their order do not move with the count
    assert capped["items"] == exact["items"]


@pytest.mark.parametrize("who", ["centre_staff", "kwt_coordinator"])
def test_pages_read_by_ids_first_are_the_queryset_s_rows_in_its_order(records, request, who):
    user = request.getfixturevalue(who)
    api = ApiClient(user)
    expected = list(
        selectors.nominations(user)
        .order_by("session__start", "session_id", "country__name", "priority", "pk")
        .values_list("pk", flat=True)
    )
    pages = [
        item["id"]
        for offset in range(0, len(expected), 4)
        for item in api.get("training/nominations", {"limit": 4, "offset": offset}).json()["items"]
    ]
    assert pages == expected
    certificates = list(selectors.certificates(user).values_list("pk", flat=True))
    shown = [c["id"] for c in api.get("training/certificates", {"limit": 1000}).json()["items"]]
    assert shown == certificates


def test_the_certificates_page_says_more_than_the_cap(records, centre_staff):
    client = client_for(centre_staff)
    url = reverse("training:certificate_list")
    total = Certificate.objects.count()
    page = client.get(url)
    assert f"{total} records" in page.content.decode()
    assert page.context["page_obj"].paginator.capped is False
    with override_settings(ICIHUB_LIST_COUNT_CAP=total - 1):
        page = client.get(url)
    text = page.content.decode()
    assert f"More than {total - 1} records" in text
    assert f"{total} records" not in text
    assert page.context["page_obj"].paginator.capped is True
    # the rows shown and their order are the register's (the pages end at the cap)
    assert [c.pk for c in page.context["object_list"]] == list(
        selectors.certificates(centre_staff).values_list("pk", flat=True)[: total - 1]
    )


def test_the_nominations_page_says_more_than_the_cap(records, centre_staff):
    client = client_for(centre_staff)
    total = Nomination.objects.count()
    with override_settings(ICIHUB_LIST_COUNT_CAP=total - 1):
        text = client.get(reverse("training:nomination_list")).content.decode()
    assert f"More than {total - 1} nominations" in text


def test_the_instructors_page_counts_trips_and_sessions_as_before(records, centre_staff):
    first = Instructor.objects.order_by("pk").first()
    second_session = Session.objects.exclude(assignments__instructor=first).first()
    services.assign(centre_staff, second_session, first, "guest")
    services.create_instructor(
        centre_staff,
        {
            "full_name": "A. Newcomer",
            "organisation": Organisation.objects.get(slug="jallc"),
            "country": Country.objects.get(iso3="PRT"),
        },
    )
    page = client_for(centre_staff).get(reverse("training:instructor_list"))
    shown = [(i.pk, i.trip_count, i.session_count) for i in page.context["object_list"]]
    # the numbers of the former join (Count distinct over trips and assignments)
    before = list(
        Instructor.objects.annotate(
            trip_count=Count("trips", distinct=True),
            session_count=Count("assignments", distinct=True),
        )
        .order_by("full_name", "pk")
        .values_list("pk", "trip_count", "session_count")
    )
    assert shown == before
    assert (first.pk, 1, 2) in shown
    assert any(trips == 0 and sessions == 0 for _pk, trips, sessions in shown)
