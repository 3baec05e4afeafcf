"""Training's list filters (training/filters.py) on the API and the pages."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from icihub.testing import ApiClient, client_for
from icihub.training.models import Session

from . import factories


def test_open_lists_the_sessions_open_for_nominations(course, centre_staff):
    today = timezone.localdate()
    open_now = factories.make_session(course, centre_staff)
    planned = factories.make_session(
        course, centre_staff, start=today + dt.timedelta(weeks=20), state=Session.State.PLANNED
    )
    past_deadline = factories.make_session(
        course,
        centre_staff,
        start=today + dt.timedelta(weeks=3),
        nomination_deadline=today + dt.timedelta(days=1),
    )
    # open, but its deadline passed yesterday (a service would refuse to set it so)
    Session.objects.filter(pk=past_deadline.pk).update(
        nomination_deadline=today - dt.timedelta(days=1)
    )
    api = ApiClient(centre_staff)

    def ids(**params):
        response = api.get("training/sessions", {**params, "course": course.pk})
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["items"]}

    assert ids(open="true") == {open_now.pk}
    assert ids(open="false") == ids() == {open_now.pk, planned.pk, past_deadline.pk}
    assert ids(state="planned") == {planned.pk}


def test_the_session_page_filters_by_area_through_the_page_declaration(course, centre_staff):
    session = factories.make_session(course, centre_staff)
    page = client_for(centre_staff)
    url = reverse("training:session_list")
    area = course.areas.first().code
    link = reverse("training:session_detail", args=[session.pk])
    assert link in page.get(url, {"area": area}).content.decode()
    assert link not in page.get(url, {"area": "no-such-area"}).content.decode()
    # the API's parameters did not grow: an area is no filter there
    listed = ApiClient(centre_staff).get("training/sessions", {"area": "no-such-area"}).json()
    assert session.pk in {row["id"] for row in listed["items"]}
