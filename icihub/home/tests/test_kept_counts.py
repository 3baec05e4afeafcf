"""The coordinator's home page counts their nominations by state once per
version of the records (``reports.figcache.remember``): what the selector
counts, in fewer queries the second time, counted again after a write."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from icihub.reports import figcache
from icihub.reports.tests.builders import build_year
from icihub.training.models import Nomination

pytestmark = pytest.mark.django_db


@pytest.fixture
def year(db, centre_staff, nato_staff, kwt_coordinator, qat_coordinator):
    return build_year(centre_staff, nato_staff, kwt_coordinator, qat_coordinator)


@pytest.fixture
def kept(settings, monkeypatch):
    """The cache as outside a transaction (each test is one)."""
    settings.ICIHUB_FIGURES_CACHE_SECONDS = 600
    monkeypatch.setattr(figcache, "enabled", lambda: figcache.seconds() > 0)


def _commit():
    """What a commit does for the writes so far (each test is one transaction)."""
    callbacks, connection.run_on_commit = connection.run_on_commit, []
    for _sids, func, _robust in callbacks:
        func()


def test_the_coordinators_home_counts_are_the_computed_ones(year, kwt_coordinator, kept):
    """The home page's nominations by state, kept, are what the selector
    counts, before and after a nomination changes."""
    from icihub.home import queues
    from icihub.training import selectors as training

    def shown():
        queue = next(q for q in queues.coordinator_queues(kwt_coordinator) if q.get("states"))
        return {row["status"]: row["count"] for row in queue["states"]}

    before = training.nomination_counts_by_state(kwt_coordinator)
    assert sum(before.values()) > 0
    with CaptureQueriesContext(connection) as first:
        assert shown() == before
    with CaptureQueriesContext(connection) as again:
        assert shown() == before
    assert len(again.captured_queries) < len(first.captured_queries)
    # a nomination moves to a state (a model save: the version is bumped)
    nomination = (
        Nomination.objects.filter(country=kwt_coordinator.country, outcome="")
        .exclude(status="withdrawn")
        .first()
    )
    nomination.status, nomination.has_seat = "withdrawn", False
    nomination.save(update_fields=["status", "has_seat"])
    _commit()
    after = training.nomination_counts_by_state(kwt_coordinator)
    assert after != before
    assert shown() == after
