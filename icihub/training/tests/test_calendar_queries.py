"""The calendar's month view reads a constant number of queries whatever the
sessions of the month, with the cache as deployed (a database table): the Gulf
calendar's confirmations and closures are read from it once a request, not once
a day and once a session."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.urls import reverse

from icihub.testing import assert_constant_queries, client_for, database_cache

from . import factories

pytestmark = pytest.mark.django_db


def test_the_month_view_reads_the_same_queries_for_more_sessions(
    course, centre_staff, kwt_coordinator
):
    first = dt.date(2030, 3, 1)
    days = itertools.count(0, 3)

    def grow():
        for _i in range(4):
            factories.make_session(
                course, centre_staff, start=first + dt.timedelta(days=next(days))
            )

    grow()
    url = reverse("training:calendar") + "?view=month&month=2030-03"
    with database_cache():
        for user in (centre_staff, kwt_coordinator):
            client = client_for(user)
            assert_constant_queries(lambda c=client: c.get(url), grow)
            assert "gulf-block" in client.get(url).content.decode()  # Ramadan 1451
