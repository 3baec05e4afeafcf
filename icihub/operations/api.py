"""REST API of the background work (staff): the scheduled runs, the schedule,
the workers and the queue's length."""

import datetime as dt

from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from icihub.core.apikit import ErrorOut, Pagination, require_signed_in

from . import selectors
from .filters import RunFilters

router = Router(tags=["operations"])
STAFF_READ_ERRORS = {401: ErrorOut, 403: ErrorOut, 422: ErrorOut}


class AttemptOut(Schema):
    attempt: int
    worker: str
    started: dt.datetime
    finished: dt.datetime
    error: str


class RunOut(Schema):
    id: int
    job: str
    due_at: dt.datetime
    status: str = Field(description="running, retry (failed, will be retried), succeeded, failed")
    attempt: int
    max_attempts: int
    worker: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    next_attempt_at: dt.datetime | None
    summary: str
    error: str
    attempts: list[AttemptOut]


class ScheduledOut(Schema):
    name: str
    schedule: str
    enabled: bool
    next_due: dt.datetime | None
    last_status: str | None
    last_started_at: dt.datetime | None


class WorkerOut(Schema):
    worker_id: str
    hostname: str
    pid: int
    started_at: dt.datetime
    seen_at: dt.datetime
    tasks_run: int
    jobs_run: int


class StatusOut(Schema):
    queue: int = Field(description="Tasks waiting for a worker")
    failed_tasks: int
    workers: list[WorkerOut]
    schedule: list[ScheduledOut]


def _staff(request):
    user = require_signed_in(request)
    selectors.check_staff(user)
    return user


@router.get(
    "/operations/runs",
    response={200: list[RunOut], **STAFF_READ_ERRORS},
    summary="Scheduled runs, newest first (staff)",
)
@paginate(Pagination)
def run_list(request, filters: Query[RunFilters]):
    return filters.filter(selectors.runs(_staff(request)))


@router.get(
    "/operations/status",
    response={200: StatusOut, **STAFF_READ_ERRORS},
    summary="The queue's length, the workers running and the schedule (staff)",
)
def status(request):
    user = _staff(request)
    return {
        "queue": selectors.queue_length(),
        "failed_tasks": selectors.failed_tasks(),
        "workers": list(selectors.workers(user)),
        "schedule": [
            {
                "name": s.name,
                "schedule": s.schedule,
                "enabled": s.enabled,
                "next_due": s.next_due,
                "last_status": s.last.status if s.last else None,
                "last_started_at": s.last.started_at if s.last else None,
            }
            for s in selectors.schedule(user)
        ],
    }
