"""Nominating, and the decisions on a nomination."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from icihub.core.access import (
    Role,
    can_change,
    get_visible,
    is_staff,
    role_of,
)
from icihub.core.errors import Conflict
from icihub.core.forms import add_service_errors
from icihub.core.listing import search
from icihub.core.permissions import countries_for
from icihub.core.viewkit import safe_next
from icihub.partners.selectors import eligible_countries

from .. import permissions, selectors, services
from ..certificates import issuing_base_url
from ..forms import (
    NominateForm,
    PickerPersonForm,
    ReasonForm,
    SubstituteForm,
)
from ..models import (
    Evaluation,
    Nomination,
    Session,
)
from ..ranks import names as rank_names
from ._common import _act

SEARCH_LIMIT = 20
SEARCH_MIN_LENGTH = 2

# -- nominating ------------------------------------------------------------------------------


MAX_LIST = 300  # people in one list (a coordinator nominates tens)
MOVES = ("up", "down", "remove")


def _nominating(request, pk):
    """The session, for a user who nominates (404 unseen, 403 not a nominator)."""
    user = request.user
    session = get_visible(selectors.sessions(user), user, pk=pk)
    if not permissions.nominates(user):
        raise PermissionDenied
    return session


def _ids(values) -> list[int]:
    ids: list[int] = []
    for value in values:
        if str(value).isdigit() and int(value) not in ids:
            ids.append(int(value))
    return ids[:MAX_LIST]


def _in_order(candidates, ids: list[int]) -> list:
    """The candidates of ``ids``, in that order (others dropped)."""
    found = {p.pk: p for p in candidates.filter(pk__in=ids)}
    return [found[pk] for pk in ids if pk in found]


def picker_list(query) -> list[int]:
    """The list as the plain (no-JS) picker carries it in its query: ``p`` the
    ids in order, then ``add=<id>`` or ``move=up|down|remove:<id>``."""
    ids = _ids(query.getlist("p"))
    add = query.get("add", "")
    if add.isdigit() and int(add) not in ids:
        ids.append(int(add))
    op, _sep, target = query.get("move", "").partition(":")
    if op in MOVES and target.isdigit() and int(target) in ids:
        i = ids.index(int(target))
        if op == "remove":
            ids.pop(i)
        elif op == "up" and i > 0:
            ids[i - 1], ids[i] = ids[i], ids[i - 1]
        elif op == "down" and i < len(ids) - 1:
            ids[i + 1], ids[i] = ids[i], ids[i + 1]
    return ids[:MAX_LIST]


def _person_form(request, session, data=None):
    if not permissions.can_record_people(request.user):
        return None
    return PickerPersonForm(
        data,
        user=request.user,
        countries=eligible_countries(session.course, on=session.start),
    )


def _render_picker(request, session, form, chosen, person_form, status=200):
    user = request.user
    query = request.GET.get("q", "").strip()
    candidates = selectors.nomination_candidates(user, session)
    results = None
    if query:
        results = picker_results(candidates.exclude(pk__in=[p.pk for p in chosen]), query)
    # the count's plural forms, by sample number, for picker.js (Intl.PluralRules)
    count_labels = json.dumps(
        {
            n: ngettext("%(n)s selected", "%(n)s selected", n) % {"n": "__N__"}
            for n in (0, 1, 2, 3, 11, 100)
        }
    )
    return render(
        request,
        "training/session_nominate.html",
        {
            "session": session,
            "form": form,
            "chosen": [(p, form.person_errors.get(p.pk, [])) for p in chosen],
            "query": query,
            "results": results,
            "person_form": person_form,
            "rank_names": rank_names(),
            "seat_rows": selectors.seat_table(session, user),
            "free_seats": selectors.free_quota_seats(session, user),
            "one_country": len(countries_for(user) or ()) == 1,
            "count_labels": count_labels,
            "open": permissions.can_nominate(user, session),
        },
        status=status,
    )


def picker_results(candidates, query: str) -> dict:
    """What the picker's search offers for ``query`` (at most ``SEARCH_LIMIT``)."""
    rows = []
    if len(query) >= SEARCH_MIN_LENGTH:
        rows = list(
            search(candidates, query, ["search_text"])[: SEARCH_LIMIT + 1].select_related("country")
        )
    return {
        "rows": rows[:SEARCH_LIMIT],
        "more": len(rows) > SEARCH_LIMIT,
        "query": query,
        "min_length": SEARCH_MIN_LENGTH,
    }


