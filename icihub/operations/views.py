"""The probes (``/healthz``, ``/readyz``), the metrics (``/metrics``) and the
staff page of the background work (schedule, runs, workers, queue)."""

from __future__ import annotations

import pydantic
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import metrics, selectors
from .filters import RunFilters


@never_cache
@require_GET
def healthz(request):
    """The process is alive (no database, no disclosure)."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request):
    """Ready to serve: the database answers, its migrations are applied and a
    worker has been seen recently. Names the failing checks, nothing more."""
    checks = selectors.readiness()
    failing = sorted(name for name, ok in checks.items() if not ok)
    if failing:
        return JsonResponse({"status": "unavailable", "failing": failing}, status=503)
    return JsonResponse({"status": "ready"})


@never_cache
@require_GET
def metrics_view(request):
    if not metrics.allowed(request):
        return HttpResponse("Forbidden\n", status=403, content_type="text/plain")
    from prometheus_client import CONTENT_TYPE_LATEST

    return HttpResponse(metrics.exposition(), content_type=CONTENT_TYPE_LATEST)


@login_required
def overview(request):
    selectors.check_staff(request.user)
    job = request.GET.get("job", "")
    try:
        runs = RunFilters.model_validate({"job": job}).filter(selectors.runs(request.user))
    except pydantic.ValidationError:  # a malformed filter is ignored, as on list pages
        runs = selectors.runs(request.user)
    page = Paginator(runs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "operations/overview.html",
        {
            "schedule": selectors.schedule(request.user),
            "workers": list(selectors.workers(request.user)),
            "queue": selectors.queue_length(),
            "failed_tasks": selectors.failed_tasks(),
            "page_obj": page,
            "object_list": page.object_list,
            "job": job,
        },
    )
