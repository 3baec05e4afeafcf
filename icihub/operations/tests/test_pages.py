"""The probes, the metrics, the staff page and API of the background work, the
JSON logs, the shared cache's atomic count and the start-up checks."""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from icihub.operations import startup
from icihub.operations.logs import JsonFormatter
from icihub.operations.models import JobRun, WorkerHeartbeat
from icihub.testing import ApiClient, assert_constant_queries, client_for

DB_CACHE = {
    "default": {
        "BACKEND": "icihub.operations.cache.DatabaseCache",
        "LOCATION": "icihub_test_cache",
    }
}


def _run(job="tidy", minutes_ago=0, **extra):
    started = timezone.now() - dt.timedelta(minutes=minutes_ago)
    return JobRun.objects.create(
        job=job,
        due_at=started.replace(second=0, microsecond=0),
        status=extra.pop("status", JobRun.Status.SUCCEEDED),
        started_at=started,
        finished_at=started,
        **extra,
    )


def _beat(seconds_ago=0, worker_id="w1"):
    now = timezone.now()
    return WorkerHeartbeat.objects.create(
        worker_id=worker_id, started_at=now, seen_at=now - dt.timedelta(seconds=seconds_ago)
    )


# -- probes -------------------------------------------------------------------------------------


def test_healthz_answers_without_a_database_or_an_account():
    response = Client().get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_wants_a_recent_worker_and_names_only_what_fails(settings):
    settings.ICIHUB_WORKER_STALE_SECONDS = 60
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "failing": ["worker"]}
    _beat(seconds_ago=120)  # a worker that fell silent
    assert Client().get("/readyz").status_code == 503
    _beat(seconds_ago=5, worker_id="w2")
    response = Client().get("/readyz")
    assert response.status_code == 200 and response.json() == {"status": "ready"}


@pytest.mark.django_db
def test_readyz_reports_a_database_that_does_not_answer(monkeypatch):
    from icihub.operations import selectors

    monkeypatch.setattr(selectors, "database_ok", lambda: False)
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["database", "migrations", "worker"]


@pytest.mark.django_db
def test_readyz_reports_unapplied_migrations(monkeypatch):
    from django.db.migrations.executor import MigrationExecutor

    from icihub.operations import selectors

    _beat()
    monkeypatch.setattr(selectors, "_migrated", False)
    monkeypatch.setattr(MigrationExecutor, "migration_plan", lambda self, targets: ["pending"])
    response = Client().get("/readyz")
    assert response.status_code == 503 and response.json()["failing"] == ["migrations"]


# -- metrics ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_metrics_count_requests_by_route_and_read_the_queue(settings):
    settings.ICIHUB_METRICS_IPS = ["127.0.0.1"]
    _run("tidy", status=JobRun.Status.FAILED)
    _beat()
    Client().get("/healthz")
    Client().get("/no/such/page/")
    body = Client().get("/metrics").content.decode()
    assert 'icihub_http_requests_total{method="GET",route="/healthz",status="200"}' in body
    assert 'route="<unmatched>",status="404"' in body
    assert "icihub_http_request_duration_seconds_bucket" in body
    assert "icihub_tasks_queued 0.0" in body
    assert 'icihub_scheduled_runs{job="tidy",status="failed"} 1.0' in body
    assert "icihub_workers_alive 1.0" in body


@pytest.mark.django_db
def test_metrics_are_refused_to_other_addresses_unless_the_token_is_given(settings):
    settings.ICIHUB_METRICS_IPS = ["10.0.0.0/8"]
    settings.ICIHUB_METRICS_TOKEN = "s3cret-scraper-token"
    assert Client(REMOTE_ADDR="192.168.1.9").get("/metrics").status_code == 403
    assert Client(REMOTE_ADDR="10.1.2.3").get("/metrics").status_code == 200
    wrong = Client(REMOTE_ADDR="192.168.1.9", HTTP_AUTHORIZATION="Bearer nope")
    assert wrong.get("/metrics").status_code == 403
    right = Client(REMOTE_ADDR="192.168.1.9", HTTP_AUTHORIZATION="Bearer s3cret-scraper-token")
    response = right.get("/metrics")
    assert response.status_code == 200 and b"icihub_tasks_queued" in response.content


def test_metrics_with_no_address_and_no_token_are_refused_to_everyone(settings):
    settings.ICIHUB_METRICS_IPS = []
    settings.ICIHUB_METRICS_TOKEN = ""
    assert Client().get("/metrics").status_code == 403


# -- the staff page and the API -----------------------------------------------------------------------


