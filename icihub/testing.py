"""Helpers for icihub's tests (imported by conftest.py and test modules)."""

from __future__ import annotations

import json
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from icihub.core import services
from icihub.core.access import SYSTEM, Role
from icihub.partners.models import Country

PASSWORD = "Correct-Horse-Battery-9"


def make_user(role: str, country: str | None = None, username: str | None = None, **extra):
    """Create an account through the service (as the system)."""
    if role == Role.COORDINATOR and country is None:
        country = "KWT"
    username = username or f"{role}-{country or 'x'}".lower()
    return services.create_user(
        SYSTEM,
        username=username,
        role=role,
        country=Country.objects.get(iso3=country) if country else None,
        password=PASSWORD,
        email=extra.pop("email", f"{username}@example.test"),
        **extra,
    )


def client_for(user, *, verified: bool = True) -> Client:
    """A test client signed in as ``user``. The session counts as having passed
    the second factor (``verified``), as after a real sign-in of a staff member
    with their authenticator; ``verified=False`` gives a session that has not."""
    client = Client()
    if user is not None:
        client.force_login(user)
        if verified:
            from icihub.core.security import SESSION_VERIFIED

            session = client.session
            session[SESSION_VERIFIED] = True
            session.save()
    return client


# -- two-factor authentication -------------------------------------------------------------


def give_authenticator(user, secret: str | None = None):
    """A confirmed TOTP authenticator for ``user`` (returns the device)."""
    from icihub.core import security

    return security.install_device(user, secret)


