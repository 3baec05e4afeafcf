"""The year the figures open on: the latest year with a completed session the
user may see (else this year)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from icihub.reports.selectors import default_year
from icihub.training.models import Course, Session
from icihub.training.tests import factories

pytestmark = pytest.mark.django_db


def _session(course, start, state):
    # Through the ORM: a session completed (or cancelled) years ago, without
    # going through its lifecycle, which is not what is tested here.
    return Session.objects.create(
        course=course,
        reference=f"DY-{course.code}-{start.isoformat()}",
        start=start,
        end=start + dt.timedelta(days=4),
        capacity=10,
        nomination_deadline=start - dt.timedelta(days=30),
        reallocation_date=start - dt.timedelta(days=14),
        state=state,
        cancel_reason="Test" if state == Session.State.CANCELLED else "",
    )


def test_the_latest_completed_session_the_user_may_see(nato_staff, centre_staff, kwt_coordinator):
    today = timezone.localdate()
    this_year = today.year
    assert default_year(centre_staff) == this_year  # no completed session at all
    public = factories.make_course(centre_staff, "NIRC-DY-1")
    nato_only = Course.objects.create(code="NIRC-DY-2", title="NATO only", marking="nato")
    _session(public, dt.date(this_year - 5, 3, 1), Session.State.COMPLETED)
    _session(public, dt.date(this_year - 4, 3, 1), Session.State.CANCELLED)
    _session(nato_only, dt.date(this_year - 3, 3, 1), Session.State.COMPLETED)
    assert default_year(nato_staff) == this_year - 3
    # The NATO-only course's session is NATO staff's only; a cancelled one
    # counts for nobody.
    assert default_year(centre_staff) == this_year - 5
    assert default_year(kwt_coordinator) == this_year - 5
    assert default_year(AnonymousUser()) == this_year - 5
