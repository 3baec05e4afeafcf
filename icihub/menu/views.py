"""Pages of the cooperation menu: the searchable menu with facets, activities,
areas, the staff forms and the import/export page. Thin: parse, call a
selector or a service, render."""

from __future__ import annotations

import secrets
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from icihub.core.access import can_change, get_visible, policy_for
from icihub.core.errors import Conflict
from icihub.core.forms import add_service_errors
from icihub.core.text import attach

from . import selectors, services
from .forms import ActivityForm, ImportForm
from .models import Activity
from .transfer import COLUMNS, ImportRejected, read_upload

PER_PAGE = 25


def can_write_menu(user) -> bool:
    return policy_for(Activity).can_create(user)


def menu_context(request, *, per_page: int = PER_PAGE) -> dict:
    """The search result, the page of activities and the facets for ``request.GET``."""
    query = selectors.MenuQuery.from_params(request.GET)
    result = selectors.search(request.user, query)
    page = Paginator(result.activities(request.user), per_page).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return {
        "query": query,
        "result": result,
        "facets": result.facets,
        "page_obj": page,
        "object_list": page.object_list,
        "querystring": params.urlencode(),
        "sorts": [
            ("code", _("Code")),
            ("title", _("Title")),
            ("-year", _("Latest offered")),
        ],
    }


def activity_list(request):
    context = menu_context(request)
    context["can_write"] = can_write_menu(request.user)
    if getattr(request, "htmx", False) and request.htmx.target == "results":
        return render(request, "menu/_results.html", {**context, "oob": True})
    return render(request, "menu/activity_list.html", context)


def activity_detail(request, pk):
    activity = selectors.activity_detail(request.user, pk)
    return render(
        request,
        "menu/activity_detail.html",
        {
            "activity": activity,
            "sessions": selectors.course_sessions(activity, request.user),
            "is_course": selectors.is_course(activity),
            "can_change": can_change(request.user, activity),
        },
    )


@login_required
def activity_create(request):
    if not can_write_menu(request.user):
        raise PermissionDenied(_("You may not add activities to the menu."))
    form = ActivityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            activity = services.create_activity(request.user, form.cleaned_data)
        except (ValidationError, Conflict) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Activity “%(code)s” added.") % {"code": activity.code})
            return redirect(activity)
    return render(request, "menu/activity_form.html", {"form": form, "activity": None})


@login_required
def activity_edit(request, pk):
    activity = get_visible(Activity, request.user, pk=pk)
    if not can_change(request.user, activity):
        raise PermissionDenied(_("You may not change this activity."))
    form = ActivityForm(request.POST or None, instance=activity)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in services.EDITABLE_FIELDS}
        fresh = Activity.objects.get(pk=activity.pk)  # the form mutated ``activity``
        try:
            services.update_activity(request.user, fresh, data)
        except (ValidationError, Conflict) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Activity updated."))
            return redirect(fresh)
    return render(request, "menu/activity_form.html", {"form": form, "activity": activity})


@login_required
@require_POST
def activity_status(request, pk):
    activity = get_visible(Activity, request.user, pk=pk)
    status = request.POST.get("status", "")
    try:
        services.set_status(request.user, activity, status, reason=request.POST.get("reason", ""))
    except (ValidationError, Conflict) as exc:
        messages.error(request, "; ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, _("Status changed."))
    return redirect(activity)


def area_list(request):
    return render(
        request, "menu/area_list.html", {"areas": selectors.areas_with_counts(request.user)}
    )


def area_detail(request, code):
    area = selectors.area_detail(request.user, code)
    result = selectors.search(request.user, {"area": [code]}, with_facets=False)
    activities = result.activities(request.user)[:50]
    return render(
        request,
        "menu/area_detail.html",
        {"area": area, "activities": activities, "count": result.count},
    )


# -- import and export ------------------------------------------------------------------


def _pending_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "menu-imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


@login_required
def menu_import(request):
    """Upload a file; a dry run shows the report and keeps the file for the
    confirmation; "Import" applies it (all or nothing)."""
    if not can_write_menu(request.user):
        raise PermissionDenied(_("You may not import the cooperation menu."))
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    token = None
    pending = request.session.get("menu_import_pending", {})
    if request.method == "POST" and request.POST.get("token"):
        token = request.POST["token"]
        entry = pending.get(token)
        if not entry:
            messages.error(request, _("This import has expired: upload the file again."))
            return redirect("menu:import")
        path = _pending_dir() / entry["stored"]
        try:
            report = services.import_menu(request.user, path, dry_run=False, filename=entry["name"])
        except ImportRejected as exc:
            report = exc.report
        except ValidationError as exc:
            messages.error(request, "; ".join(exc.messages))
            return redirect("menu:import")
        finally:
            pending.pop(token, None)
            request.session["menu_import_pending"] = pending
            path.unlink(missing_ok=True)
        if report.committed:
            messages.success(
                request,
                _(
                    "Menu imported: %(created)s created, %(updated)s updated, %(unchanged)s unchanged."
                )
                % {
                    "created": report.created,
                    "updated": report.updated,
                    "unchanged": report.unchanged,
                },
            )
            return redirect("menu:activity_list")
        token = None
    elif request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        dry_run = form.cleaned_data["dry_run"]
        try:
            data, name = read_upload(upload)
            report = services.import_menu(
                request.user, (name, data), dry_run=dry_run, filename=name
            )
        except ImportRejected as exc:
            report = exc.report
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if report.committed:
                messages.success(
                    request,
                    _("Menu imported: %(created)s created, %(updated)s updated.")
                    % {"created": report.created, "updated": report.updated},
                )
                return redirect("menu:activity_list")
            if report.ok and (report.created or report.updated):
                token = secrets.token_urlsafe(16)
                suffix = ".xlsx" if report.file_format == "xlsx" else ".csv"
                stored = f"{request.user.pk}-{token}{suffix}"
                (_pending_dir() / stored).write_bytes(data)
                pending[token] = {"stored": stored, "name": name}
                request.session["menu_import_pending"] = pending
    return render(
        request,
        "menu/import.html",
        {"form": form, "report": report, "token": token, "columns": COLUMNS},
    )


def menu_export(request):
    """The menu (or the current search) as CSV or XLSX, as the user may see it."""
    file_format = request.GET.get("download", "csv")
    ids = None
    if any(k not in ("download", "page") for k in request.GET):
        ids = selectors.search(request.user, request.GET, with_facets=False).ids
    try:
        result = services.export_menu(request.user, file_format, ids=ids)
    except ValidationError as exc:
        return HttpResponse("; ".join(exc.messages), status=400, content_type="text/plain")
    response = HttpResponse(result.content, content_type=result.content_type)
    attach(response, result.filename)
    response["X-Icihub-Marking"] = result.marking.value
    return response
