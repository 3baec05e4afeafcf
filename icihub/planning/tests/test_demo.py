import pytest

from icihub.core.demo import load_all
from icihub.planning.models import Plan

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_2027_plan_ready_to_open(client):
    load_all(progress=lambda line: None)
    plan = Plan.objects.get(year=2027)
    assert plan.courses.exists()
    assert plan.state in (Plan.State.SOLVED, Plan.State.DRAFT)
    if plan.state == Plan.State.SOLVED:
        assert plan.sessions.exists() and plan.terms
    else:
        assert plan.explanation
    load_all(progress=lambda line: None)  # a second load changes nothing
    assert Plan.objects.filter(year=2027).count() == 1
