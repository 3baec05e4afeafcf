"""The participant's and the instructor's own pages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from icihub.core.access import (
    Role,
    role_of,
)

from .. import selectors
from ..models import (
    Nomination,
    Session,
)

# -- own pages ---------------------------------------------------------------------------------


@login_required
def my_training(request):
    if role_of(request.user) != Role.PARTICIPANT:
        raise PermissionDenied
    nominations = list(selectors.my_nominations(request.user))
    to_evaluate = [
        n
        for n in nominations
        if n.status == Nomination.Status.ACCEPTED
        and n.session.state in (Session.State.RUNNING, Session.State.COMPLETED)
        and not hasattr(n, "evaluation")
    ]
    return render(
        request,
        "training/my_training.html",
        {"nominations": nominations, "to_evaluate": to_evaluate},
    )


@login_required
def my_sessions(request):
    if role_of(request.user) != Role.INSTRUCTOR:
        raise PermissionDenied
    return render(
        request,
        "training/my_sessions.html",
        {
            "sessions": selectors.my_sessions(request.user),
            "trips": selectors.trips(request.user).filter(instructor__user=request.user),
        },
    )
