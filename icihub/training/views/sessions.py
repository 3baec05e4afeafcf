"""Session pages: the record, its form, quotas, the lifecycle and staffing actions."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from icihub.core.access import (
    can_change,
    check_change,
    get_visible,
    is_staff,
)
from icihub.core.errors import Conflict
from icihub.core.forms import add_service_errors
from icihub.core.listing import Filter, ListPage
from icihub.partners.selectors import eligible_countries

from .. import lifecycle, permissions, selectors, services
from ..filters import SessionPageFilters
from ..forms import (
    AssignmentForm,
    CompleteForm,
    DecideForm,
    QuotaForm,
    SessionForm,
    StateForm,
)
from ..models import (
    EVALUATION_QUESTIONS,
    Assignment,
    Course,
    Nomination,
    Session,
)
from ..seats import SeatLedger
from ._common import _act, _area_choices, _can_create, _year_choices

# -- sessions ---------------------------------------------------------------------------------

SESSION_LIST = ListPage(
    template="training/session_list.html",
    results_template="training/_session_results.html",
    search_fields=["course__search_text", "reference", "venue"],
    filterset=SessionPageFilters,
    filters=[
        Filter("state", gettext_lazy("State"), choices=Session.State.choices),
        Filter("year", gettext_lazy("Year"), choices=_year_choices),
        Filter("area", gettext_lazy("Area"), choices=_area_choices),
    ],
    orderings={"start": "start,pk", "-start": "-start,-pk"},
)


def session_list(request):
    qs = selectors.sessions(request.user).order_by("-start", "-pk")
    return SESSION_LIST.render(request, qs, {"can_create": _can_create(request.user, Session)})


REALLOCATION_RULE = gettext_lazy(
    "On the reallocation date the country quotas are released and each free seat "
    "goes to a waiting nominee of an eligible country: first to the country holding "
    "the fewest seats in the session (round-robin across countries; ties to the "
    "country whose next nominee was nominated earliest), and within a country by "
    "the country's priority, then by the time of nomination."
)


@dataclass(frozen=True)
class RowOffer:
    """What one nomination row offers: accept (a button), and a link to the
    nomination's page labelled with what can be done there (``more``)."""

    accept: bool = False
    reject: bool = False
    more: str = ""


class RowOffers:
    """The actions each nomination row of the session page offers, only those
    that can succeed for this user and the row's state (the predicates of
    ``training.permissions``), computed with a constant number of queries: the
    rows the user may change are read once, the seat ledger once."""

    def __init__(self, user, session: Session, nominations: list):
        self.user = user
        self.session = session
        self.bulk = permissions.can_decide(user) and session.state not in permissions.FINISHED
        active = {n.pk for n in nominations if n.is_active}
        # The session's active rows the user may change, read by the session (an
        # index) rather than by a list of hundreds of ids, and unordered: the
        # model's order would join the session, course and country for nothing.
        self.editable = (
            active.intersection(
                Nomination.objects.editable_by(user)
                .filter(session=session, status__in=Nomination.ACTIVE)
                .order_by()
                .values_list("pk", flat=True)
            )
            if active and session.state not in permissions.FINISHED
            else set()
        )
        waiting = {n.country_id for n in nominations if n.status == Nomination.Status.WAITLISTED}
        self.seat_for = set()
        if self.bulk and waiting:
            ledger = SeatLedger.of(session)
            self.seat_for = {c for c in waiting if ledger.may_take(session, c)}
        self._offers: dict[tuple, RowOffer] = {}

    def for_row(self, nomination) -> RowOffer:
        # The predicates below read of the row only its status, given the user,
        # the session, the seat the row's country may take and whether the user
        # may change the row: the answer is asked once per such combination, not
        # for each of hundreds of rows.
        waiting = nomination.status == Nomination.Status.WAITLISTED
        key = (
            nomination.status,
            waiting and nomination.country_id in self.seat_for,
            nomination.pk in self.editable,
        )
        offer = self._offers.get(key)
        if offer is None:
            offer = self._offers[key] = self._offer(nomination, *key[1:])
        return offer

    def _offer(self, nomination, seat: bool, may_change: bool) -> RowOffer:
        user, session = self.user, self.session
        accept = permissions.can_accept(user, nomination, session) and (
            nomination.status != Nomination.Status.WAITLISTED or seat
        )
        reject = permissions.can_reject(user, nomination, session)
        withdraw = permissions.can_withdraw(user, nomination, session, may_change=may_change)
        substitute = permissions.can_substitute(user, nomination, session, may_change=may_change)
        return RowOffer(
            accept=accept, reject=reject, more=_more_label(reject, withdraw, substitute)
        )


