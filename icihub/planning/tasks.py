"""Background work of the planner (django-tasks): one solver run per task."""

from __future__ import annotations

from django_tasks import task


@task()
def solve_plan(run_id: int) -> str:
    from .models import PlanRun
    from .services import run_solver

    run = PlanRun.objects.select_related("plan", "requested_by").get(pk=run_id)
    return run_solver(run).status
