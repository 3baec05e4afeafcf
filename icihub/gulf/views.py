"""The Gulf calendar's pages: the year (public; staff edit the Islamic dates and
the Centre's closures from it) and the closure forms."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from icihub.core.access import can_change, get_visible
from icihub.core.errors import Conflict
from icihub.core.forms import add_service_errors

from . import calendar, selectors, services
from .forms import ClosureForm, IslamicDateForm
from .models import Closure, IslamicDate, IslamicEvent


def _check_year(year: int) -> None:
    if not selectors.MIN_YEAR <= year <= selectors.MAX_YEAR:
        raise Http404(_("Not found."))


def index(request):
    """This year's page (the navigation's entry)."""
    return _year_page(request, timezone.localdate().year)


def _islamic_rows(year: int, user, bound: dict | None = None) -> list[dict]:
    """The year's Islamic periods, each with its form for staff."""
    editable = IslamicDate.access_policy.can_create(user)
    rows = {(r.hijri_year, r.event): r for r in selectors.islamic_dates_for(user)}
    out = []
    for block in calendar.islamic_periods(year):
        key = (block.hijri_year, block.kind)
        row = rows.get(key)
        form = None
        if editable:
            form = (bound or {}).get(key) or IslamicDateForm(
                initial={
                    "shift_days": row.shift_days if row else 0,
                    "confirmed": row.confirmed if row else False,
                    "note": row.note if row else "",
                },
                prefix=f"{block.kind}-{block.hijri_year}",
            )
        base = calendar.umm_al_qura(block.hijri_year)[block.kind]
        out.append(
            {
                "block": block,
                "row": row,
                "umm_al_qura": base,
                "start_hijri": calendar.hijri(block.start),
                "end_hijri": calendar.hijri(block.end),
                "form": form,
            }
        )
    return out


def _year_page(request, year: int, bound: dict | None = None, status: int = 200):
    _check_year(year)
    user = request.user
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    blocks = calendar.blocked_periods(first, last)
    closures = list(selectors.closures_for(user).filter(start__lte=last, end__gte=first))
    editable = set(
        Closure.objects.editable_by(user)
        .filter(pk__in=[c.pk for c in closures])
        .values_list("pk", flat=True)
    )
    context = {
        "year": year,
        "previous": year - 1 if year > selectors.MIN_YEAR else None,
        "next": year + 1 if year < selectors.MAX_YEAR else None,
        "months": selectors.year_months(year),
        "weekdays": selectors.weekday_names(),
        "blocks": [
            {
                "block": b,
                "start_hijri": calendar.hijri(b.start),
                "end_hijri": calendar.hijri(b.end),
            }
            for b in blocks
        ],
        "islamic": _islamic_rows(year, user, bound),
        "closures": [(c, c.pk in editable) for c in closures],
        "can_add_closure": Closure.access_policy.can_create(user),
    }
    return render(request, "gulf/year.html", context, status=status)


def year(request, year: int):
    return _year_page(request, year)


@login_required
@require_POST
def islamic_set(request, hijri_year: int, event: str):
    if event not in IslamicEvent.values:
        raise Http404(_("Not found."))
    if not IslamicDate.access_policy.can_create(request.user):
        raise PermissionDenied(_("You may not change the Islamic dates."))
    base = calendar.umm_al_qura(hijri_year)
    if base is None:
        raise Http404(_("Not found."))
    year = base[event][0].year
    form = IslamicDateForm(request.POST, prefix=f"{event}-{hijri_year}")
    if form.is_valid():
        try:
            services.set_islamic_date(
                request.user,
                hijri_year=hijri_year,
                event=event,
                shift_days=form.cleaned_data["shift_days"],
                confirmed=form.cleaned_data["confirmed"],
                note=form.cleaned_data["note"],
            )
        except (ValidationError, Conflict) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The Islamic date is saved."))
            return redirect(reverse("gulf:year", args=[year]) + "#islamic")
    return _year_page(request, year, bound={(hijri_year, event): form}, status=400)


def _closure_form_page(request, closure: Closure | None):
    form = ClosureForm(request.POST or None, instance=closure)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            if closure is None:
                closure = services.create_closure(request.user, data)
                messages.success(request, _("Closure added."))
            else:
                closure = services.update_closure(
                    Closure.objects.get(pk=closure.pk), request.user, data
                )
                messages.success(request, _("Closure saved."))
        except (ValidationError, Conflict) as exc:
            add_service_errors(form, exc)
        else:
            return redirect(reverse("gulf:year", args=[closure.start.year]) + "#closures")
    return render(request, "gulf/closure_form.html", {"form": form, "closure": closure})


@login_required
def closure_create(request):
    if not Closure.access_policy.can_create(request.user):
        raise PermissionDenied(_("You may not add closures."))
    return _closure_form_page(request, None)


@login_required
def closure_edit(request, pk: int):
    closure = get_visible(Closure, request.user, pk=pk)
    if not can_change(request.user, closure):
        raise PermissionDenied(_("You may not change this closure."))
    return _closure_form_page(request, closure)


@login_required
@require_POST
def closure_delete(request, pk: int):
    closure = get_visible(Closure, request.user, pk=pk)
    year = closure.start.year
    services.delete_closure(closure, request.user)
    messages.success(request, _("Closure deleted."))
    return redirect(reverse("gulf:year", args=[year]) + "#closures")
