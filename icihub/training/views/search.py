"""The search boxes of long choice lists (``forms.SearchSelect``): the rows
matching what was typed, as radio buttons of the form's field, at most
``LIMIT``. Each reads what the form's own page offers, through the same
selectors and access checks as the form's POST."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from icihub.core.access import check_change, get_visible
from icihub.core.listing import search

from .. import selectors, services
from ..models import Session
from .nominations import _ids, _nominating, _nomination, picker_results, substitute_candidates

LIMIT = 20
MIN_LENGTH = 2


def _results(request, qs, name: str, fields: list[str]):
    query = request.GET.get("q", "").strip()
    rows = list(search(qs, query, fields)[: LIMIT + 1]) if len(query) >= MIN_LENGTH else []
    return render(
        request,
        "training/_search_results.html",
        {
            "name": name,
            "rows": rows[:LIMIT],
            "more": len(rows) > LIMIT,
            "query": query,
            "min_length": MIN_LENGTH,
        },
    )


@login_required
def session_instructor_search(request, pk):
    """Active instructors to assign to a session (who may assign: staff)."""
    session = get_visible(Session, request.user, pk=pk)
    check_change(request.user, session)
    instructors = selectors.instructors(request.user).filter(is_active=True)
    return _results(request, instructors.order_by("full_name", "pk"), "instructor", ["full_name"])


@login_required
def nomination_substitute_search(request, pk):
    """People who may replace a nominee (staff; the coordinator of its country)."""
    nomination = _nomination(request, pk)
    services.check_substitute(request.user, nomination)
    candidates = substitute_candidates(request.user, nomination)
    return _results(request, candidates, "participant", ["search_text"])


@login_required
def session_nominate_search(request, pk):
    """The nomination picker's search: the people the user may nominate to the
    session (a coordinator: their own country's), not those already in the list
    (``p``), as options of the picker's list box."""
    session = _nominating(request, pk)
    candidates = selectors.nomination_candidates(request.user, session).exclude(
        pk__in=_ids(request.GET.getlist("p"))
    )
    query = request.GET.get("q", "").strip()
    return render(
        request,
        "training/_picker_results.html",
        {"session": session, **picker_results(candidates, query)},
    )