def _more_label(reject: bool, withdraw: bool, substitute: bool) -> str:
    if reject and substitute:
        return _("Reject, withdraw or substitute…")
    if reject:
        return _("Reject or withdraw…")
    if withdraw and substitute:
        return _("Withdraw or substitute…")
    if withdraw:
        return _("Withdraw…")
    return ""


def lifecycle_panel(user, session: Session) -> dict:
    """The lifecycle card of the session page: the states offered (forward
    only; preselected the furthest one the dates allow without an override; the ones a blocker refuses are left out), the steps
    back, and per next step what blocks it, each with its link."""
    steps = lifecycle.next_steps(session, services.TRANSITIONS)
    found = {step: lifecycle.blockers(session, step) for step in steps}
    may_override = permissions.can_override_dates(user)
    offered, overridable = [], False
    for state in lifecycle.forward_states(session, services.TRANSITIONS):
        if lifecycle.refusing(found[state], override=may_override):
            continue
        if lifecycle.refusing(found[state]):
            overridable = True
        offered.append((state, Session.State(state).label))
    # Preselected (first): the furthest state the dates allow now without an
    # override: "running" once the session has started, "closed" before.
    free = [pair for pair in offered if not lifecycle.refusing(found[pair[0]])]
    if free:
        offered.remove(free[-1])
        offered.insert(0, free[-1])
    back = [
        (state, _("Back to “%(s)s”") % {"s": Session.State(state).label})
        for state in lifecycle.backward_states(session, services.TRANSITIONS)
    ]
    labels = {s.value: s.label for s in Session.State}
    labels[lifecycle.CERTIFICATES] = _("Certificates")
    return {
        "states": offered,
        "back": back,
        "can_cancel": Session.State.CANCELLED in services.TRANSITIONS.get(session.state, ()),
        "override": overridable,
        "steps": [
            {"step": step, "label": labels[step], "blockers": found[step]}
            for step in steps
            if found[step]
        ],
        "can_complete": session.state == Session.State.RUNNING
        and not lifecycle.refusing(found.get(Session.State.COMPLETED, []), override=may_override),
    }


def session_detail(request, pk):
    user = request.user
    session = get_visible(selectors.sessions(user), user, pk=pk)
    nominations = selectors.session_nomination_table(session, user)
    manage = is_staff(user) and can_change(user, session)
    offers = RowOffers(user, session, nominations)
    context = {
        "session": session,
        "course": session.course,
        "nominations": nominations,
        "offers": offers,
        "pending": sum(1 for n in nominations if n.status == Nomination.Status.NOMINATED),
        "seat_rows": selectors.seat_table(session, user),
        "assignments": selectors.assignments(user).filter(session=session),
        "trips": selectors.trips(user).filter(sessions=session),
        "manage": manage,
        "can_edit": permissions.can_manage_session(user, session, may_change=manage),
        "can_nominate": permissions.can_nominate(user, session),
        "can_attend": session.state == Session.State.RUNNING
        and services.can_take_attendance(user, session),
        "evaluation": selectors.evaluation_summary(session)
        if selectors.can_see_evaluations(user, session)
        else None,
        "questions": EVALUATION_QUESTIONS,
        "lifecycle": lifecycle_panel(user, session) if manage else None,
        "reallocation_rule": REALLOCATION_RULE,
        "today": timezone.localdate(),
        "certificates": sum(1 for n in nominations if n.issued_certificate),
    }
    if manage and session.state not in permissions.FINISHED:
        context["assign_form"] = AssignmentForm(
            instructors=selectors.instructors(user).filter(is_active=True),
            search_url=reverse("training:session_instructor_search", args=[session.pk]),
        )
    return render(request, "training/session_detail.html", context)


