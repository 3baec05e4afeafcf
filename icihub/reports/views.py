"""Pages of the reports app: the dashboard, the records behind a number, the
annual and country reports with their downloads, the published snapshots and
the public statistics page. Thin: parse the period and filters, call the
selectors / report builders, render. Everything is computed for the signed-in
user through the access model; the public page only from public records."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from icihub.core.access import is_staff
from icihub.core.errors import Conflict
from icihub.core.permissions import own_country
from icihub.core.text import attach

from . import exports, figures, presentation, selectors, services
from . import report as reports
from .scope import Filters, Period, Scope, parse_filters, parse_period, parse_year


def _errors(exc: ValidationError) -> dict:
    if hasattr(exc, "error_dict"):
        return {field: " ".join(messages_) for field, messages_ in exc.message_dict.items()}
    return {"": " ".join(exc.messages)}


def _parse(request, *, filters: bool = True) -> tuple[Period | None, Filters, dict]:
    """The period and filters of the query string, or the errors to show."""
    errors = {}
    period, parsed = None, Filters()
    try:
        period = parse_period(request.GET, default_year=selectors.default_year(request.user))
    except ValidationError as exc:
        errors.update(_errors(exc))
    if filters:
        try:
            parsed = parse_filters(request.GET)
        except ValidationError as exc:
            errors.update(_errors(exc))
    return period, parsed, errors


def _form_context(request, period, filters) -> dict:
    return {
        "options": selectors.filter_options(request.user),
        "period": period,
        "filters": filters,
        "values": {
            "year": request.GET.get("year", str(period.start.year) if period else ""),
            "from": request.GET.get("from", ""),
            "to": request.GET.get("to", ""),
            "country": request.GET.get("country", ""),
            "area": request.GET.get("area", ""),
            "framework": request.GET.get("framework", ""),
        },
    }


def _year(request, who) -> int:
    """The ``year`` asked for (a ValidationError if malformed), else the latest year
    with a completed session ``who`` may see."""
    if request.GET.get("year"):
        return parse_year(request.GET["year"])
    return selectors.default_year(who)


TRENDS = ["activities", "trained", "travellers", "events"]
COUNTRY_TRENDS = ["sessions", "trained", "attendances"]
# The public page's trends are of records, not people: a year's count of people
# is published only through that year's release (small counts hidden), which
# would be worked out again for each year (about 25 queries and the suppression
# each); the year before is, beside each number.
PUBLIC_TRENDS = ["activities", "events"]


def _presented(scope: Scope, headline: list, tables: list, trend_keys: list[str]) -> dict:
    """The headline numbers beside the year before, the trends across the
    years and the tables' charts as the page shows them (``presentation``)."""
    years = presentation.Years(scope)
    years.load()
    presentation.present(tables)
    out = {
        "tiles": presentation.tiles(headline, years),
        "trends": presentation.trends(trend_keys, years),
    }
    years.store()
    return out


def _htmx_target(request, target: str) -> bool:
    return bool(getattr(request, "htmx", False)) and request.htmx.target == target


# -- dashboard ------------------------------------------------------------------------------


@login_required
def dashboard(request):
    period, filters, errors = _parse(request)
    context = _form_context(request, period, filters)
    context["filter_errors"] = errors
    if not errors:
        scope = Scope.for_user(request.user, period, filters)
        context.update(selectors.dashboard(scope))
        context.update(_presented(scope, context["headline"], context["tables"], TRENDS))
        context["scope"] = scope
    if _htmx_target(request, "figures"):
        return render(request, "reports/_dashboard_figures.html", context)
    return render(request, "reports/dashboard.html", context, status=400 if errors else 200)


# -- the records behind a number -------------------------------------------------------------


@login_required
def records(request, key):
    period, filters, errors = _parse(request)
    if errors:
        return render(request, "reports/records.html", {"filter_errors": errors}, status=400)
    scope = Scope.for_user(request.user, period, filters)
    try:
        page = selectors.records_page(
            scope,
            key,
            dimension=request.GET.get("by", ""),
            value=request.GET.get("value", ""),
            part=request.GET.get("part", ""),
            page=request.GET.get("page"),
        )
    except LookupError:
        raise Http404(_("Not found."))
    except (ValueError, TypeError):
        return render(
            request,
            "reports/records.html",
            {"filter_errors": {"value": _("This breakdown value is not valid.")}},
            status=400,
        )
    context = {"page": page, "scope": scope, "page_obj": page.page_obj}
    if _htmx_target(request, "results"):
        return render(request, "reports/_records_results.html", context)
    return render(request, "reports/records.html", context)


# -- annual report ------------------------------------------------------------------------------


def _annual_scope(request, year) -> Scope:
    return Scope.for_user(request.user, Period.of_year(year))


