"""Fixtures of the reports tests: a year of the Centre built through the services."""

from __future__ import annotations

import pytest

from .builders import build_year


@pytest.fixture
def year(db, centre_staff, nato_staff, kwt_coordinator, qat_coordinator):
    return build_year(centre_staff, nato_staff, kwt_coordinator, qat_coordinator)