def totp_code(user) -> str:
    """A code of ``user``'s authenticator that the server will accept now: the
    current time step's, or the next one when the current was used already
    (a code works once). Computed with pyotp from the device's secret."""
    import time

    import pyotp

    from icihub.core.models import TOTPDevice

    device = TOTPDevice.objects.get(user=user)
    totp = pyotp.TOTP(device.secret)
    now = int(time.time() // 30)
    counter = max(now, device.last_counter + 1)
    if counter > now + 1:  # both steps of the window used: wait for the next one
        time.sleep((counter - 1) * 30 - time.time() + 0.1)
    return totp.generate_otp(counter)


class ApiClient:
    """Calls the REST API as ``user`` (anonymous when None) with a bearer token."""

    def __init__(self, user=None):
        self.client = Client()
        self.headers = {}
        self.user = user
        if user is not None:
            _row, raw = services.create_token(SYSTEM, user, name="test")
            self.headers["Authorization"] = f"Bearer {raw}"

    def _url(self, path: str) -> str:
        return path if path.startswith("/") else f"/api/v1/{path}"

    def get(self, path, params=None):
        return self.client.get(self._url(path), params or {}, headers=self.headers)

    def _send(self, method, path, data):
        return getattr(self.client, method)(
            self._url(path),
            data=json.dumps(data) if data is not None else None,
            content_type="application/json",
            headers=self.headers,
        )

    def post(self, path, data=None):
        return self._send("post", path, data)

    def put(self, path, data=None):
        return self._send("put", path, data)

    def patch(self, path, data=None):
        return self._send("patch", path, data)

    def delete(self, path):
        return self.client.delete(self._url(path), headers=self.headers)


@contextmanager
def count_queries():
    with CaptureQueriesContext(connection) as ctx:
        yield ctx


DATABASE_CACHE = {
    "default": {"BACKEND": "icihub.operations.cache.DatabaseCache", "LOCATION": "icihub_cache"}
}


@contextmanager
def database_cache():
    """Django's cache as deployed by default, a table of the database, in place of
    the tests' memory cache (``testenv``): a page that asks the cache once a row
    then shows it in its query count."""
    from django.core.management import call_command
    from django.test import override_settings

    with override_settings(CACHES=DATABASE_CACHE):
        call_command("createcachetable", verbosity=0)
        yield


def assert_constant_queries(fetch, grow, *, rounds: int = 1) -> int:
    """``fetch()`` must run the same number of SQL queries before and after
    ``grow()`` adds rows: the proof that a list has no N+1. Returns the count."""
    fetch()  # warm caches (content types, sessions)
    with count_queries() as before:
        fetch()
    for _ in range(rounds):
        grow()
    # Warm again: a slow grow() (a loaded machine) moves the idle session's
    # expiry, and its one refresh write (core/sessions.py) is time, not rows.
    fetch()
    with count_queries() as after:
        fetch()
    assert len(before) == len(after), (
        f"queries grew from {len(before)} to {len(after)}:\n"
        + "\n".join(q["sql"][:200] for q in after.captured_queries)
    )
    return len(after)


# -- browser tests ------------------------------------------------------------------------


def live_url(live_server, path: str = "/") -> str:
    """The absolute address of ``path`` on pytest-django's live server."""
    return live_server.url + (path if path.startswith("/") else "/" + path)


def login(page, live_server, user, password: str = PASSWORD, next_path: str = "/"):
    """Sign ``user`` in through the sign-in form in a Playwright ``page`` and wait
    until the browser has left the sign-in page. Returns the page. A staff
    account (two-factor authentication required) is given an authenticator
    first when it has none, and the code step is passed with its current code."""
    from urllib.parse import quote

    from icihub.core import security
    from icihub.core.models import User

    username = getattr(user, "username", user)
    account = User.objects.get(username=username)
    if security.requires_2fa(account) and not security.has_2fa(account):
        give_authenticator(account)  # staff must have one: as after their enrolment
    page.goto(live_url(live_server, f"/accounts/login/?next={quote(next_path)}"))
    form = page.locator("main form")
    form.locator("input[name=username]").fill(username)
    form.locator("input[name=password]").fill(password)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    if "/accounts/login/code/" in page.url:
        form = page.locator("main form")
        form.locator("input[name=code]").fill(totp_code(account))
        with page.expect_navigation():
            form.locator("button[type=submit]").click()
    if "/accounts/login/" in page.url:
        raise AssertionError(f"sign-in as {username} failed: still on {page.url}")
    return page


# -- the command line -----------------------------------------------------------------------


@dataclass
class CliResult:
    code: int
    out: str
    err: str


def run_cli(*args: str, stdin: str = "") -> CliResult:
    """Run ``icihub ARGS...`` in this process, as the console script does (dashes
    in the command name, audit channel "cli", CommandError -> exit status 1),
    against the test database. Returns the exit status and what was printed.

    The audit context the script sets stays inside this call, and the script's
    closing of database connections is suppressed (it would end the test's
    transaction)."""
    import contextvars
    import io
    import sys
    from contextlib import redirect_stderr, redirect_stdout
    from unittest import mock

    from django.db import connections

    from icihub import cli

    out, err = io.StringIO(), io.StringIO()

    def call() -> int:
        with (
            redirect_stdout(out),
            redirect_stderr(err),
            mock.patch.object(sys, "stdin", io.StringIO(stdin)),
            mock.patch.object(connections, "close_all", lambda: None),
            mock.patch("django.setup"),  # done already; again would reset logging
        ):
            try:
                cli.main(["icihub", *args])
            except SystemExit as exc:
                return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        return 0

    code = contextvars.copy_context().run(call)
    return CliResult(code, out.getvalue(), err.getvalue())


def on_postgres() -> bool:
    """Whether the tests run on PostgreSQL (DATABASE_URL names a server)."""
    return connection.vendor == "postgresql"


def skip_unless_postgres() -> None:
    if not on_postgres():
        import pytest

        pytest.skip("needs PostgreSQL (set DATABASE_URL=postgres://...)")


def race(workers) -> list:
    """Run each callable in a thread of its own, all released at the same
    instant, each with its own database connection (closed at its end). The
    results in order; an exception raised by a worker stands as its result,
    for the test to check."""
    import threading

    from django.db import connections

    barrier = threading.Barrier(len(workers))
    results = [None] * len(workers)

    def run(index, work):
        try:
            barrier.wait(timeout=30)
            results[index] = work()
        except Exception as exc:  # the outcome is checked by the test
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, w)) for i, w in enumerate(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def assert_not_found_on_both_paths(api: ApiClient, path: str) -> None:
    """The read ``path`` answers 404 on its fast path and on the schema path
    (``apikit.schema_path()``): a row the caller may not see is not found
    either way."""
    from icihub.core import apikit

    assert api.get(path).status_code == 404, path
    with apikit.schema_path():
        assert api.get(path).status_code == 404, path


def assert_both_paths_agree(api: ApiClient, path: str, params: dict | None = None) -> dict:
    """The read ``path`` answers the same bytes on its fast path (values() rows
    of ``apikit.ValuesOut``, or prebuilt dicts, served without ninja's
    re-validation) as on the schema path (``apikit.schema_path()``: what the
    response schema validates): the same keys in the same order and the same
    values. Fails unless the fast path was taken. Returns the parsed answer."""
    from unittest import mock

    from icihub.core import apikit

    with mock.patch.object(apikit, "render_json", side_effect=apikit.render_json) as render:
        fast = api.get(path, params)
    with apikit.schema_path():
        slow = api.get(path, params)
    assert fast.status_code == slow.status_code == 200, (path, fast.status_code, slow.content)
    (data,), _kwargs = render.call_args
    items = data.get("items") if type(data) is dict else None
    assert isinstance(data, apikit.PrebuiltOne) or (
        items and isinstance(items[0], apikit.PrebuiltOne)
    ), f"{path}: the fast path was not taken"
    assert fast.content == slow.content, (path, fast.content, slow.content)
    return json.loads(fast.content)
