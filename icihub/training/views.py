"""Pages of the Regional Centre's training: the catalogue, sessions with their
seats and nominations, attendance, evaluations, certificates, instructors, the
calendar and the participants' and instructors' own pages. Views parse input,
call a selector or a service, and render; every read goes through the access
model (a record the user may not see answers 404)."""

from __future__ import annotations

import datetime as dt
import secrets
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, CharField, Count, Prefetch, Value, When
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from icihub.core import audit
from icihub.core.access import (
    STAFF_ROLES,
    Role,
    can_change,
    check_change,
    get_visible,
    is_staff,
    policy_for,
    require_role,
    role_of,
)
from icihub.core.errors import Conflict
from icihub.core.forms import add_service_errors
from icihub.core.listing import Filter, ListPage
from icihub.core.models import Citation
from icihub.core.text import attach
from icihub.menu.models import Activity, Area
from icihub.partners.models import Country
from icihub.partners.selectors import eligible_countries

from . import exports, ical, imports, selectors, services
from .forms import (
    AssignmentForm,
    CourseForm,
    EvaluationForm,
    ImportForm,
    InstructorForm,
    NominateForm,
    ParticipantForm,
    QuotaForm,
    ReasonForm,
    RequiredReasonForm,
    SessionForm,
    StateForm,
    SubstituteForm,
    TripForm,
)
from .models import (
    EVALUATION_QUESTIONS,
    Assignment,
    Certificate,
    Course,
    Evaluation,
    Instructor,
    Nomination,
    Participant,
    Session,
)
from .privacy_views import participant_privacy_context

# -- helpers ------------------------------------------------------------------------------


