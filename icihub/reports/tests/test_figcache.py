"""The figures kept between requests (``reports.figcache``): the same numbers,
read back while the records they count are unchanged, computed again after a
write (a model signal, or a bulk write the audit trail records), never kept
inside a transaction."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from icihub.core import audit
from icihub.reports import figcache
from icihub.reports import figures as F
from icihub.reports import report as reports
from icihub.reports.scope import Period, Scope
from icihub.training.models import Nomination

pytestmark = pytest.mark.django_db


@pytest.fixture
def kept(settings, monkeypatch):
    """The cache as outside a transaction (each test is one)."""
    settings.ICIHUB_FIGURES_CACHE_SECONDS = 600
    monkeypatch.setattr(figcache, "enabled", lambda: figcache.seconds() > 0)


def _commit():
    """What a commit does for the writes so far: their callbacks run (each test is
    one transaction, which never commits)."""
    callbacks, connection.run_on_commit = connection.run_on_commit, []
    for _sids, func, _robust in callbacks:
        func()


def _kept(scope, keys):
    """The figures of ``keys`` for ``scope``, kept for the next scope."""
    out = {key: F.value(key, scope) for key in keys}
    figcache.store(scope)
    return out


def _annual(user, period):
    return reports.build_annual(Scope.for_user(user, period), charts_=False)


def test_a_kept_report_is_the_same_report_in_fewer_queries(year, nato_staff, kept):
    first = _annual(nato_staff, year.period)
    with CaptureQueriesContext(connection) as again:
        second = _annual(nato_staff, year.period)
    with CaptureQueriesContext(connection) as computed, pytest.MonkeyPatch.context() as patch:
        patch.setattr(figcache, "enabled", lambda: False)
        third = _annual(nato_staff, year.period)
    assert first.figures_json() == second.figures_json() == third.figures_json()
    assert first.as_dict()["tables"] == second.as_dict()["tables"]
    assert len(again.captured_queries) < len(computed.captured_queries) - 30


def test_a_write_of_a_counted_record_computes_again(year, nato_staff, kept):
    scope = lambda: Scope.for_user(nato_staff, year.period)  # noqa: E731
    _commit()
    before = _kept(scope(), ["trained", "no_shows"])
    assert _kept(scope(), ["trained", "no_shows"]) == before
    nomination = Nomination.objects.filter(outcome="no_show").first()
    nomination.outcome = "completed"
    nomination.save()
    _commit()
    after = _kept(scope(), ["trained", "no_shows"])
    assert after["no_shows"] == before["no_shows"] - 1
    assert after["trained"] == before["trained"] + 1


def test_a_bulk_write_recorded_by_the_audit_computes_again(year, nato_staff, kept):
    scope = lambda: Scope.for_user(nato_staff, year.period)  # noqa: E731
    _commit()
    before = F.value("no_shows", scope())
    _kept(scope(), ["no_shows"])
    rows = list(Nomination.objects.filter(outcome="no_show"))
    Nomination.objects.filter(pk__in=[n.pk for n in rows]).update(outcome="completed")
    audit.record_many(audit.Action.UPDATE, [(n, {"outcome": {}}) for n in rows])
    _commit()
    assert _kept(scope(), ["no_shows"]) == {"no_shows": 0}
    assert before > 0


def test_nothing_is_kept_inside_a_transaction(year, nato_staff, settings):
    settings.ICIHUB_FIGURES_CACHE_SECONDS = 600
    assert connection.in_atomic_block and not figcache.enabled()
    scope = Scope.for_user(nato_staff, year.period)
    F.value("trained", scope)
    figcache.store(scope)
    assert figcache.load(Scope.for_user(nato_staff, year.period)) == {}


def test_users_and_languages_do_not_share_an_entry(year, nato_staff, kwt_coordinator):
    period = year.period
    keys = {
        figcache.key(Scope.for_user(nato_staff, period)),
        figcache.key(Scope.for_user(kwt_coordinator, period)),
        figcache.key(Scope.public(period)),
        figcache.key(Scope.system(period)),
    }
    assert len(keys) == 4


def test_figures_for_year_are_the_year_report_s(year, nato_staff):
    report = reports.build_annual(
        Scope.for_user(nato_staff, Period.of_year(year.period.start.year)), charts_=False
    )
    kept = F.figures_for_year(year.period.start.year, Scope.for_user(nato_staff, year.period))
    assert {c.figure.key: c.value for c in report.headline} == {
        c.figure.key: kept[c.figure.key] for c in report.headline
    }


def test_a_kept_dashboard_keeps_its_trends_and_the_year_before(year, nato_staff, kept):
    """The dashboard compares its year with the year before and draws ten years
    of trends, each year a scope of its own: those are kept too, read in one go,
    and the page read back is the same page."""
    import re

    from django.urls import reverse

    from icihub.testing import client_for, count_queries

    client = client_for(nato_staff)
    url = reverse("reports:dashboard") + f"?year={year.period.start.year}"
    first = client.get(url)
    with count_queries() as again:
        second = client.get(url)
    with count_queries() as computed, pytest.MonkeyPatch.context() as patch:
        patch.setattr(figcache, "enabled", lambda: False)
        third = client.get(url)
    assert first.status_code == second.status_code == third.status_code == 200
    strip = lambda r: re.sub(r'value="[A-Za-z0-9]{64}"|"[A-Za-z0-9]{64}"', "", r.content.decode())  # noqa: E731
    assert strip(first) == strip(second) == strip(third)
    assert len(again) <= 20, [q["sql"][:120] for q in again]
    assert len(computed) > len(again) + 40


def test_a_remembered_count_is_kept_per_user_until_a_counted_write(
    kwt_coordinator, qat_coordinator, kept
):
    """``figcache.remember``: computed once per user and version of the
    records, another user's kept apart, computed again after a write commits."""
    calls = []

    def counting(user, value):
        def compute():
            calls.append(user.username)
            return {"n": value}

        return compute

    assert figcache.remember("t", kwt_coordinator, counting(kwt_coordinator, 1)) == {"n": 1}
    assert figcache.remember("t", kwt_coordinator, counting(kwt_coordinator, 2)) == {"n": 1}
    assert figcache.remember("t", qat_coordinator, counting(qat_coordinator, 3)) == {"n": 3}
    assert calls == [kwt_coordinator.username, qat_coordinator.username]
    figcache.records_changed()
    _commit()
    assert figcache.remember("t", kwt_coordinator, counting(kwt_coordinator, 4)) == {"n": 4}
