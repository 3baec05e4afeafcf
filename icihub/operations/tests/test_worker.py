"""The worker: each due run claimed once, recorded, retried a bounded number of
times; queued tasks run from the database queue; bad start-up configuration
refused with a message."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django_tasks import task

from icihub.core import jobs
from icihub.operations import worker
from icihub.operations.models import JobRun, WorkerHeartbeat

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": []}}
CALLS: list[str] = []


@pytest.fixture
def registry():
    """An empty registry holding only the jobs a test declares."""
    saved = dict(jobs._registry)
    jobs._registry.clear()
    CALLS.clear()
    yield jobs._registry
    jobs._registry.clear()
    jobs._registry.update(saved)


@task()
def remember(word: str) -> str:
    CALLS.append(word)
    return word.upper()


@task()
def explode() -> None:
    raise RuntimeError("task exploded")


def _declare(name="tidy", *, fails=0, max_attempts=3):
    state = {"calls": 0}

    def job(run):
        state["calls"] += 1
        CALLS.append(f"{name}:{run.attempt}")
        if state["calls"] <= fails:
            raise RuntimeError(f"{name} failed, call {state['calls']}")
        return f"{name} done"

    job.__qualname__ = f"job_{name}"
    jobs.scheduled(
        name,
        every=dt.timedelta(minutes=15),
        max_attempts=max_attempts,
        retry_after=dt.timedelta(minutes=1),
    )(job)
    return state


NOW = dt.datetime(2026, 3, 10, 10, 7, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch):
    """The worker's clock stands at NOW unless a test moves it (``clock.at``)."""

    class Clock:
        at = NOW

        def __call__(self):
            return self.at

    clock = Clock()
    monkeypatch.setattr(worker, "clock", clock)
    return clock


@pytest.mark.django_db
def test_a_due_run_is_claimed_once_whatever_the_number_of_workers(registry):
    _declare()
    job = jobs.jobs(overrides={})["tidy"]
    first = worker.claim_due(job, "worker-a", NOW)
    assert first is not None and first.due_at == dt.datetime(2026, 3, 10, 10, 0, tzinfo=dt.UTC)
    assert worker.claim_due(job, "worker-b", NOW) is None
    assert worker.claim_due(job, "worker-a", NOW + dt.timedelta(minutes=5)) is None
    assert JobRun.objects.filter(job="tidy").count() == 1
    # the next due time is a new run
    assert worker.claim_due(job, "worker-b", NOW + dt.timedelta(minutes=10)) is not None


@pytest.mark.django_db
def test_a_tick_runs_each_due_job_and_records_the_result(registry):
    _declare("alpha")
    _declare("beta")
    done = worker.schedule_tick("worker-a", NOW)
    assert sorted(r.job for r in done) == ["alpha", "beta"]
    assert worker.schedule_tick("worker-b", NOW + dt.timedelta(minutes=1)) == []
    assert sorted(CALLS) == ["alpha:1", "beta:1"]
    run = JobRun.objects.get(job="alpha")
    assert run.status == JobRun.Status.SUCCEEDED
    assert run.summary == "alpha done" and run.error == ""
    assert run.worker == "worker-a" and run.finished_at is not None
    assert [a["attempt"] for a in run.attempts] == [1]


@pytest.mark.django_db
def test_a_failed_run_is_retried_later_with_a_growing_delay_then_given_up(registry, frozen_clock):
    _declare("flaky", fails=5, max_attempts=3)
    worker.schedule_tick("w", NOW)
    run = JobRun.objects.get(job="flaky")
    assert run.status == JobRun.Status.RETRY and "flaky failed, call 1" in run.error
    assert run.next_attempt_at == run.finished_at + dt.timedelta(minutes=1)
    # not before its time
    frozen_clock.at = NOW + dt.timedelta(seconds=30)
    worker.schedule_tick("w")
    assert CALLS == ["flaky:1"]
    frozen_clock.at = run.next_attempt_at
    worker.schedule_tick("w")
    run.refresh_from_db()
    assert run.status == JobRun.Status.RETRY and run.attempt == 2
    assert run.next_attempt_at == run.finished_at + dt.timedelta(minutes=2)
    frozen_clock.at = run.next_attempt_at
    worker.schedule_tick("w")
    run.refresh_from_db()
    assert run.status == JobRun.Status.FAILED and run.attempt == 3
    assert CALLS == ["flaky:1", "flaky:2", "flaky:3"]
    assert [a["attempt"] for a in run.attempts] == [1, 2, 3]
    assert all("flaky failed" in a["error"] for a in run.attempts)
    frozen_clock.at = NOW + dt.timedelta(minutes=7)  # still the 10:00 due time
    worker.schedule_tick("w")
    assert len(CALLS) == 3  # given up (the next due time is another run)


@pytest.mark.django_db
def test_a_retry_that_succeeds_is_recorded_as_succeeded(registry, frozen_clock):
    _declare("once-flaky", fails=1)
    worker.schedule_tick("w")
    run = JobRun.objects.get()
    frozen_clock.at = run.next_attempt_at
    worker.schedule_tick("w")
    run.refresh_from_db()
    assert run.status == JobRun.Status.SUCCEEDED and run.attempt == 2
    assert run.summary == "once-flaky done" and run.error == ""
    assert run.attempts[0]["error"] and not run.attempts[1]["error"]