@login_required
def session_nominate(request, pk):
    """The nomination picker: a coordinator (or staff) searches their people,
    lists them in priority order and nominates the list (see picker.js; without
    JavaScript the same page works as plain forms carrying the list)."""
    user = request.user
    session = _nominating(request, pk)
    candidates = selectors.nomination_candidates(user, session)
    if request.method == "POST":
        # the service says why someone listed may not be nominated, beside them
        form = NominateForm(request.POST, candidates=selectors.people_to_nominate(user))
        if form.is_valid():
            people = form.people_in_order()
            per_person, general = services.nomination_problems(user, session, people)
            if per_person or general:
                form.person_errors = per_person
                for message in general:
                    form.add_error(None, message)
                if per_person:
                    form.add_error(
                        None, _("Nobody was nominated: see the messages beside the people.")
                    )
            else:
                try:
                    made = services.nominate_many(
                        user, session, people, reason=form.cleaned_data["reason"]
                    )
                except (ValidationError, Conflict) as exc:
                    add_service_errors(form, exc)
                else:
                    seats = sum(1 for n in made if n.has_seat)
                    waiting = len(made) - seats
                    messages.success(
                        request,
                        _("%(n)d nominated: %(s)d with a seat, %(w)d on the waiting list.")
                        % {"n": len(made), "s": seats, "w": waiting},
                    )
                    return redirect(session.get_absolute_url())
        # the list as posted, even those refused
        chosen = _in_order(selectors.people_to_nominate(user), form.posted_ids())
    else:
        form = NominateForm(candidates=candidates)
        chosen = _in_order(candidates, picker_list(request.GET))
    return _render_picker(request, session, form, chosen, _person_form(request, session))


@login_required
@require_POST
def session_nominate_person(request, pk):
    """The picker's inline form: record a person (the participants service,
    with its checks) and add them to the list. htmx gets the new list item (or
    the form with its errors); a plain form returns to the picker."""
    user = request.user
    session = _nominating(request, pk)
    if not permissions.can_record_people(user):
        raise PermissionDenied
    person_form = _person_form(request, session, request.POST)
    ids = _ids(request.POST.getlist("p"))
    if person_form.is_valid():
        data = dict(person_form.cleaned_data)
        try:
            person = services.create_participant(user, data)
        except (ValidationError, Conflict) as exc:
            add_service_errors(person_form, exc)
        else:
            if request.htmx:
                response = render(
                    request,
                    "training/_picker_item.html",
                    {"person": person, "errors": []},
                )
                response["HX-Retarget"] = "[data-picker-list]"
                response["HX-Reswap"] = "beforeend"
                response["HX-Trigger-After-Settle"] = json.dumps(
                    {"picker-person-added": {"id": person.pk}}
                )
                return response
            messages.success(
                request, _("%(n)s recorded and added to the list.") % {"n": person.full_name}
            )
            query = urlencode([("p", i) for i in [*ids, person.pk]])
            return redirect(f"{reverse('training:session_nominate', args=[session.pk])}?{query}")
    if request.htmx:
        return render(
            request,
            "training/_picker_person_form.html",
            {"person_form": person_form, "session": session},
        )
    candidates = selectors.nomination_candidates(user, session)
    return _render_picker(
        request,
        session,
        NominateForm(candidates=candidates),
        _in_order(candidates, ids),
        person_form,
    )


def substitute_candidates(user, nomination):
    """Who may replace this nominee: people of the nomination's country that
    ``user`` sees, not anonymised, not already nominated to the session."""
    taken = nomination.session.nominations.filter(status__in=Nomination.ACTIVE).values(
        "participant_id"
    )
    return (
        selectors.participants(user)
        .filter(country_id=nomination.country_id, anonymised_at__isnull=True)
        .exclude(pk__in=taken)
        .order_by("family_name", "given_name", "pk")
    )


def _nomination(request, pk):
    return get_visible(selectors.nominations(request.user), request.user, pk=pk)