@pytest.mark.django_db
def test_staff_see_the_runs_the_schedule_and_the_queue(centre_staff):
    _run("reallocate-seats", summary="3 of 4 due sessions released their quotas")
    _run("anonymisation-due", status=JobRun.Status.RETRY, error="Traceback: boom")
    response = client_for(centre_staff).get("/operations/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "3 of 4 due sessions released their quotas" in page
    assert "Traceback: boom" in page
    assert 'data-job="reallocate-seats"' in page  # the registered schedule
    assert "data-queue>0<" in page
    filtered = client_for(centre_staff).get("/operations/", {"job": "anonymisation-due"})
    assert "released their quotas" not in filtered.content.decode()


@pytest.mark.django_db
def test_others_may_not_see_the_background_work(kwt_coordinator, participant_user):
    _run("reallocate-seats", summary="secret-summary")
    for user in (kwt_coordinator, participant_user):
        assert client_for(user).get("/operations/").status_code == 403
        assert ApiClient(user).get("operations/runs").status_code == 403
        assert ApiClient(user).get("operations/status").status_code == 403
    assert Client().get("/operations/").status_code == 302
    assert ApiClient().get("operations/runs").status_code == 401


@pytest.mark.django_db
def test_the_api_lists_runs_and_the_status(nato_staff):
    _run("reallocate-seats", summary="done", minutes_ago=5)
    _run("reallocate-seats", status=JobRun.Status.FAILED, error="boom", minutes_ago=1)
    _beat()
    api = ApiClient(nato_staff)
    runs = api.get("operations/runs", {"job": "reallocate-seats"}).json()
    assert runs["count"] == 2
    assert [r["status"] for r in runs["items"]] == ["failed", "succeeded"]
    status = api.get("operations/status").json()
    assert status["queue"] == 0 and [w["worker_id"] for w in status["workers"]] == ["w1"]
    names = {s["name"]: s for s in status["schedule"]}
    assert names["reallocate-seats"]["last_status"] == "failed"
    assert names["reallocate-seats"]["next_due"] is not None


@pytest.mark.django_db
def test_the_run_list_has_no_n_plus_one(nato_staff):
    api = ApiClient(nato_staff)
    counter = iter(range(1000))
    assert_constant_queries(
        lambda: api.get("operations/runs"),
        lambda: [_run(f"job-{next(counter)}") for _ in range(3)],
    )


# -- logs -----------------------------------------------------------------------------------------


def test_json_logs_are_one_object_per_line():
    record = logging.LogRecord("icihub.worker", logging.INFO, "x.py", 1, "ran %s", ("tidy",), None)
    record.job = "tidy"
    line = JsonFormatter().format(record)
    entry = json.loads(line)
    assert entry["message"] == "ran tidy" and entry["level"] == "INFO"
    assert entry["logger"] == "icihub.worker" and entry["job"] == "tidy"
    assert "\n" not in line


# -- the shared cache ------------------------------------------------------------------------------


def _make_cache_table():
    with override_settings(CACHES=DB_CACHE):
        call_command("createcachetable", verbosity=0)


def _db_cache():
    """The shared cache's backend on its own (not Django's cache handler)."""
    from icihub.operations.cache import DatabaseCache

    return DatabaseCache(DB_CACHE["default"]["LOCATION"], {})


@pytest.fixture
def db_cache(db):
    _make_cache_table()
    return _db_cache()


# creates its own cache table (DDL): the schema owner's run
@pytest.mark.schema_owner
def test_the_database_cache_counts(db_cache):
    assert db_cache.add("k", 0, timeout=60)
    assert [db_cache.incr("k") for _ in range(3)] == [1, 2, 3]
    assert db_cache.get("k") == 3
    with pytest.raises(ValueError):
        db_cache.incr("missing")


# creates its own cache table (DDL): the schema owner's run
@pytest.mark.schema_owner
def test_the_database_cache_counts_hits_in_one_statement(db_cache):
    with CaptureQueriesContext(connection) as first:
        assert db_cache.hit("h", 60) == 1
    with CaptureQueriesContext(connection) as later:
        assert [db_cache.hit("h", 60) for _ in range(3)] == [2, 3, 4]
    assert db_cache.counter("h") == 4
    assert db_cache.counter("other") == 0
    # one upsert a hit; the first of a row also deletes the expired rows
    assert len(first.captured_queries) == 2
    assert len(later.captured_queries) == 3


# creates its own cache table (DDL): the schema owner's run
@pytest.mark.schema_owner
def test_an_expired_counter_starts_again(db_cache):
    assert db_cache.hit("e", 60) == 1
    assert db_cache.hit("e", 60) == 2
    past = timezone.now() - dt.timedelta(minutes=5)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE icihub_test_cache SET expires = %s",
            [connection.ops.adapt_datetimefield_value(past)],
        )
    assert db_cache.counter("e") == 0
    assert db_cache.hit("e", 60) == 1
    assert db_cache.hit("e", 60) == 2


