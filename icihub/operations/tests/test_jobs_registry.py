"""The schedule's registry and due times (icihub.core.jobs)."""

import datetime as dt
import zoneinfo

import pytest

from icihub.core import jobs
from icihub.core.jobs import ScheduleError, scheduled

KUWAIT = zoneinfo.ZoneInfo("Asia/Kuwait")
UTC = dt.UTC


@pytest.fixture
def clean_registry():
    saved = dict(jobs._registry)
    jobs._registry.clear()
    yield
    jobs._registry.clear()
    jobs._registry.update(saved)


def _noop(run):
    return "ok"


def test_a_declared_job_is_registered_with_its_schedule(clean_registry):
    scheduled("tidy-up", daily_at=dt.time(2, 0))(_noop)
    job = jobs.jobs(overrides={})["tidy-up"]
    assert job.daily_at == dt.time(2, 0) and job.every is None and job.func is _noop


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"daily_at": dt.time(2), "every": dt.timedelta(minutes=5)},
        {"every": dt.timedelta(seconds=30)},
        {"every": dt.timedelta(minutes=7)},  # does not divide a day
        {"daily_at": "02:00"},
        {"daily_at": dt.time(2, tzinfo=UTC)},
        {"every": dt.timedelta(minutes=5), "max_attempts": 0},
    ],
)
def test_a_malformed_declaration_is_refused_at_once(clean_registry, kwargs):
    with pytest.raises(ScheduleError):
        scheduled("bad-job", **kwargs)(_noop)
    assert "bad-job" not in jobs._registry


def test_a_name_is_checked_and_not_declared_twice(clean_registry):
    with pytest.raises(ScheduleError):
        scheduled("Bad Name", every=dt.timedelta(minutes=5))(_noop)
    scheduled("one", every=dt.timedelta(minutes=5))(_noop)

    def other(run):
        return ""

    with pytest.raises(ScheduleError, match="declared twice"):
        scheduled("one", every=dt.timedelta(minutes=5))(other)


def test_daily_due_time_is_in_the_sites_zone():
    job = jobs.Job(name="x", func=_noop, daily_at=dt.time(2, 0))
    # 01:30 in Kuwait (22:30 UTC the day before): the last due time is the day before's 02:00
    now = dt.datetime(2026, 3, 10, 22, 30, tzinfo=UTC)
    assert jobs.due_at(job, now, KUWAIT) == dt.datetime(2026, 3, 9, 23, 0, tzinfo=UTC)
    # 02:00 exactly in Kuwait is due at that instant
    now = dt.datetime(2026, 3, 10, 23, 0, tzinfo=UTC)
    assert jobs.due_at(job, now, KUWAIT) == now
    assert jobs.next_due(job, now, KUWAIT) == now + dt.timedelta(days=1)


def test_periodic_due_times_are_the_same_for_every_worker():
    job = jobs.Job(name="x", func=_noop, every=dt.timedelta(minutes=15))
    a = jobs.due_at(job, dt.datetime(2026, 3, 10, 10, 14, 59, tzinfo=UTC))
    b = jobs.due_at(job, dt.datetime(2026, 3, 10, 10, 0, 1, tzinfo=UTC))
    assert a == b == dt.datetime(2026, 3, 10, 10, 0, tzinfo=UTC)
    assert jobs.next_due(job, a) == dt.datetime(2026, 3, 10, 10, 15, tzinfo=UTC)


def test_retry_delay_grows_and_is_bounded():
    job = jobs.Job(name="x", func=_noop, every=dt.timedelta(minutes=5))
    delays = [job.retry_delay(n) for n in (1, 2, 3)]
    assert delays == [dt.timedelta(minutes=m) for m in (1, 2, 4)]
    assert job.retry_delay(30) == dt.timedelta(days=1)


def test_overrides_move_or_switch_off_a_job(clean_registry):
    scheduled("a-job", daily_at=dt.time(2))(_noop)
    scheduled("b-job", daily_at=dt.time(3))(_noop)
    parsed = jobs.parse_overrides("a-job=04:30, b-job=off")
    result = jobs.jobs(overrides=parsed)
    assert result["a-job"].daily_at == dt.time(4, 30)
    assert not result["b-job"].enabled
    every = jobs.jobs(overrides=jobs.parse_overrides("a-job=every 2h"))["a-job"]
    assert every.every == dt.timedelta(hours=2) and every.daily_at is None


@pytest.mark.parametrize(
    "text", ["a-job", "a-job=25:00", "a-job=every 7m", "a-job=sometimes", "=off"]
)
def test_a_malformed_override_is_a_clear_error(clean_registry, text):
    scheduled("a-job", daily_at=dt.time(2))(_noop)
    with pytest.raises(ScheduleError):
        jobs.jobs(overrides=jobs.parse_overrides(text))


def test_an_override_of_an_unknown_job_is_an_error(clean_registry):
    scheduled("a-job", daily_at=dt.time(2))(_noop)
    with pytest.raises(ScheduleError, match="do not exist"):
        jobs.jobs(overrides=jobs.parse_overrides("nope=off"))
