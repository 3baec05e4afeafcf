"""Fixtures shared by every app's tests.

The test database is created once per worker with the reference data loaded
(sources, countries, frameworks, partnerships, organisations, people, areas);
each test runs in a transaction rolled back at its end."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("ICIHUB_DATA_DIR", os.path.join(os.path.dirname(__file__), "var", "test"))


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from icihub.core.reference import load_all

    with django_db_blocker.unblock():
        load_all(progress=lambda line: None)


@pytest.fixture(autouse=True)
def _fresh_navigation_cache():
    from icihub.core import navigation

    navigation._url_cache.clear()
    yield


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
