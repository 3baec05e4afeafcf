"""The home page."""

from __future__ import annotations

from django.shortcuts import render

from . import selectors


def home(request):
    """The initiative at a glance, with the signed-in user's alerts."""
    return render(request, "home/home.html", selectors.home_page(request.user))
