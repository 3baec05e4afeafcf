"""The apps' scheduled jobs, run as the worker runs them (claimed, executed,
recorded): training's seat reallocation and the anonymisations due."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from icihub.core import jobs
from icihub.operations import worker
from icihub.operations.models import JobRun
from icihub.training.models import Participant, Session
from icihub.training.tests.conftest import course, kuwaitis, session  # noqa: F401
from icihub.training.tests.factories import make_participant


def _run_now(name: str) -> JobRun:
    jobs.autodiscover()
    job = jobs.jobs(overrides={})[name]
    run = worker.claim_due(job, "test-worker")
    assert run is not None
    worker.execute(run, job)
    run.refresh_from_db()
    return run


def test_the_jobs_of_the_apps_are_registered():
    jobs.autodiscover()
    registry = jobs.jobs(overrides={})
    assert registry["reallocate-seats"].daily_at == dt.time(2, 0)
    assert registry["anonymisation-due"].daily_at == dt.time(3, 0)
    assert registry["audit-digest"].daily_at == dt.time(0, 30)


@pytest.mark.django_db
def test_the_nightly_reallocation_releases_the_due_quotas_and_records_the_summary(session):  # noqa: F811
    Session.objects.filter(pk=session.pk).update(
        reallocation_date=timezone.localdate() - dt.timedelta(days=1)
    )
    run = _run_now("reallocate-seats")
    assert run.status == JobRun.Status.SUCCEEDED, run.error
    session.refresh_from_db()
    assert session.quotas_released_at is not None
    assert "1 of 1 due sessions released their quotas" in run.summary
    # a second run the same day (another due time) finds nothing to do
    from icihub.training import services

    assert services.reallocate().sessions == 0


@pytest.fixture
def long_gone(db, centre_staff):
    people = [make_participant(centre_staff, "KWT", n) for n in (7, 8)]
    Participant.objects.filter(pk__in=[p.pk for p in people]).update(
        created_at=timezone.now() - dt.timedelta(days=365 * 12)
    )
    return people


def test_the_anonymisations_due_are_only_counted_by_default(long_gone, settings):
    settings.ICIHUB_ANONYMISE_DUE = False
    run = _run_now("anonymisation-due")
    assert run.status == JobRun.Status.SUCCEEDED, run.error
    assert run.summary.startswith("2 participants due for anonymisation")
    assert "not anonymised" in run.summary
    assert not Participant.objects.filter(anonymised_at__isnull=False).exists()


def test_the_anonymisations_due_are_made_when_configured(long_gone, kuwaitis, settings):  # noqa: F811
    settings.ICIHUB_ANONYMISE_DUE = True
    run = _run_now("anonymisation-due")
    assert run.status == JobRun.Status.SUCCEEDED, run.error
    assert run.summary.startswith("2 participants anonymised")
    done = set(Participant.objects.filter(anonymised_at__isnull=False).values_list("pk", flat=True))
    assert done == {p.pk for p in long_gone}  # recent participants are kept


@pytest.mark.django_db
def test_the_nightly_report_job_queues_the_files_and_the_task_builds_one(settings, tmp_path):
    from django.test import override_settings
    from django_tasks_db.models import DBTaskResult

    from icihub.reports import jobs as report_jobs

    settings.DATA_DIR = tmp_path
    database = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": []}}
    with override_settings(TASKS=database):
        run = _run_now("annual-report-files")
    assert run.status == JobRun.Status.SUCCEEDED, run.error
    queued = DBTaskResult.objects.ready().filter(task_path__endswith="build_annual_file")
    year = timezone.localdate().year
    assert sorted(tuple(t.args_kwargs["args"]) for t in queued) == [
        (year - 1, "pdf"),
        (year - 1, "xlsx"),
        (year, "pdf"),
        (year, "xlsx"),
    ]
    built = report_jobs.build_annual_file.call(year - 1, "xlsx")
    path = tmp_path / "reports" / f"annual-{year - 1}.xlsx"
    assert built["file"] == path.name and path.read_bytes()[:2] == b"PK"
    assert built["bytes"] == path.stat().st_size
    assert not list((tmp_path / "reports").glob(".*partial"))


@pytest.mark.django_db
def test_the_nightly_audit_digest_is_kept_and_verifies(settings, tmp_path):
    """The worker appends the day before's digest of the audit chain to the
    digest file; ``icihub audit verify --digest`` accepts it while the history
    is unchanged."""
    import json

    from icihub.core import auditchain
    from icihub.testing import run_cli

    settings.ICIHUB_AUDIT_DIGEST_FILE = tmp_path / "digests" / "audit.jsonl"
    run = _run_now("audit-digest")
    assert run.status == JobRun.Status.SUCCEEDED, run.error
    [line] = settings.ICIHUB_AUDIT_DIGEST_FILE.read_text().splitlines()
    kept = json.loads(line)
    yesterday = timezone.localdate(run.due_at) - dt.timedelta(days=1)
    assert kept == auditchain.daily_digest(yesterday)
    assert kept["head_hash"] in run.summary
    result = run_cli("audit", "verify", "--digest", str(settings.ICIHUB_AUDIT_DIGEST_FILE))
    assert result.code == 0, result.err
