"""Fixtures shared by every app's tests.

The test database is created once per worker with the reference data loaded
(sources, countries, frameworks, partnerships, organisations, people, areas);
each test runs in a transaction rolled back at its end."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("ICIHUB_DATA_DIR", os.path.join(os.path.dirname(__file__), "var", "test"))


# The suite as the application role of the two-role PostgreSQL deployment
# (SECURITY.md; `.ci/run`): DATABASE_URL names a superuser, who creates and
# migrates the test database and hands it to ICIHUB_TEST_OWNER_ROLE with
# core.dbroles (as `icihub setup --create-roles` does); every connection of
# the tests then logs in as ICIHUB_TEST_APP_ROLE, which has data rights only.
# The flush between transactional tests (which empties the audit trail) and
# the final drop of the test database are the owner's work, done as the
# superuser. Tests marked schema_owner (DDL, restore) are skipped.
APP_ROLE = os.environ.get("ICIHUB_TEST_APP_ROLE", "")
OWNER_ROLE = os.environ.get("ICIHUB_TEST_OWNER_ROLE", "icihub_owner")
_owner_user: list[str] = []


def _login_as(user: str) -> None:
    from django.db import connections

    connections["default"].close()
    connections["default"].settings_dict["USER"] = user


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from icihub.core.reference import load_all

    with django_db_blocker.unblock():
        load_all(progress=lambda line: None)
        if APP_ROLE:
            from django.db import connection

            from icihub.core import dbroles

            assert connection.vendor == "postgresql", "ICIHUB_TEST_APP_ROLE needs PostgreSQL"
            dbroles.create_roles(connection, owner=OWNER_ROLE, app=APP_ROLE)
            _owner_user.append(connection.settings_dict["USER"])
            _login_as(APP_ROLE)
    yield
    if _owner_user:
        with django_db_blocker.unblock():
            _login_as(_owner_user.pop())


@pytest.fixture(autouse=True, scope="session")
def _flush_lifts_the_audit_guard():
    """The database refuses to delete audit entries (core.auditguard); the flush
    that empties the database after each transactional test may."""
    from django.core.management.commands import flush

    from icihub.core import auditguard

    original = flush.Command.handle

    def handle(self, *args, **options):
        app_user = None
        if _owner_user:  # the application role may not empty the trail: the owner does
            app_user = APP_ROLE
            _login_as(_owner_user[0])
        try:
            with auditguard.lifted(options.get("database") or "default"):
                return original(self, *args, **options)
        finally:
            if app_user:
                _login_as(app_user)

    flush.Command.handle = handle
    yield
    flush.Command.handle = original


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing():
    """Argon2 takes about half a second per password by design; tests hash
    many. They use a fast hasher (Argon2 stays configured for everything else)."""
    from django.conf import settings
    from django.test import override_settings

    hashers = ["django.contrib.auth.hashers.MD5PasswordHasher", *settings.PASSWORD_HASHERS]
    with override_settings(PASSWORD_HASHERS=hashers):
        yield


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Django's cache (the API's rate-limit counters) starts empty in each test."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _fresh_navigation_cache():
    from icihub.core import navigation

    navigation._url_cache.clear()
    yield


@pytest.fixture(autouse=True)
def _english_after_each_test():
    """A request in Arabic leaves Arabic active in the thread (Django's locale
    middleware activates it); the next test starts in the default language."""
    from django.utils import translation

    yield
    translation.deactivate()


@pytest.fixture
def kuwait(db):
    from icihub.partners.models import Country

    return Country.objects.get(iso3="KWT")


@pytest.fixture
def qatar(db):
    from icihub.partners.models import Country

    return Country.objects.get(iso3="QAT")


def _user(role, country=None, username=None):
    from icihub.testing import make_user

    return make_user(role, country=country, username=username)


@pytest.fixture
def administrator(db):
    return _user("admin", username="admin")


@pytest.fixture
def nato_staff(db):
    return _user("nato_staff", username="nato")


@pytest.fixture
def centre_staff(db):
    return _user("centre_staff", username="centre")


@pytest.fixture
def kwt_coordinator(db):
    return _user("coordinator", "KWT", username="coord-kwt")


@pytest.fixture
def qat_coordinator(db):
    return _user("coordinator", "QAT", username="coord-qat")


@pytest.fixture
def instructor_user(db):
    return _user("instructor", username="instructor")


@pytest.fixture
def participant_user(db):
    return _user("participant", username="participant")


@pytest.fixture
def every_role(
    administrator,
    nato_staff,
    centre_staff,
    kwt_coordinator,
    qat_coordinator,
    instructor_user,
    participant_user,
):
    """One account per role (two coordinators: Kuwait and Qatar)."""
    return {
        "admin": administrator,
        "nato_staff": nato_staff,
        "centre_staff": centre_staff,
        "coordinator_kwt": kwt_coordinator,
        "coordinator_qat": qat_coordinator,
        "instructor": instructor_user,
        "participant": participant_user,
    }


# -- transactional tests and the browser -----------------------------------------------
#
# Tests on a transactional database (``transactional_db``, ``live_server``,
# ``django_db(transaction=True)``) see a database that is flushed after each of
# them; pytest-django runs them after the others. They get the reference data
# loaded again when a previous flush removed it.


def _transactional(request) -> bool:
    names = request.fixturenames
    if "transactional_db" in names or "live_server" in names:
        return True
    marker = request.node.get_closest_marker("django_db")
    if marker is None:
        return False
    return bool(marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences"))


def _ensure_reference_data() -> None:
    from icihub.core.models import Source

    if not Source.objects.exists():
        from icihub.core.reference import load_all

        load_all(progress=lambda line: None)


@pytest.fixture(autouse=True)
def _reference_data_on_transactional_db(request):
    if _transactional(request):
        request.getfixturevalue("transactional_db")
        _ensure_reference_data()
    yield


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def live_url(live_server):
    """``live_url("/partners/")`` -> the absolute address on the live server."""

    def url(path: str = "/") -> str:
        return live_server.url + (path if path.startswith("/") else "/" + path)

    return url


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"_report_{report.when}", report)  # read by browser_page
    return report


SCREENSHOTS = os.path.join(os.path.dirname(__file__), "test-results")


@pytest.fixture
def browser_page(live_server, transactional_db, tmp_path, request):
    """A Playwright page (sync API) in Debian's Chromium, headless, with a fresh
    profile, against the live server. The reference data is loaded. Sign in with
    ``icihub.testing.login(page, live_server, user)``. Mark such tests
    ``@pytest.mark.browser``. When the test fails, a screenshot of the page is
    left in ``test-results/``."""
    if not os.path.exists(CHROMIUM):
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests need Debian's chromium package "
            "(`make test` installs it; or run `apt-get install chromium`).",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    _ensure_reference_data()
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    # Playwright's sync API runs an event loop in this thread; Django's ORM
    # refuses to run under one unless told it is safe (it is: one thread).
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            context = playwright.chromium.launch_persistent_context(
                str(tmp_path / "chromium-profile"),
                executable_path=CHROMIUM,
                headless=True,
                args=CHROMIUM_ARGS,
                locale="en-GB",
                timezone_id="Asia/Kuwait",
            )
            context.set_default_timeout(15_000)
            try:
                page = context.pages[0] if context.pages else context.new_page()
                yield page
                report = getattr(request.node, "_report_call", None)
                if report is not None and report.failed:
                    os.makedirs(SCREENSHOTS, exist_ok=True)
                    name = "".join(c if c.isalnum() else "_" for c in request.node.nodeid)
                    path = os.path.join(SCREENSHOTS, f"{name[-150:]}.png")
                    page.screenshot(path=path, full_page=True)
                    print(f"\nscreenshot of the failed page: {path} ({page.url})")
            finally:
                context.close()
                # While Playwright's event loop runs, Django keeps this thread's
                # database connections apart (asgiref's Local turns into a
                # context variable): close the ones opened meanwhile, or
                # PostgreSQL cannot drop the test database at the end.
                from django.db import connections

                connections.close_all()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def pytest_collection_modifyitems(config, items):
    """Tests marked ``postgres`` run only when DATABASE_URL points at PostgreSQL
    (``.ci/run`` runs the whole suite again on a throw-away PostgreSQL 15)."""
    from django.conf import settings

    if APP_ROLE:
        owner_only = pytest.mark.skip(reason="needs the schema owner (the suite runs as the app)")
        for item in items:
            if item.get_closest_marker("schema_owner"):
                item.add_marker(owner_only)
    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (DATABASE_URL=postgres://...)")
    for item in items:
        if item.get_closest_marker("postgres"):
            item.add_marker(skip)