@pytest.mark.django_db
def test_a_retry_is_taken_by_one_worker_only(registry):
    _declare("flaky", fails=1)
    worker.schedule_tick("w", NOW)
    run = JobRun.objects.get()
    stale_copy = JobRun.objects.get()
    assert worker.claim_retry(run, "a", NOW) is not None
    assert worker.claim_retry(stale_copy, "b", NOW) is None


@pytest.mark.django_db
def test_one_failing_job_does_not_stop_the_others(registry):
    _declare("bad", fails=9, max_attempts=1)
    _declare("good")
    worker.schedule_tick("w", NOW)
    statuses = dict(JobRun.objects.values_list("job", "status"))
    assert statuses == {"bad": JobRun.Status.FAILED, "good": JobRun.Status.SUCCEEDED}


@pytest.mark.django_db
def test_a_run_left_by_a_silent_worker_is_taken_up_again(registry, settings, frozen_clock):
    settings.ICIHUB_JOB_ABANDONED_SECONDS = 600
    _declare("long")
    job = jobs.jobs(overrides={})["long"]
    run = worker.claim_due(job, "gone-worker", NOW)  # claimed, then the worker died
    WorkerHeartbeat.objects.create(
        worker_id="gone-worker", started_at=NOW, seen_at=NOW - dt.timedelta(hours=1)
    )
    assert worker.reclaim_abandoned(NOW + dt.timedelta(minutes=5)) == 0  # not yet
    frozen_clock.at = NOW + dt.timedelta(minutes=11)
    assert worker.reclaim_abandoned() == 1
    run.refresh_from_db()
    assert run.status == JobRun.Status.RETRY and "fell silent" in run.error
    frozen_clock.at = run.next_attempt_at
    worker.schedule_tick("w")
    run.refresh_from_db()
    assert run.status == JobRun.Status.SUCCEEDED and run.attempt == 2


@pytest.mark.django_db
def test_a_run_of_a_live_worker_is_left_alone(registry, settings):
    _declare("long")
    job = jobs.jobs(overrides={})["long"]
    run = worker.claim_due(job, "busy-worker", NOW)
    later = NOW + dt.timedelta(hours=2)  # a long run, its worker still beating
    WorkerHeartbeat.objects.create(
        worker_id="busy-worker", started_at=NOW, seen_at=later - dt.timedelta(seconds=20)
    )
    assert worker.reclaim_abandoned(later) == 0
    run.refresh_from_db()
    assert run.status == JobRun.Status.RUNNING


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DATABASE_TASKS)
def test_queued_tasks_wait_for_the_worker_and_run_once():
    from django_tasks_db.models import DBTaskResult

    CALLS.clear()
    first = remember.enqueue("one")
    remember.enqueue("two")
    explode.enqueue()
    assert CALLS == [] and worker.queue_length() == 3
    assert worker.run_queued("w") == 3
    assert sorted(CALLS) == ["one", "two"]
    assert worker.queue_length() == 0 and worker.run_queued("w2") == 0
    assert DBTaskResult.objects.get(id=first.id).return_value == "ONE"
    statuses = sorted(DBTaskResult.objects.values_list("status", flat=True))
    assert statuses == ["FAILED", "SUCCESSFUL", "SUCCESSFUL"]


@pytest.mark.django_db
def test_the_loop_beats_and_records(registry):
    _declare("tidy")
    loop = worker.Loop(worker_id="loop-1", queue=False)
    loop.once()
    beat = WorkerHeartbeat.objects.get(worker_id="loop-1")
    assert beat.jobs_run == 0 and loop.runs == 1
    loop.once()
    assert loop.runs == 1  # nothing new was due


# -- the command ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_worker_refuses_a_malformed_schedule(registry, settings):
    settings.ICIHUB_SCHEDULE = "reallocate-seats=25:00"
    with pytest.raises(CommandError, match="schedule is malformed"):
        call_command("worker", "--once", skip_checks=True)


@pytest.mark.django_db
def test_the_worker_refuses_the_immediate_backend(registry):
    with pytest.raises(CommandError, match="no queue"):
        call_command("worker", "--once", skip_checks=True)


@pytest.mark.django_db
def test_the_worker_refuses_a_database_it_cannot_reach(registry, monkeypatch):
    from icihub.operations import startup

    monkeypatch.setattr(startup, "database_problem", lambda: "the database does not answer")
    with pytest.raises(CommandError, match="database does not answer"):
        call_command("worker", "--once", "--no-tasks", skip_checks=True)


@pytest.mark.django_db
@override_settings(TASKS=DATABASE_TASKS)
def test_worker_once_runs_the_schedule_and_the_queue(registry, capsys):
    _declare("tidy")
    call_command("worker", "--once", skip_checks=True)
    assert JobRun.objects.get(job="tidy").status == JobRun.Status.SUCCEEDED
    assert not WorkerHeartbeat.objects.exists()  # a one-off leaves no heartbeat behind


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_several_workers_share_the_queue_and_run_each_task_once():
    """Four workers (threads, each its own connection) draining one queue of 40
    tasks: each task runs once (SELECT ... FOR UPDATE SKIP LOCKED)."""
    import threading

    from django.db import connections

    CALLS.clear()
    with override_settings(TASKS=DATABASE_TASKS):
        for n in range(40):
            remember.enqueue(f"t{n}")
        ran = {}

        def drain(name):
            try:
                ran[name] = worker.run_queued(name)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=drain, args=(f"w{i}",)) for i in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
    assert sorted(CALLS) == sorted(f"t{n}" for n in range(40))
    assert sum(ran.values()) == 40
