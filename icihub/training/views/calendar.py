"""The calendar page and its iCalendar feeds."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from icihub.core.text import attach

from .. import ical, selectors, services

# -- calendar --------------------------------------------------------------------------------


def calendar(request):
    user = request.user
    view = request.GET.get("view", "month")
    today = timezone.localdate()
    try:
        year, month = (int(part) for part in request.GET.get("month", "").split("-"))
        first = dt.date(year, month, 1)
    except (ValueError, TypeError):
        # Without a month asked for: this month, or the month of the next session
        # when none is left in this one (never an empty month to start with).
        first = selectors.opening_month(user, today)
    context = {"view": view, "today": today, "new_feed": None}
    if view == "list":
        context["sessions"] = selectors.upcoming_sessions(user, today).order_by("start", "pk")[:200]
    else:
        context.update(selectors.month_grid(user, first.year, first.month))
    if user.is_authenticated:
        context["has_feed"] = hasattr(user, "training_calendar_feed")
    return render(request, "training/calendar.html", context)


@login_required
@require_POST
def calendar_feed_new(request):
    key = services.new_feed_key(request.user)
    url = settings.ICIHUB_BASE_URL + reverse("training:calendar_feed", args=[key])
    return render(request, "training/calendar_feed.html", {"url": url})


@login_required
@require_POST
def calendar_feed_revoke(request):
    services.revoke_feed(request.user)
    messages.success(request, _("Your calendar address is revoked."))
    return redirect("training:calendar")


def _ics_response(sessions, name):
    body, marking = ical.feed_with_marking(sessions, name)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["X-Icihub-Marking"] = str(marking.value)
    attach(response, "icihub-training.ics", inline=True)
    response["Cache-Control"] = "private, max-age=300"
    return response


def calendar_feed(request, key):
    """The sessions a user may see, at their secret address (revocable)."""
    user = services.feed_user(key)
    if user is None:
        raise Http404
    since = timezone.localdate() - dt.timedelta(days=365)
    sessions = selectors.sessions(user).filter(end__gte=since).order_by("start", "pk")
    return _ics_response(sessions, _("icihub – my NATO-ICI Regional Centre calendar"))


def calendar_public(request):
    from django.contrib.auth.models import AnonymousUser

    since = timezone.localdate() - dt.timedelta(days=365)
    sessions = selectors.sessions(AnonymousUser()).filter(end__gte=since).order_by("start", "pk")
    return _ics_response(sessions, _("icihub – NATO-ICI Regional Centre courses"))