@login_required
def session_create(request, course_pk):
    course = get_visible(Course, request.user, pk=course_pk)
    if not _can_create(request.user, Session):
        raise PermissionDenied
    form = SessionForm(request.POST or None, initial={"capacity": course.default_capacity})
    if request.method == "POST" and form.is_valid():
        try:
            session = services.create_session(request.user, course, form.data_for_service())
        except (ValidationError, Conflict) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Session scheduled."))
            return redirect("training:session_quotas", pk=session.pk)
    return render(
        request,
        "training/form.html",
        {
            "form": form,
            "title": _("New session of %(c)s") % {"c": course},
            "cancel": course.get_absolute_url(),
        },
    )


@login_required
def session_edit(request, pk):
    session = get_visible(Session, request.user, pk=pk)
    check_change(request.user, session)
    initial = {name: getattr(session, name) for name in SessionForm.base_fields}
    form = SessionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_session(request.user, session, form.data_for_service())
        except (ValidationError, Conflict) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Session saved."))
            return redirect(session.get_absolute_url())
    return render(
        request,
        "training/form.html",
        {
            "form": form,
            "title": _("Edit %(s)s") % {"s": session.reference},
            "cancel": session.get_absolute_url(),
            "object": session,
        },
    )


@login_required
def session_quotas(request, pk):
    session = get_visible(selectors.sessions(request.user), request.user, pk=pk)
    check_change(request.user, session)
    countries = eligible_countries(session.course, on=session.start).order_by("name")
    current = dict(session.quotas.values_list("country_id", "seats"))
    form = QuotaForm(request.POST or None, countries=countries, current=current)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_quotas(request.user, session, form.quotas())
        except (ValidationError, Conflict) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Seat quotas saved."))
            return redirect(session.get_absolute_url())
    return render(
        request,
        "training/form.html",
        {
            "form": form,
            "title": _("Seat quotas: %(s)s") % {"s": session.reference},
            "lead": _(
                "Seats reserved for each eligible country until the reallocation date "
                "(%(date)s). They may not add up to more than the capacity (%(n)d)."
            )
            % {"date": session.reallocation_date.isoformat(), "n": session.capacity},
            "cancel": session.get_absolute_url(),
        },
    )


@login_required
@require_POST
def session_state(request, pk):
    session = get_visible(Session, request.user, pk=pk)
    form = StateForm(request.POST)
    if form.is_valid():
        state = form.cleaned_data["state"]
        _act(
            request,
            lambda: services.change_state(
                request.user,
                session,
                state,
                reason=form.cleaned_data["reason"],
                override_dates=form.cleaned_data["override_dates"],
            ),
            _("The session is now “%(s)s”.") % {"s": Session.State(state).label},
        )
    else:
        messages.error(request, _("Choose a state."))
    return redirect(session.get_absolute_url())


@login_required
@require_POST
def session_reallocate(request, pk):
    session = get_visible(Session, request.user, pk=pk)
    report = {}

    def run():
        report["r"] = services.reallocate(actor=request.user, session=session)

    if _act(request, run, _("Quotas released.")):
        promoted = report["r"].promoted
        if promoted:
            messages.success(
                request,
                _("Promoted from the waiting list: %(names)s.")
                % {"names": ", ".join(f"{name} ({iso3})" for _ref, name, iso3 in promoted)},
            )
        else:
            messages.info(request, _("Nobody was waiting for a free seat."))
    return redirect(session.get_absolute_url())


