"""Several servers, one system: two gunicorn instances and two workers on one
PostgreSQL database (the test database), each with its own data directory, as
README.md's "Deployment" describes them. Shown across both instances: the API's
rate limit, a session, a sign-in lockout; and that the two workers run the
daily seat reallocation once and deliver a notification's e-mail once.

PostgreSQL only (``.ci/run``'s second half; DATABASE_URL=postgres://...)."""

from __future__ import annotations

import email
import os
import socket
import subprocess
import sys
import time
from email import policy
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from icihub.programmes.tests.conftest import activity, build_programme  # noqa: F401
from icihub.testing import PASSWORD, make_user

# The servers create their databases' cache tables and migrate: the schema
# owner's run.
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.schema_owner,
    pytest.mark.django_db(transaction=True),
]

ROOT = Path(__file__).resolve().parents[3]
RATE = 10
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": []}}
DB_CACHE = {
    "default": {"BACKEND": "icihub.operations.cache.DatabaseCache", "LOCATION": "icihub_cache"}
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _database_url() -> str:
    db = settings.DATABASES["default"]
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append({"to": envelope.rcpt_tos, "subject": str(message["Subject"])})
        return "250 Message accepted"


class Cluster:
    """The processes of the deployment, stopped whatever happens."""

    def __init__(self, tmp_path: Path, smtp_port: int):
        self.tmp = tmp_path
        self.processes: list[tuple[str, subprocess.Popen, Path]] = []
        self.base_env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("ICIHUB_", "DJANGO_", "PYTEST_")) and k != "SECRET_KEY"
        }
        self.base_env.update(
            {
                "PYTHONPATH": str(ROOT),
                "DATABASE_URL": _database_url(),
                "SECRET_KEY": "a-secret-shared-by-every-server-of-the-deployment-test-0123456789",
                "ICIHUB_CACHE_URL": "",  # the database cache
                "ICIHUB_TASKS_BACKEND": "database",
                "ICIHUB_API_RATE_ANON": str(RATE),
                "ICIHUB_API_RATE_WINDOW": "300",
                "ICIHUB_LOCKOUT_FAILURES": "3",
                "ICIHUB_PASSWORD_RESET_SECONDS": "0",
                "ICIHUB_EMAIL_HOST": "127.0.0.1",
                "ICIHUB_EMAIL_PORT": str(smtp_port),
                "ICIHUB_WORKER_STALE_SECONDS": "30",
                # Pages name their static files; the hashed names need a
                # collectstatic that this test of the shared system does not run
                # (test_static_files.py covers the manifest).
                "ICIHUB_STATICFILES_STORAGE": "django.contrib.staticfiles.storage.StaticFilesStorage",
            }
        )

    def _env(self, name: str) -> dict:
        data = self.tmp / name
        data.mkdir()
        return {**self.base_env, "ICIHUB_DATA_DIR": str(data)}

    def _start(self, name: str, argv: list[str]) -> subprocess.Popen:
        log = self.tmp / f"{name}.log"
        with log.open("w") as out:
            process = subprocess.Popen(
                argv, cwd=ROOT, env=self._env(name), stdout=out, stderr=subprocess.STDOUT
            )
        self.processes.append((name, process, log))
        return process

    def web(self, name: str) -> str:
        port = _free_port()
        self._start(
            name,
            [
                sys.executable,
                "-m",
                "gunicorn",
                "icihub.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "--no-control-socket",
            ],
        )
        return f"http://127.0.0.1:{port}"

    def worker(self, name: str) -> None:
        self._start(
            name,
            [
                sys.executable,
                "-m",
                "icihub.cli",
                "worker",
                "--worker-id",
                name,
                "--interval",
                "0.2",
                "--schedule-interval",
                "0.5",
            ],
        )

    def logs(self) -> str:
        return "\n".join(f"== {n}\n{log.read_text()[-3000:]}" for n, _p, log in self.processes)

    def check_alive(self) -> None:
        for name, process, _log in self.processes:
            assert process.poll() is None, f"{name} ended:\n{self.logs()}"

    def stop(self) -> None:
        for _name, process, _log in self.processes:
            if process.poll() is None:
                process.terminate()
        for _name, process, _log in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def _wait_for(condition, what: str, cluster: Cluster, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        cluster.check_alive()
        try:
            if condition():
                return
        except Exception:  # not up yet
            pass
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}\n{cluster.logs()}")


