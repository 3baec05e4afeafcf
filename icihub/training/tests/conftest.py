"""Fixtures of the training tests: a course open to the ICI, an open session
with quotas for Kuwait and Qatar, and people of both countries."""

from __future__ import annotations

import datetime as dt

import pytest

from . import factories


@pytest.fixture
def course(db, centre_staff):
    return factories.make_course(centre_staff)


@pytest.fixture
def session(course, centre_staff):
    """Open, starting in ten weeks: capacity 4, quotas KWT 2 and QAT 1."""
    return factories.make_session(course, centre_staff, capacity=4, quotas={"KWT": 2, "QAT": 1})


@pytest.fixture
def kuwaitis(db, centre_staff):
    return [factories.make_participant(centre_staff, "KWT", i) for i in range(1, 5)]


@pytest.fixture
def qataris(db, centre_staff):
    return [factories.make_participant(centre_staff, "QAT", i) for i in range(1, 4)]


@pytest.fixture
def today():
    return dt.date.today()
