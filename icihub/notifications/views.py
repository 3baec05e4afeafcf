"""Pages of the notifications: the list (with mark read), the bell's
fragment and one's preferences."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from icihub.core.access import get_visible
from icihub.core.forms import add_service_errors
from icihub.core.listing import Filter, ListPage
from icihub.core.viewkit import is_safe_url, safe_next

from . import render as text
from . import selectors, services
from .filters import NotificationFilters
from .forms import PreferencesForm
from .models import Notification

CHANGED = "notifications-changed"  # htmx event: the bell refreshes itself

LIST = ListPage(
    template="notifications/list.html",
    results_template="notifications/_results.html",
    per_page=30,
    filterset=NotificationFilters,
    # the page's own links: "All" and "Unread" (?unread=1)
    filters=[Filter("unread", gettext_lazy("Unread"), choices=[("1", gettext_lazy("Unread"))])],
)


def rows(notifications) -> list[dict]:
    return [
        {
            "object": n,
            "message": text.message(n),
            "detail": text.detail(n),
            "url": text.link(n),
        }
        for n in notifications
    ]


@login_required
def notification_list(request):
    unread = request.GET.get("unread") == "1"
    qs = selectors.for_user(request.user)
    return LIST.render(
        request,
        qs,
        {"unread_only": unread, "unread_count": selectors.unread_count(request.user)},
    )


@login_required
@require_POST
def mark_read(request, pk: int):
    notification = get_visible(Notification, request.user, pk=pk)
    services.mark_read(request.user, notification)
    if getattr(request, "htmx", False):
        response = render(request, "notifications/_row.html", {"row": rows([notification])[0]})
        response["HX-Trigger"] = CHANGED
        return response
    target = text.link(notification) if request.POST.get("open") else ""
    if not is_safe_url(request, target):
        target = safe_next(request, reverse("notifications:list"), request.POST.get("next", ""))
    return redirect(target)


@login_required
@require_POST
def mark_all_read(request):
    count = services.mark_all_read(request.user)
    messages.success(
        request,
        ngettext("%(n)d notification marked read.", "%(n)d notifications marked read.", count)
        % {"n": count},
    )
    return redirect("notifications:list")


def bell(request):
    """The bell alone (htmx swaps it in place). No polling: it refreshes on
    the "notifications-changed" event and when the tab is shown again, so an
    open tab does not keep an idle session alive. Signed out meanwhile: 204,
    and htmx leaves the page as it is (a redirect would put the sign-in page
    in the header)."""
    if not request.user.is_authenticated:
        return HttpResponse(status=204)
    return render(
        request,
        "notifications/_bell.html",
        {"unread": selectors.unread_count(request.user)},
    )


PREFERENCES_SAVED = gettext_lazy("Your notification settings are saved.")


@login_required
def preferences(request):
    form = PreferencesForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_preferences(
                request.user,
                language=form.cleaned_data["language"],
                channels=form.channels(),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, PREFERENCES_SAVED)
            return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form})