@login_required
@require_POST
def session_complete(request, pk):
    """Complete a running session, an irreversible step: the first POST shows
    what it will do (the no-shows it records) and asks to confirm; the POST
    with ``confirm`` does it."""
    user = request.user
    session = get_visible(Session, user, pk=pk)
    check_change(user, session)
    if not permissions.can_decide(user):
        raise PermissionDenied
    form = CompleteForm(request.POST)
    if request.POST.get("confirm") and form.is_valid():
        counts = {}

        def run():
            counts.update(
                services.complete_session(
                    user,
                    session,
                    reason=form.cleaned_data["reason"],
                    override_dates=form.cleaned_data["override_dates"],
                )
            )

        try:
            run()
        except (ValidationError, Conflict) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("The session is completed: %(c)s; %(n)s; %(x)s.")
                % {
                    "c": ngettext("%(n)d completed", "%(n)d completed", counts.get("completed", 0))
                    % {"n": counts.get("completed", 0)},
                    "n": ngettext(
                        "%(n)d not completed", "%(n)d not completed", counts.get("not_completed", 0)
                    )
                    % {"n": counts.get("not_completed", 0)},
                    "x": ngettext("%(n)d no-show", "%(n)d no-shows", counts.get("no_show", 0))
                    % {"n": counts.get("no_show", 0)},
                },
            )
            return redirect(session.get_absolute_url())
    elif request.POST.get("confirm"):
        pass  # the form's errors are shown below
    else:
        form = CompleteForm()
    found = lifecycle.blockers(session, Session.State.COMPLETED)
    accepted = session.nominations.filter(status=Nomination.Status.ACCEPTED).count()
    no_shows = lifecycle.without_attendance(session)
    return render(
        request,
        "training/session_complete.html",
        {
            "session": session,
            "form": form,
            "accepted": accepted,
            "no_shows": no_shows,
            "blockers": [b for b in found if not b.advisory],
            "needs_override": bool(lifecycle.refusing(found)),
            "refused": lifecycle.refusing(found, override=permissions.can_override_dates(user)),
        },
    )


@login_required
@require_POST
def session_decide(request, pk):
    """Accept or reject the selected nominations, all or nothing, after a
    confirmation that lists them (the first POST; the POST with ``confirm``
    decides)."""
    user = request.user
    session = get_visible(Session, user, pk=pk)
    if not permissions.can_decide(user):
        raise PermissionDenied
    data = request.POST.copy()
    if data.get("select") == "pending":
        data["decision"] = "accept"
    form = DecideForm(data)
    if not form.is_valid():
        for errors in form.errors.values():
            for text in errors:
                messages.error(request, text)
        return redirect(f"{session.get_absolute_url()}#nominations")
    decision = form.cleaned_data["decision"]
    ids = form.cleaned_data["nominations"]
    if form.cleaned_data["select"] == "pending":
        ids = list(
            Nomination.objects.visible_to(user)
            .filter(session=session, status=Nomination.Status.NOMINATED)
            .values_list("pk", flat=True)
        )
    if not ids:
        messages.error(request, _("Select at least one nomination."))
        return redirect(f"{session.get_absolute_url()}#nominations")
    errors = []
    if form.cleaned_data["confirm"]:
        try:
            decided = services.decide_many(
                user, session, ids, decision, reason=form.cleaned_data["reason"]
            )
        except (ValidationError, Conflict) as exc:
            errors = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
        else:
            n = len(decided)
            text = (
                ngettext("%(n)d nomination accepted.", "%(n)d nominations accepted.", n)
                if decision == "accept"
                else ngettext("%(n)d nomination rejected.", "%(n)d nominations rejected.", n)
            )
            messages.success(request, text % {"n": n})
            return redirect(f"{session.get_absolute_url()}#nominations")
    rows = list(selectors.session_nomination_rows(session, user).filter(pk__in=ids))
    return render(
        request,
        "training/session_decide.html",
        {
            "session": session,
            "rows": rows,
            "decision": decision,
            "reason": form.cleaned_data["reason"],
            "errors": errors,
        },
        status=400 if errors else 200,
    )


@login_required
@require_POST
def session_joining(request, pk):
    session = get_visible(Session, request.user, pk=pk)
    sent = {}

    def run():
        sent["n"] = services.send_joining_instructions(request.user, session)

    _act(request, run, _("Joining instructions sent."))
    return redirect(session.get_absolute_url())


@login_required
@require_POST
def session_assign(request, pk):
    session = get_visible(Session, request.user, pk=pk)
    check_change(request.user, session)
    form = AssignmentForm(request.POST, instructors=selectors.instructors(request.user))
    if form.is_valid():
        _act(
            request,
            lambda: services.assign(
                request.user, session, form.cleaned_data["instructor"], form.cleaned_data["role"]
            ),
            _("Instructor assigned."),
        )
    else:
        messages.error(request, _("Choose an instructor and a role."))
    return redirect(session.get_absolute_url())


@login_required
@require_POST
def assignment_delete(request, pk):
    assignment = get_visible(Assignment, request.user, pk=pk)
    session = assignment.session
    _act(request, lambda: services.unassign(request.user, assignment), _("Assignment removed."))
    return redirect(session.get_absolute_url())
