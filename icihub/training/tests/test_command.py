"""icihub reallocate-seats."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from icihub.training import services
from icihub.training.models import Nomination


def test_reallocate_seats_command(session, kuwaitis, kwt_coordinator):
    services.nominate_many(kwt_coordinator, session, kuwaitis[:3])
    day = session.reallocation_date.isoformat()
    out = io.StringIO()
    call_command("reallocate_seats", "--date", day, "--dry-run", stdout=out)
    assert "would be promoted" in out.getvalue() and "Dry run" in out.getvalue()
    assert Nomination.objects.filter(status="waitlisted").count() == 1
    out = io.StringIO()
    call_command("reallocate_seats", "--date", day, stdout=out)
    text = out.getvalue()
    assert "1 sessions due" in text and "1 waiting nominees were promoted" in text
    assert kuwaitis[2].full_name in text
    assert not Nomination.objects.filter(status="waitlisted").exists()


def test_reallocate_seats_refuses_a_bad_date():
    with pytest.raises(CommandError):
        call_command("reallocate_seats", "--date", "next tuesday", stdout=io.StringIO())