# creates its own cache table (DDL): the schema owner's run
@pytest.mark.schema_owner
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_database_cache_loses_no_count_between_concurrent_servers():
    """Eight threads (each its own database connection, as separate servers)
    counting the same key 25 times: 200, not fewer."""
    _make_cache_table()
    cache = _db_cache()
    cache.add("shared", 0, timeout=300)
    errors = []

    def count():
        try:
            for _ in range(25):
                cache.incr("shared")
        except Exception as exc:  # pragma: no cover - shown in the assertion
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=count) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert cache.get("shared") == 200
    cache.clear()


# creates its own cache table (DDL): the schema owner's run
@pytest.mark.schema_owner
def test_the_api_rate_limit_counts_in_the_shared_cache(db, settings):
    _make_cache_table()
    settings.ICIHUB_API_RATE_ANON = 3
    with override_settings(CACHES=DB_CACHE):
        client = Client()
        codes = [client.get("/api/v1/countries").status_code for _ in range(4)]
        keys = [k for k in _cache_keys() if "icihub-rate" in k]
    assert codes == [200, 200, 200, 429]
    assert keys, "the count is a row of the database cache"


def _cache_keys():
    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key FROM icihub_test_cache")
        return [row[0] for row in cursor.fetchall()]


# -- start-up checks -------------------------------------------------------------------------------


def test_production_without_a_secret_key_refuses_to_start(settings):
    settings.HTTPS = True
    settings.SECRET_KEY_FROM_ENVIRONMENT = False
    with pytest.raises(startup.StartupError, match="SECRET_KEY is not set"):
        startup.verify()
    settings.SECRET_KEY_FROM_ENVIRONMENT = True
    startup.verify()
    settings.HTTPS = False
    settings.SECRET_KEY_FROM_ENVIRONMENT = False
    startup.verify()  # the embedded default (make run) keeps its generated key


def test_check_deploy_flags_a_secret_key_not_shared(settings):
    from icihub.operations.checks import secret_key_shared

    settings.SECRET_KEY_FROM_ENVIRONMENT = False
    assert [e.id for e in secret_key_shared()] == ["icihub.E101"]
    settings.SECRET_KEY_FROM_ENVIRONMENT = True
    assert secret_key_shared() == []


def test_an_unreachable_redis_is_a_clear_error_at_start():
    redis = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://:hunter2@127.0.0.1:1/0",
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1},
        }
    }
    with override_settings(CACHES=redis), pytest.raises(startup.StartupError) as caught:
        startup.verify()
    message = str(caught.value)
    assert "does not answer" in message and "127.0.0.1:1" in message
    assert "hunter2" not in message  # the password is not printed


@pytest.mark.parametrize(
    "env, message",
    [
        ({"ICIHUB_CACHE_URL": "memcached://x"}, "ICIHUB_CACHE_URL must be"),
        ({"ICIHUB_TASKS_BACKEND": "celery"}, "ICIHUB_TASKS_BACKEND must be"),
        ({"ICIHUB_LOG_FORMAT": "xml"}, "ICIHUB_LOG_FORMAT must be"),
        ({"ICIHUB_METRICS_IPS": "10.0.0.0/8,prometheus"}, "is not an address or network"),
    ],
)
def test_bad_settings_are_refused_when_the_settings_load(db, tmp_path, env, message):
    import os
    import subprocess
    import sys

    environment = {**os.environ, "ICIHUB_DATA_DIR": str(tmp_path), **env}
    result = subprocess.run(
        [sys.executable, "-m", "icihub.cli", "check"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0 and message in result.stderr


def test_check_deploy_names_the_missing_secret_key(db, tmp_path):
    import os
    import subprocess
    import sys

    skip = {"DATABASE_URL", "SECRET_KEY", "ICIHUB_CACHE_URL"}
    env = {k: v for k, v in os.environ.items() if k not in skip}
    env.update(ICIHUB_DATA_DIR=str(tmp_path), ICIHUB_HTTPS="1", ALLOWED_HOSTS="icihub.example")
    result = subprocess.run(
        [sys.executable, "-m", "icihub.cli", "check", "--deploy"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "icihub.E101" in result.stdout + result.stderr
