"""Demonstration data of the year planner: the Centre's two rooms, a few
instructors' unavailable weeks, and the plan of 2027, proposed from the
demo's past years and partners' programmes and solved, ready to open."""

from __future__ import annotations

import datetime as dt

from icihub.core.demo import demo_user
from icihub.core.reference import Progress

YEAR = 2027


def load(progress: Progress = print) -> None:
    from icihub.training.models import Instructor

    from . import services
    from .models import Plan, Room

    if Plan.objects.filter(year=YEAR).exists():
        progress("  planning demo already loaded")
        return
    staff = demo_user("centre")
    if staff is None:
        progress("  planning demo skipped: no Centre staff demo account")
        return
    for name, capacity in (("Main lecture hall", 1), ("Seminar room", 1)):
        if not Room.objects.filter(name=name).exists():
            services.create_room(staff, {"name": name, "capacity": capacity})
    for n, inst in enumerate(Instructor.objects.filter(is_active=True).order_by("pk")[:6]):
        start = dt.date(YEAR, 1 + 2 * n, 10)
        services.create_unavailability(
            staff,
            {
                "instructor": inst,
                "start": start,
                "end": start + dt.timedelta(days=20),
                "reason": "Exercise season at the home organisation",
            },
        )
    plan = services.create_plan(staff, YEAR, reason="demo data")
    progress(f"  plan {YEAR}: {plan.courses.count()} courses proposed")
    if not plan.courses.exists():
        return
    run = services.start_run(staff, plan, time_limit=10, enqueue=False, reason="demo data")
    run = services.run_solver(run)
    plan.refresh_from_db()
    progress(
        f"  plan {YEAR} {plan.get_state_display()}: {plan.sessions.count()} sessions, "
        f"{run.solutions} solutions, gap {run.gap_percent} %"
    )
