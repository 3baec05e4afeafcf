import io

import pytest
from django.core.management import CommandError, call_command

from icihub.planning.models import Plan

pytestmark = pytest.mark.django_db


def test_plan_2027_prints_progress_and_the_plan(year_world, centre_staff):
    out = io.StringIO()
    call_command("plan", "--year", "2027", "--user", "centre", "--time-limit", "5", stdout=out)
    text = out.getvalue()
    assert "solutions, best" in text and "gap" in text
    plan = Plan.objects.get(year=2027)
    assert plan.state == Plan.State.SOLVED
    key = plan.sessions.first().key
    assert key in text
    out = io.StringIO()
    call_command("plan", "--year", "2027", "--user", "centre", "--publish", stdout=out)
    plan.refresh_from_db()
    assert plan.state == Plan.State.PUBLISHED


def test_bad_input_exits_with_a_message(year_world, centre_staff):
    call_command(
        "plan", "--year", "2027", "--user", "centre", "--time-limit", "5", stdout=io.StringIO()
    )
    plan = Plan.objects.get(year=2027)
    key = plan.sessions.first().key
    with pytest.raises(CommandError, match="date"):
        call_command("plan", "--year", "2027", "--user", "centre", "--move", f"{key}=tomorrow")
    with pytest.raises(CommandError, match="No session"):
        call_command("plan", "--year", "2027", "--user", "centre", "--lock", "NOPE")
    with pytest.raises(CommandError, match="--user"):
        call_command("plan", "--year", "2027")