@login_required
def annual(request):
    try:
        year = _year(request, request.user)
    except ValidationError as exc:
        return render(request, "reports/annual.html", {"filter_errors": _errors(exc)}, status=400)
    report = reports.build_annual(_annual_scope(request, year))
    return render(
        request,
        "reports/annual.html",
        {
            **_presented(report.scope, report.headline, report.tables, TRENDS),
            "report": report,
            "year": year,
            "years": selectors.years(),
            "formats": list(exports.FORMATS),
            "can_lock": is_staff(request.user)
            and report.snapshot is None
            and year <= timezone.localdate().year,
        },
    )


def _download(report, file_format: str) -> HttpResponse:
    """The report as a file (the callers check ``file_format`` before building it)."""
    result = exports.export(report, file_format)
    response = HttpResponse(result.content, content_type=result.content_type)
    attach(response, result.filename, inline=file_format == "pdf")
    response["X-Icihub-Marking"] = result.marking.value
    return response


@login_required
def annual_download(request, year: int, fmt: str):
    if fmt not in exports.FORMATS:
        raise Http404(_("Not found."))
    try:
        year = parse_year(year)
    except ValidationError:
        raise Http404(_("Not found."))
    return _download(reports.build_annual(_annual_scope(request, year)), fmt)


@login_required
@require_POST
def annual_lock(request, year: int):
    try:
        snapshot = services.lock_year(request.user, year, note=request.POST.get("note", ""))
    except (ValidationError, Conflict) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(
            request, _("The figures of %(year)s are locked as published.") % {"year": year}
        )
        return redirect(snapshot.get_absolute_url())
    return redirect(f"{reverse('reports:annual')}?year={year}")


# -- country report -------------------------------------------------------------------------------


@login_required
def country_index(request):
    own = own_country(request.user)
    if own is not None:
        return redirect("reports:country", iso3=own.iso3)
    if not is_staff(request.user):
        raise Http404(_("Not found."))
    return render(
        request,
        "reports/country_index.html",
        {"countries": selectors.filter_options(request.user)["countries"]},
    )


def _country_scope(request, country) -> tuple[Scope | None, dict]:
    period, _filters, errors = _parse(request, filters=False)
    if errors:
        return None, errors
    return Scope.for_user(request.user, period, Filters(country=country)), {}


@login_required
def country(request, iso3: str):
    country_ = selectors.country_for_report(request.user, iso3)
    scope, errors = _country_scope(request, country_)
    if errors:
        return render(
            request,
            "reports/country.html",
            {"country": country_, "filter_errors": errors},
            status=400,
        )
    report = reports.build_country(scope, country_)
    return render(
        request,
        "reports/country.html",
        {
            **_presented(scope, report.headline, report.tables, COUNTRY_TRENDS),
            "country": country_,
            "report": report,
            "formats": list(exports.FORMATS),
            "years": selectors.years(),
            "query": scope.period.params(),
        },
    )


@login_required
def country_download(request, iso3: str, fmt: str):
    country_ = selectors.country_for_report(request.user, iso3)
    if fmt not in exports.FORMATS:
        raise Http404(_("Not found."))
    scope, errors = _country_scope(request, country_)
    if errors:
        return HttpResponse(" ".join(errors.values()), status=400, content_type="text/plain")
    return _download(reports.build_country(scope, country_), fmt)


# -- snapshots -------------------------------------------------------------------------------------


@login_required
def snapshot_list(request):
    if not is_staff(request.user):
        raise Http404(_("Not found."))
    return render(
        request, "reports/snapshot_list.html", {"snapshots": selectors.snapshots(request.user)}
    )


@login_required
def snapshot_detail(request, pk: int):
    snapshot, report = selectors.snapshot_report(request.user, pk)
    totals = [
        {
            "key": key,
            "label": figures.FIGURES[key].label if key in figures.FIGURES else key,
            "value": value,
            "definition": snapshot.definitions.get(key, ""),
        }
        for key, value in (snapshot.figures.get("totals") or {}).items()
    ]
    return render(
        request,
        "reports/snapshot_detail.html",
        {
            "snapshot": snapshot,
            "totals": totals,
            "report": report,
            "differences": report.differences,
        },
    )


# -- public statistics --------------------------------------------------------------------------------


def public(request):
    try:
        year = _year(request, AnonymousUser())  # the public figures: a visitor's
    except ValidationError as exc:
        return render(request, "reports/public.html", {"filter_errors": _errors(exc)}, status=400)
    scope = Scope.public(Period.of_year(year))
    context = selectors.public_statistics(scope)
    context.update(_presented(scope, context["headline"], context["tables"], PUBLIC_TRENDS))
    context.update({"scope": scope, "year": year, "years": selectors.years()})
    return render(request, "reports/public.html", context)