def nomination_detail(request, pk):
    if not request.user.is_authenticated:
        raise Http404
    user = request.user
    nomination = get_visible(
        selectors.with_certificates(
            selectors.nominations(user).select_related(
                "nominated_by", "decided_by", "withdrawn_by", "substitute_for__participant"
            ),
            user,
        ),
        user,
        pk=pk,
    )
    staff = is_staff(user)
    session = nomination.session
    may_change = nomination.is_active and can_change(user, nomination)  # read once
    substitutes = None
    if permissions.can_substitute(user, nomination, session, may_change=may_change):
        substitutes = substitute_candidates(user, nomination)
    try:
        evaluation = nomination.evaluation
    except Evaluation.DoesNotExist:
        evaluation = None
    certificate = nomination.visible_certificate  # through the Certificate policy
    own = role_of(user) == Role.PARTICIPANT and nomination.participant.user_id == user.pk
    context = {
        "nomination": nomination,
        "session": nomination.session,
        "can_accept": permissions.can_accept(user, nomination, session),
        "can_reject": permissions.can_reject(user, nomination, session),
        "can_withdraw": permissions.can_withdraw(user, nomination, session, may_change=may_change),
        "substitute_form": SubstituteForm(
            candidates=substitutes,
            search_url=reverse("training:nomination_substitute_search", args=[nomination.pk]),
        )
        if substitutes is not None
        else None,
        "evaluation": evaluation if (staff or own) else None,
        "can_evaluate": (
            nomination.status == Nomination.Status.ACCEPTED
            and evaluation is None
            and nomination.session.state in (Session.State.RUNNING, Session.State.COMPLETED)
            and (staff or own)
            and services.attended(nomination)
        ),
        "certificate": certificate,
        "certificate_issued": nomination.certificate_issued,
        "can_certify": staff
        and nomination.outcome == Nomination.Outcome.COMPLETED
        and not nomination.certificate_issued,
    }
    return render(request, "training/nomination_detail.html", context)


@login_required
@require_POST
def nomination_accept(request, pk):
    nomination = _nomination(request, pk)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    _act(
        request,
        lambda: services.accept(request.user, nomination, reason=reason),
        _("%(n)s accepted.") % {"n": nomination.participant.full_name},
    )
    return redirect(safe_next(request, nomination.get_absolute_url()))


@login_required
@require_POST
def nomination_reject(request, pk):
    nomination = _nomination(request, pk)
    reason = request.POST.get("reason", "")
    _act(
        request,
        lambda: services.reject(request.user, nomination, reason=reason),
        _("%(n)s rejected.") % {"n": nomination.participant.full_name},
    )
    return redirect(safe_next(request, nomination.get_absolute_url()))


@login_required
@require_POST
def nomination_withdraw(request, pk):
    nomination = _nomination(request, pk)
    reason = request.POST.get("reason", "")
    _act(
        request,
        lambda: services.withdraw(request.user, nomination, reason=reason),
        _("%(n)s withdrawn.") % {"n": nomination.participant.full_name},
    )
    return redirect(safe_next(request, nomination.get_absolute_url()))


@login_required
@require_POST
def nomination_substitute(request, pk):
    nomination = _nomination(request, pk)
    services.check_substitute(request.user, nomination)  # 403 before reading the form
    form = SubstituteForm(
        request.POST,
        candidates=selectors.participants(request.user).filter(country_id=nomination.country_id),
    )
    if not form.is_valid():
        messages.error(request, _("Choose the substitute."))
        return redirect(nomination.get_absolute_url())
    result = {}

    def run():
        result["n"] = services.substitute(
            request.user,
            nomination,
            form.cleaned_data["participant"],
            reason=form.cleaned_data["reason"],
        )

    if _act(request, run, _("Substitute recorded: the seat is kept.")):
        return redirect(result["n"].get_absolute_url())
    return redirect(nomination.get_absolute_url())


@login_required
@require_POST
def nomination_certify(request, pk):
    nomination = _nomination(request, pk)
    _act(
        request,
        lambda: services.issue_certificate(
            request.user, nomination, base_url=issuing_base_url(request)
        ),
        _("Certificate issued."),
    )
    return redirect(safe_next(request, nomination.get_absolute_url()))