def _back(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _act(request, call, success: str) -> bool:
    """Run a service call for a POST action; report its outcome as a message."""
    try:
        call()
    except ValidationError as exc:
        for text in exc.messages:
            messages.error(request, text)
        return False
    except Conflict as exc:
        messages.error(request, str(exc))
        return False
    messages.success(request, success)
    return True


def _can_create(user, model) -> bool:
    return policy_for(model).can_create(user)


def _area_choices(request):
    return [(a.code, a.name) for a in Area.objects.order_by("position", "name")]


def _country_choices(request):
    if role_of(request.user) == Role.COORDINATOR:
        countries = Country.objects.filter(pk=request.user.country_id)
    else:
        countries = Country.objects.filter(
            pk__in=Participant.objects.visible_to(request.user).values("country_id")
        )
    return [(c.iso3, c.name) for c in countries.order_by("name")]


def _year_choices(request):
    years = Session.objects.visible_to(request.user).dates("start", "year", order="DESC")
    return [(str(d.year), str(d.year)) for d in years]


# -- the catalogue --------------------------------------------------------------------------

COURSE_LIST = ListPage(
    template="training/course_list.html",
    results_template="training/_course_results.html",
    search_fields=["search_text"],
    filters=[
        Filter("area", gettext_lazy("Area"), "areas__code", _area_choices, distinct=True),
        Filter("delivery", gettext_lazy("Delivery"), "delivery", Course.Delivery.choices),
        Filter("level", gettext_lazy("Level"), "level", Activity.Level.choices),
        Filter("status", gettext_lazy("Status"), "status", Activity.Status.choices),
    ],
)


def course_list(request):
    return COURSE_LIST.render(
        request,
        selectors.courses(request.user),
        {"can_create": _can_create(request.user, Course)},
    )


def course_detail(request, pk):
    citations = Prefetch(
        "citations", queryset=Citation.objects.visible_to(request.user).select_related("source")
    )
    course = get_visible(
        selectors.courses(request.user).prefetch_related(citations), request.user, pk=pk
    )
    sessions = selectors.sessions(request.user).filter(course=course).order_by("-start")
    context = {
        "course": course,
        "sessions": sessions,
        "can_edit": can_change(request.user, course),
        "can_schedule": _can_create(request.user, Session) and course.status == "active",
        "evaluation": selectors.course_evaluation_summary(course)
        if selectors.can_see_course_evaluations(request.user)
        else None,
        "questions": EVALUATION_QUESTIONS,
    }
    return render(request, "training/course_detail.html", context)


def _course_form_page(request, form, save, title, cancel, obj=None):
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            course = save(data)
        except (ValidationError, Conflict) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Course “%(c)s” saved.") % {"c": course.code})
            return redirect("training:course_detail", pk=course.pk)
    return render(
        request,
        "training/form.html",
        {"form": form, "title": title, "cancel": cancel, "object": obj},
    )


@login_required
def course_create(request):
    if not _can_create(request.user, Course):
        raise PermissionDenied
    form = CourseForm(request.POST or None)
    return _course_form_page(
        request,
        form,
        lambda data: services.create_course(request.user, data),
        _("New course"),
        reverse("training:course_list"),
    )


@login_required
def course_edit(request, pk):
    course = get_visible(Course, request.user, pk=pk)
    check_change(request.user, course)
    form = CourseForm(request.POST or None, instance=course)
    return _course_form_page(
        request,
        form,
        lambda data: services.update_course(request.user, course, data),
        _("Edit %(c)s") % {"c": course.code},
        course.get_absolute_url(),
        course,
    )


# -- sessions ---------------------------------------------------------------------------------

SESSION_LIST = ListPage(
    template="training/session_list.html",
    results_template="training/_session_results.html",
    search_fields=["course__search_text", "reference", "venue"],
    filters=[
        Filter("state", gettext_lazy("State"), "state", Session.State.choices),
        Filter("year", gettext_lazy("Year"), "start__year", _year_choices),
        Filter("area", gettext_lazy("Area"), "course__areas__code", _area_choices, distinct=True),
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


def session_detail(request, pk):
    user = request.user
    session = get_visible(selectors.sessions(user), user, pk=pk)
    nominations = list(selectors.session_nomination_rows(session, user))
    staff = is_staff(user)
    role = role_of(user)
    manage = staff and can_change(user, session)
    context = {
        "session": session,
        "course": session.course,
        "nominations": nominations,
        "seat_rows": selectors.seat_table(session, user),
        "assignments": selectors.assignments(user).filter(session=session),
        "trips": selectors.trips(user).filter(sessions=session),
        "manage": manage,
        "can_decide": staff,
        "can_withdraw": staff or role == Role.COORDINATOR,
        "can_nominate": (staff or role == Role.COORDINATOR) and session.accepts_nominations(),
        "can_attend": session.state == Session.State.RUNNING
        and services.can_take_attendance(user, session),
        "evaluation": selectors.evaluation_summary(session)
        if selectors.can_see_evaluations(user, session)
        else None,
        "questions": EVALUATION_QUESTIONS,
        "state_form": StateForm(
            initial={"state": session.state},
        )
        if manage
        else None,
        "next_states": [
            (state.value, state.label)
            for state in Session.State
            if state in services.TRANSITIONS[session.state]
        ],
        "reallocation_rule": REALLOCATION_RULE,
        "today": timezone.localdate(),
        "certificates": sum(1 for n in nominations if n.issued_certificate),
    }
    if manage:
        context["assign_form"] = AssignmentForm(
            instructors=selectors.instructors(user).filter(is_active=True)
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
                request.user, session, state, reason=form.cleaned_data["reason"]
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
    session = get_visible(Session, request.user, pk=pk)
    counts = {}

    def run():
        counts.update(services.complete_session(request.user, session))

    if _act(request, run, _("The session is completed.")):
        messages.info(
            request,
            _("Completed: %(c)d; not completed: %(n)d; no-shows: %(x)d.")
            % {
                "c": counts.get("completed", 0),
                "n": counts.get("not_completed", 0),
                "x": counts.get("no_show", 0),
            },
        )
    return redirect(session.get_absolute_url())


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


# -- nominating ------------------------------------------------------------------------------


@login_required
def session_nominate(request, pk):
    """A coordinator (or staff) nominates people in priority order."""
    user = request.user
    session = get_visible(selectors.sessions(user), user, pk=pk)
    if role_of(user) not in STAFF_ROLES and role_of(user) != Role.COORDINATOR:
        raise PermissionDenied
    taken = session.nominations.filter(status__in=Nomination.ACTIVE).values("participant_id")
    eligible = eligible_countries(session.course, on=session.start)
    candidates = (
        selectors.participants(user)
        .filter(country__in=eligible, anonymised_at__isnull=True)
        .exclude(pk__in=taken)
        .order_by("country__name", "family_name", "given_name")
    )
    query = request.GET.get("q", "").strip()
    if query:
        from icihub.core.listing import search

        candidates = search(candidates, query, ["search_text"])
    candidates = list(candidates[:300])
    form = NominateForm(request.POST or None, candidates=candidates)
    if request.method == "POST" and form.is_valid():
        people = form.people_in_order()
        try:
            made = services.nominate_many(user, session, people, reason=form.cleaned_data["reason"])
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
    own_seats = selectors.seat_table(session, user)
    return render(
        request,
        "training/session_nominate.html",
        {
            "session": session,
            "form": form,
            "candidates": [(p, form[f"priority_{p.pk}"]) for p in candidates],
            "query": query,
            "seat_rows": own_seats,
            "open": session.accepts_nominations(),
        },
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
    substitutes = None
    if (staff or role_of(user) == Role.COORDINATOR) and nomination.is_active:
        taken = nomination.session.nominations.filter(status__in=Nomination.ACTIVE).values(
            "participant_id"
        )
        substitutes = (
            selectors.participants(user)
            .filter(country_id=nomination.country_id, anonymised_at__isnull=True)
            .exclude(pk__in=taken)
            .order_by("family_name", "given_name")
        )
    try:
        evaluation = nomination.evaluation
    except Evaluation.DoesNotExist:
        evaluation = None
    certificate = nomination.visible_certificate  # through the Certificate policy
    own = role_of(user) == Role.PARTICIPANT and nomination.participant.user_id == user.pk
    context = {
        "nomination": nomination,
        "session": nomination.session,
        "can_decide": staff and nomination.is_active,
        "can_withdraw": nomination.is_active and can_change(user, nomination),
        "substitute_form": SubstituteForm(candidates=substitutes)
        if substitutes is not None
        else None,
        "evaluation": evaluation if (staff or own) else None,
        "can_evaluate": (
            nomination.status == Nomination.Status.ACCEPTED
            and evaluation is None
            and nomination.session.state in (Session.State.RUNNING, Session.State.COMPLETED)
            and (staff or own)
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
    return redirect(_back(request, nomination.get_absolute_url()))


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
    return redirect(_back(request, nomination.get_absolute_url()))


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
    return redirect(_back(request, nomination.get_absolute_url()))


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
        lambda: services.issue_certificate(request.user, nomination),
        _("Certificate issued."),
    )
    return redirect(_back(request, nomination.get_absolute_url()))


# -- attendance, completion, evaluation ------------------------------------------------------


@login_required
def session_attendance(request, pk):
    user = request.user
    session = get_visible(selectors.sessions(user), user, pk=pk)
    if not services.can_take_attendance(user, session):
        raise PermissionDenied(_("Instructors record attendance for their own sessions only."))
    nominations = list(
        session.nominations.filter(status=Nomination.Status.ACCEPTED)
        .select_related("participant", "country")
        .prefetch_related("attendance")
        .order_by("country__name", "participant__family_name")
    )
    days = session.days
    if request.method == "POST":
        marks = {}
        for nomination in nominations:
            marks[nomination.pk] = {
                day for day in days if request.POST.get(f"p-{nomination.pk}-{day:%Y%m%d}")
            }
        if _act(
            request,
            lambda: services.record_attendance(user, session, marks),
            _("Attendance saved."),
        ):
            return redirect(reverse("training:session_attendance", args=[session.pk]))
    rows = []
    for nomination in nominations:
        present = {a.day: a.present for a in nomination.attendance.all()}
        rows.append(
            {
                "nomination": nomination,
                "cells": [
                    {
                        "day": day,
                        "name": f"p-{nomination.pk}-{day:%Y%m%d}",
                        "present": present.get(day),
                    }
                    for day in days
                ],
            }
        )
    return render(
        request,
        "training/session_attendance.html",
        {
            "session": session,
            "days": days,
            "rows": rows,
            "editable": session.state == Session.State.RUNNING,
            "rule": session.course.min_attendance_percent,
        },
    )


@login_required
def evaluation_form(request, pk):
    nomination = _nomination(request, pk)
    services.evaluation_source(request.user, nomination)  # 403 before showing the form
    form = EvaluationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.submit_evaluation(
                request.user, nomination, form.scores(), comments=form.cleaned_data["comments"]
            )
        except PermissionDenied:
            raise
        except (ValidationError, Conflict) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Thank you: the evaluation is recorded."))
            if role_of(request.user) == Role.PARTICIPANT:
                return redirect("training:my_training")
            return redirect(nomination.session.get_absolute_url())
    return render(
        request,
        "training/evaluation_form.html",
        {"form": form, "nomination": nomination, "session": nomination.session},
    )


# -- certificates ---------------------------------------------------------------------------

CERTIFICATE_LIST = ListPage(
    template="training/certificate_list.html",
    results_template="training/_certificate_results.html",
    search_fields=[
        "code",
        "nomination__participant__search_text",
        "nomination__session__reference",
    ],
    filters=[
        Filter(
            "state",
            gettext_lazy("State"),
            "state",
            [("valid", gettext_lazy("valid")), ("revoked", gettext_lazy("revoked"))],
        ),
        Filter("year", gettext_lazy("Year"), "nomination__session__start__year", _year_choices),
        Filter("country", gettext_lazy("Country"), "nomination__country__iso3", _country_choices),
    ],
)


@login_required
def certificate_list(request):
    """The register of issued and revoked certificates."""
    qs = selectors.certificates(request.user).annotate(
        state=Case(
            When(revoked_at__isnull=True, then=Value("valid")),
            default=Value("revoked"),
            output_field=CharField(),
        )
    )
    return CERTIFICATE_LIST.render(request, qs)


@login_required
def certificate_detail(request, pk):
    certificate = get_visible(selectors.certificates(request.user), request.user, pk=pk)
    return render(
        request,
        "training/certificate_detail.html",
        {
            "certificate": certificate,
            "can_revoke": certificate.is_valid and can_change(request.user, certificate),
            "form": RequiredReasonForm(),
        },
    )


@login_required
def certificate_pdf(request, pk):
    from .certificates import render_pdf

    certificate = get_visible(selectors.certificates(request.user), request.user, pk=pk)
    pdf = render_pdf(certificate)
    audit.log_event(audit.Action.EXPORT, certificate, message="certificate PDF", actor=request.user)
    response = HttpResponse(pdf, content_type="application/pdf")
    attach(response, f"certificate-{certificate.code}.pdf")
    return response


@login_required
@require_POST
def certificate_revoke(request, pk):
    certificate = get_visible(Certificate, request.user, pk=pk)
    _act(
        request,
        lambda: services.revoke_certificate(
            request.user, certificate, reason=request.POST.get("reason", "")
        ),
        _("Certificate revoked."),
    )
    return redirect("training:certificate_detail", pk=certificate.pk)


@login_required
@require_POST
def session_certify(request, pk):
    session = get_visible(Session, request.user, pk=pk)
    result = {}

    def run():
        result["r"] = services.issue_certificates(request.user, session)

    if _act(request, run, _("Certificates issued.")):
        issued, skipped = result["r"]
        messages.info(request, _("%(n)d certificates issued.") % {"n": len(issued)})
        for reason in skipped[:10]:
            messages.warning(request, reason)
    return redirect(session.get_absolute_url())


@login_required
def session_certificates_zip(request, pk):
    from .certificates import certificates_zip

    session = get_visible(Session, request.user, pk=pk)
    require_role(request.user, *STAFF_ROLES)
    certificates = list(
        selectors.certificates(request.user).filter(
            nomination__session=session, revoked_at__isnull=True
        )
    )
    if not certificates:
        messages.error(request, _("No certificates to download yet."))
        return redirect(session.get_absolute_url())
    body = certificates_zip(certificates)
    audit.log_event(
        audit.Action.EXPORT,
        session,
        message=f"certificates ZIP: {len(certificates)} certificates",
        actor=request.user,
    )
    response = HttpResponse(body, content_type="application/zip")
    attach(response, f"certificates-{session.reference}.zip")
    return response


def verify_certificate(request, code):
    """Public: says whether a certificate is valid or revoked, and nothing more."""
    state = selectors.certificate_state(services.normalise_code(code))
    response = render(
        request,
        "training/verify.html",
        {"state": state, "code": services.normalise_code(code)},
        status=200 if state else 404,
    )
    response["X-Robots-Tag"] = "noindex"
    return response


# -- participants -------------------------------------------------------------------------

PARTICIPANT_LIST = ListPage(
    template="training/participant_list.html",
    results_template="training/_participant_results.html",
    search_fields=["search_text"],
    filters=[
        Filter("country", gettext_lazy("Country"), "country__iso3", _country_choices),
        Filter("service", gettext_lazy("Service"), "service", Participant.Service.choices),
        Filter(
            "rank_code", gettext_lazy("NATO rank code"), "rank_code", Participant.RankCode.choices
        ),
    ],
)


@login_required
def participant_list(request):
    return PARTICIPANT_LIST.render(
        request,
        selectors.participants(request.user),
        {
            "can_create": _can_create(request.user, Participant)
            or role_of(request.user) == Role.COORDINATOR
        },
    )


@login_required
def participant_export(request, fmt):
    if fmt not in ("csv", "xlsx"):
        raise Http404
    rows = (exports.participant_row(p) for p in selectors.participants(request.user).iterator())
    return exports.respond(
        request.user,
        "participants",
        exports.PARTICIPANT_HEADER,
        rows,
        fmt,
        description="participants",
    )


@login_required
def participant_detail(request, pk):
    participant = get_visible(selectors.participants(request.user), request.user, pk=pk)
    nominations = selectors.with_certificates(
        selectors.nominations(request.user).filter(participant=participant),
        request.user,
    ).order_by("-session__start")
    return render(
        request,
        "training/participant_detail.html",
        {
            "participant": participant,
            "nominations": nominations,
            "can_edit": can_change(request.user, participant),
            **participant_privacy_context(request.user, participant),
        },
    )


def _participant_data(form) -> dict:
    data = dict(form.cleaned_data)
    if "user" not in form.fields:
        data.pop("user", None)
    return data


@login_required
def participant_create(request):
    role = role_of(request.user)
    if role not in STAFF_ROLES and role != Role.COORDINATOR:
        raise PermissionDenied
    form = ParticipantForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            participant = services.create_participant(request.user, _participant_data(form))
        except (ValidationError, Conflict) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("%(n)s recorded.") % {"n": participant.full_name})
            return redirect(participant.get_absolute_url())
    return render(
        request,
        "training/form.html",
        {
            "form": form,
            "title": _("New participant"),
            "lead": _(
                "One person is one participant: a person already recorded (same "
                "country and e-mail, or same name not contradicted by e-mail or date "
                "of birth) is refused and pointed to."
            ),
            "cancel": reverse("training:participant_list"),
        },
    )


@login_required
def participant_edit(request, pk):
    participant = get_visible(Participant, request.user, pk=pk)
    check_change(request.user, participant)
    initial = {
        name: getattr(participant, name) for name in ParticipantForm.base_fields if name != "user"
    }
    initial["country"] = participant.country.iso3
    initial["user"] = participant.user.username if participant.user else None
    form = ParticipantForm(request.POST or None, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_participant(request.user, participant, _participant_data(form))
        except (ValidationError, Conflict) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(participant.get_absolute_url())
    return render(
        request,
        "training/form.html",
        {
            "form": form,
            "title": _("Edit %(n)s") % {"n": participant.full_name},
            "cancel": participant.get_absolute_url(),
            "object": participant,
        },
    )


# -- import ---------------------------------------------------------------------------------


def _import_dir() -> Path:
    """Where an uploaded file waits between the dry run and the commit (named by
    a random token kept in the uploader's session). Files left for a day are
    removed at the next upload."""
    path = Path(settings.DATA_DIR) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _remove_stale_uploads(max_age_seconds: int = 24 * 3600) -> None:
    import time

    limit = time.time() - max_age_seconds
    for stale in _import_dir().glob("*"):
        try:
            if stale.is_file() and stale.stat().st_mtime < limit:
                stale.unlink()
        except OSError:
            continue


@login_required
def import_page(request, pk=None):
    """Upload a CSV/XLSX, see the dry run, then commit (all or nothing)."""
    user = request.user
    role = role_of(user)
    if role not in STAFF_ROLES and role != Role.COORDINATOR:
        raise PermissionDenied
    session = get_visible(selectors.sessions(user), user, pk=pk) if pk else None
    form = ImportForm()
    result = None
    pending = request.session.get("training_import")
    if request.method == "POST" and request.POST.get("action") == "commit" and pending:
        path = _import_dir() / pending["file"]
        if not path.exists() or pending.get("session") != (session.pk if session else None):
            messages.error(request, _("Upload the file again."))
        else:
            try:
                rows = imports.read_table(pending["name"], path.read_bytes())
                result = imports.run(
                    user, rows, default_session=session, commit=True, source_name=pending["name"]
                )
            except (ValidationError, Conflict) as exc:
                messages.error(request, "; ".join(getattr(exc, "messages", [str(exc)])))
            else:
                if result.committed:
                    path.unlink(missing_ok=True)
                    request.session.pop("training_import", None)
                    messages.success(request, result.summary())
                    return redirect(
                        session.get_absolute_url()
                        if session
                        else reverse("training:participant_list")
                    )
                messages.error(request, _("Nothing was imported: fix the rows with errors."))
    elif request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                if upload.size > settings.ICIHUB_MAX_UPLOAD_BYTES:
                    raise imports.ImportFileError({"file": _("The file is too large.")})
                data = upload.read()
                rows = imports.read_table(upload.name, data)
                result = imports.run(user, rows, default_session=session, commit=False)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                _remove_stale_uploads()
                suffix = ".xlsx" if upload.name.lower().endswith(".xlsx") else ".csv"
                token = secrets.token_hex(16) + suffix
                (_import_dir() / token).write_bytes(data)
                request.session["training_import"] = {
                    "file": token,
                    "name": Path(upload.name).name[:100],
                    "session": session.pk if session else None,
                }
    shown = None
    if result is not None:
        bad = [row for row in result.rows if row.errors]
        good = [row for row in result.rows if not row.errors][:200]
        shown = bad[:500] + good
    return render(
        request,
        "training/import.html",
        {
            "session": session,
            "form": form,
            "result": result,
            "shown": shown,
            "columns": imports.COLUMNS,
            "max_mb": settings.ICIHUB_MAX_UPLOAD_BYTES // (1024 * 1024),
        },
    )


@login_required
def session_export(request, pk, fmt):
    if fmt not in ("csv", "xlsx"):
        raise Http404
    session = get_visible(Session, request.user, pk=pk)
    rows = (
        exports.nomination_row(n)
        for n in selectors.session_nominations(session, request.user).iterator(chunk_size=500)
    )
    return exports.respond(
        request.user,
        f"nominations-{session.reference}",
        exports.NOMINATION_HEADER,
        rows,
        fmt,
        description=f"nominations of {session.reference}",
    )


# -- instructors and trips -----------------------------------------------------------------


def _organisation_choices(request):
    from icihub.partners.models import Organisation

    ids = Instructor.objects.visible_to(request.user).values("organisation_id")
    return [(o.slug, str(o)) for o in Organisation.objects.filter(pk__in=ids).order_by("name")]


INSTRUCTOR_LIST = ListPage(
    template="training/instructor_list.html",
    results_template="training/_instructor_results.html",
    search_fields=["full_name", "name_ar", "organisation__name", "organisation__acronym"],
    filters=[
        Filter(
            "organisation",
            gettext_lazy("Home organisation"),
            "organisation__slug",
            _organisation_choices,
        ),
    ],
)


@login_required
def instructor_list(request):
    return INSTRUCTOR_LIST.render(
        request,
        selectors.instructors(request.user)
        .annotate(
            trip_count=Count("trips", distinct=True),
            session_count=Count("assignments", distinct=True),
        )
        .order_by("full_name", "pk"),
        {"can_create": _can_create(request.user, Instructor)},
    )


@login_required
def instructor_detail(request, pk):
    instructor = get_visible(selectors.instructors(request.user), request.user, pk=pk)
    return render(
        request,
        "training/instructor_detail.html",
        {
            "instructor": instructor,
            "assignments": selectors.assignments(request.user)
            .filter(instructor=instructor)
            .order_by("-session__start"),
            "trips": selectors.trips(request.user).filter(instructor=instructor),
            "can_edit": can_change(request.user, instructor),
        },
    )


def _instructor_form_page(request, form, save, title, cancel, obj=None):
    if request.method == "POST" and form.is_valid():
        try:
            instructor = save(dict(form.cleaned_data))
        except (ValidationError, Conflict) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(instructor.get_absolute_url())
    return render(
        request,
        "training/form.html",
        {"form": form, "title": title, "cancel": cancel, "object": obj},
    )


@login_required
def instructor_create(request):
    if not _can_create(request.user, Instructor):
        raise PermissionDenied
    return _instructor_form_page(
        request,
        InstructorForm(request.POST or None),
        lambda data: services.create_instructor(request.user, data),
        _("New instructor or expert"),
        reverse("training:instructor_list"),
    )


@login_required
def instructor_edit(request, pk):
    instructor = get_visible(Instructor, request.user, pk=pk)
    check_change(request.user, instructor)
    return _instructor_form_page(
        request,
        InstructorForm(request.POST or None, instance=instructor),
        lambda data: services.update_instructor(request.user, instructor, data),
        _("Edit %(n)s") % {"n": instructor.full_name},
        instructor.get_absolute_url(),
        instructor,
    )


@login_required
def trip_create(request, pk):
    instructor = get_visible(Instructor, request.user, pk=pk)
    check_change(request.user, instructor)
    sessions = (
        Session.objects.filter(assignments__instructor=instructor)
        .select_related("course")
        .order_by("-start")
    )
    form = TripForm(request.POST or None, sessions=sessions)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.create_trip(
                request.user,
                instructor,
                origin=data["origin"],
                arrival=data["arrival"],
                departure=data["departure"],
                sessions=list(data["sessions"]),
                notes=data["notes"],
            )
        except (ValidationError, Conflict) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Trip recorded."))
            return redirect(instructor.get_absolute_url())
    return render(
        request,
        "training/form.html",
        {
            "form": form,
            "title": _("New trip of %(n)s") % {"n": instructor.full_name},
            "cancel": instructor.get_absolute_url(),
        },
    )


# -- calendar --------------------------------------------------------------------------------


def calendar(request):
    user = request.user
    view = request.GET.get("view", "month")
    today = timezone.localdate()
    try:
        year, month = (int(part) for part in request.GET.get("month", "").split("-"))
        first = dt.date(year, month, 1)
    except (ValueError, TypeError):
        first = today.replace(day=1)
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
