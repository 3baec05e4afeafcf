"""Fixtures of the notifications' tests: the training app's course, session
and people, and the programmes' builder (tests may use any app; the
notifications app itself imports none above core)."""

from __future__ import annotations

import pytest

from icihub.programmes.tests.conftest import activity, build_programme  # noqa: F401
from icihub.training.tests.conftest import course, kuwaitis, qataris, session  # noqa: F401


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Run the after-commit callbacks (notifications, e-mails) of a block."""

    def runner():
        return django_capture_on_commit_callbacks(execute=True)

    return runner