def _sign_in(requests_session, base: str, username: str, password: str):
    requests_session.get(f"{base}/accounts/login/")
    csrf = next(c.value for c in requests_session.cookies if "csrf" in c.name)
    return requests_session.post(
        f"{base}/accounts/login/",
        data={"username": username, "password": password, "csrfmiddlewaretoken": csrf},
        headers={"Referer": f"{base}/accounts/login/"},
        allow_redirects=False,
    )


@pytest.fixture
def smtp():
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    inbox.port = port
    yield inbox
    controller.stop()


def test_two_servers_and_two_workers_behave_as_one_system(tmp_path, smtp, build_programme):  # noqa: F811
    import requests

    from icihub.core.security import is_locked
    from icihub.notifications import services as notifications
    from icihub.notifications.models import Notification
    from icihub.operations.models import JobRun, WorkerHeartbeat

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL=postgres://...)")
    with override_settings(CACHES=DB_CACHE):
        call_command("createcachetable", verbosity=0)
    participant = make_user("participant", username="deploy-participant")
    make_user("participant", username="deploy-locked")
    coordinator = make_user("coordinator", "KWT", username="deploy-coord", email="c@kwt.test")
    programme = build_programme(coordinator)
    # The tests hash passwords with a fast hasher the servers do not accept.
    from django.contrib.auth.hashers import make_password

    from icihub.core.models import User

    User.objects.filter(username__startswith="deploy-").update(
        password=make_password(PASSWORD, hasher="pbkdf2_sha256")
    )

    cluster = Cluster(tmp_path, smtp.port)
    try:
        a, b = cluster.web("web-a"), cluster.web("web-b")
        for base in (a, b):
            _wait_for(lambda base=base: requests.get(f"{base}/healthz").ok, base, cluster)
        cluster.worker("worker-1")
        cluster.worker("worker-2")
        _wait_for(lambda: WorkerHeartbeat.objects.count() == 2, "two workers", cluster)
        assert requests.get(f"{a}/readyz").json() == {"status": "ready"}

        # -- the API's rate limit is counted across both servers
        codes = []
        for _ in range(7):
            codes += [requests.get(f"{server}/api/v1/countries").status_code for server in (a, b)]
        assert codes.count(200) == RATE and codes.count(429) == 14 - RATE, codes

        # -- a session made by A works on B (one SECRET_KEY, sessions in the database)
        browser = requests.Session()
        signed_in = _sign_in(browser, a, participant.username, PASSWORD)
        assert signed_in.status_code == 302, signed_in.text[-2000:]
        for server in (a, b):
            page = browser.get(f"{server}/accounts/security/", allow_redirects=False)
            assert page.status_code == 200, (server, page.status_code)

        # -- a lockout counted across both: 3 failures, spread over A and B, lock the account
        for server in (a, b, a):
            failed = _sign_in(requests.Session(), server, "deploy-locked", "wrong password!")
            assert failed.status_code == 200  # the form again
        with override_settings(ICIHUB_LOCKOUT_FAILURES=3):  # the servers' setting
            assert is_locked("deploy-locked")
        refused = _sign_in(requests.Session(), b, "deploy-locked", PASSWORD)
        assert refused.status_code == 200  # even the right password: locked

        # -- the daily reallocation: run once by one of the two workers
        _wait_for(
            lambda: JobRun.objects.filter(
                job="reallocate-seats", finished_at__isnull=False
            ).exists(),
            "the reallocation",
            cluster,
        )
        time.sleep(2)  # both workers have looked at the schedule several times since
        runs = list(JobRun.objects.filter(job="reallocate-seats"))
        assert len(runs) == 1 and runs[0].status == JobRun.Status.SUCCEEDED, runs
        assert runs[0].worker in {"worker-1", "worker-2"}
        assert len(runs[0].attempts) == 1
        # each job ran once per due time: the workers' counts add up to the runs recorded
        beats = WorkerHeartbeat.objects.all()
        _wait_for(
            lambda: (
                sum(w.jobs_run for w in WorkerHeartbeat.objects.all()) == JobRun.objects.count()
            ),
            "the heartbeats",
            cluster,
            timeout=30,
        )
        assert beats.count() == 2

        # -- a notification's e-mail is sent once, by one of the two workers
        with override_settings(TASKS=DATABASE_TASKS):
            [notice] = notifications.deliver(
                "programme_agreed", "programmes.Programme", programme.pk
            )
        _wait_for(
            lambda: Notification.objects.get(pk=notice.pk).emailed_at is not None,
            "the notification's e-mail",
            cluster,
        )
        time.sleep(1.5)
        to_coordinator = [m for m in smtp.messages if coordinator.email in m["to"]]
        assert len(to_coordinator) == 1, smtp.messages
        cluster.check_alive()
    finally:
        cluster.stop()
