"""Pages of the partner registry: lists with search, filters and pagination
(htmx fragments of ``#results``), record pages with their sourced facts, and
the staff's forms. Views parse input, call a selector or a service, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import F
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from icihub.core.access import can_change, check_change, check_create, get_visible, policy_for
from icihub.core.errors import Conflict
from icihub.core.listing import Filter, ListPage
from icihub.core.models import Citation
from icihub.core.text import local

from . import selectors, services
from .filters import (
    CountryFilters,
    FrameworkFilters,
    OrganisationFilters,
    PartnershipFilters,
    PersonFilters,
)
from .forms import (
    AppointmentForm,
    CitationForm,
    CountryForm,
    FrameworkForm,
    OrganisationForm,
    PartnershipForm,
    PersonForm,
)
from .models import Appointment, Country, Framework, Grouping, Organisation, Partnership, Person

# -- helpers ---------------------------------------------------------------------------


def _can_create(user, model) -> bool:
    return policy_for(model).can_create(user)


def record_url(obj) -> str:
    """The page of a registry record (an appointment is shown on its person's page)."""
    if isinstance(obj, Framework):
        return reverse("partners:framework_detail", args=[obj.code])
    if isinstance(obj, Country):
        return reverse("partners:country_detail", args=[obj.iso3])
    if isinstance(obj, Grouping):
        return reverse("partners:grouping_detail", args=[obj.code])
    if isinstance(obj, Partnership):
        return reverse("partners:partnership_detail", args=[obj.pk])
    if isinstance(obj, Organisation):
        return reverse("partners:organisation_detail", args=[obj.slug])
    if isinstance(obj, Person):
        return reverse("partners:person_detail", args=[obj.slug])
    if isinstance(obj, Appointment):
        return reverse("partners:person_detail", args=[obj.person.slug])
    raise Http404


def _form_page(request, *, form, save, template, context, message):
    """Validate ``form``, hand its data to ``save`` (a service call), show the
    service's field errors on the form, or go to the saved record's page."""
    if request.method == "POST" and form.is_valid():
        try:
            obj = save(form.cleaned_data)
        except (ValidationError, Conflict) as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, message % {"name": obj})
            return redirect(record_url(obj))
    return render(request, template, {"form": form, **context})


def _delete_page(request, obj, delete, *, back: str, done: str):
    try:
        delete(request.user, obj, reason=request.POST.get("reason", ""))
    except Conflict as exc:
        messages.error(request, str(exc))
        return redirect(back)
    messages.success(request, _("“%(name)s” deleted.") % {"name": obj})
    return redirect(done)


def _visible_choices(model, label):
    def choices(request):
        return [(obj.code, label(obj)) for obj in model.objects.visible_to(request.user)]

    return choices


def _countries_having(relation_model, lookup="country"):
    """Filter options: the countries of the visible rows of ``relation_model``."""

    def choices(request):
        ids = relation_model.objects.visible_to(request.user).values(f"{lookup}_id")
        countries = Country.objects.visible_to(request.user).filter(pk__in=ids)
        return sorted(((c.iso3, local(c)) for c in countries), key=lambda pair: pair[1])

    return choices


# -- frameworks ----------------------------------------------------------------------------

FRAMEWORK_LIST = ListPage(
    template="partners/framework_list.html",
    results_template="partners/_framework_results.html",
    filterset=FrameworkFilters,
)


def framework_list(request):
    return FRAMEWORK_LIST.render(
        request,
        selectors.frameworks(request.user),
        {"can_create": _can_create(request.user, Framework)},
    )


def framework_detail(request, code):
    framework = get_visible(selectors.frameworks(request.user), request.user, code=code)
    partnerships = list(
        selectors.partnerships(request.user)
        .filter(framework=framework)
        .order_by("status", F("accession").asc(nulls_last=True), "country__name")
    )
    groups = [
        (status, label, [p for p in partnerships if p.status == status])
        for status, label in Partnership.Status.choices
    ]
    return render(
        request,
        "partners/framework_detail.html",
        {
            "framework": framework,
            "groups": [g for g in groups if g[2]],
            "can_edit": can_change(request.user, framework),
        },
    )


@login_required
def framework_create(request):
    check_create(request.user, Framework)
    form = FrameworkForm(request.POST or None, user=request.user)
    return _form_page(
        request,
        form=form,
        save=lambda data: services.create_framework(request.user, data),
        template="partners/form.html",
        context={"title": _("New framework"), "cancel": reverse("partners:framework_list")},
        message=_("Framework “%(name)s” created."),
    )


@login_required
def framework_edit(request, code):
    framework = get_visible(Framework, request.user, code=code)
    check_change(request.user, framework)
    form = FrameworkForm(request.POST or None, instance=framework, user=request.user)
    return _form_page(
        request,
        form=form,
        save=lambda data: services.update_framework(request.user, framework, data),
        template="partners/form.html",
        context={
            "title": _("Edit %(name)s") % {"name": framework},
            "object": framework,
            "cancel": record_url(framework),
            "delete_url": reverse("partners:framework_delete", args=[framework.code]),
        },
        message=_("Framework “%(name)s” saved."),
    )


@login_required
@require_POST
def framework_delete(request, code):
    framework = get_visible(Framework, request.user, code=code)
    return _delete_page(
        request,
        framework,
        services.delete_framework,
        back=record_url(framework),
        done=reverse("partners:framework_list"),
    )


# -- countries -------------------------------------------------------------------------------

COUNTRY_LIST = ListPage(
    template="partners/country_list.html",
    results_template="partners/_country_results.html",
    # Through *visible* partnerships and groupings only (one partnership
    # meeting framework and status together): a hidden row never decides
    # what is listed.
    filterset=CountryFilters,
    filters=[
        Filter(
            "framework",
            gettext_lazy("Framework"),
            choices=_visible_choices(Framework, lambda f: f.acronym),
        ),
        Filter("status", gettext_lazy("Status"), choices=Partnership.Status.choices),
        Filter(
            "grouping",
            gettext_lazy("Grouping"),
            choices=_visible_choices(Grouping, lambda g: g.acronym),
        ),
    ],
)


def country_list(request):
    """The registry's countries: it opens on those with a partnership the user
    may see; every ISO country when asked (``all=1``) or once a search or a
    filter chooses."""
    qs = selectors.countries(request.user)
    chosen = ("all", "q", "framework", "status", "grouping")
    every = any(request.GET.get(name) for name in chosen)
    if not every:
        qs = selectors.partner_countries(qs, request.user)
    return COUNTRY_LIST.render(
        request,
        qs,
        {"can_create": _can_create(request.user, Country), "every_country": every},
    )


def _country(request, code):
    qs = selectors.countries(request.user, detail=True).filter(selectors.country_q(code))
    return get_visible(qs, request.user)


def country_detail(request, iso3):
    country = _country(request, iso3)
    if iso3 != country.iso3:
        return redirect("partners:country_detail", iso3=country.iso3, permanent=False)
    organisations = list(
        selectors.organisations(request.user).filter(country=country).order_by("kind", "name")
    )
    return render(
        request,
        "partners/country_detail.html",
        {
            "country": country,
            "partnerships": list(country.partnerships.all()),
            "missions": [o for o in organisations if o.kind == Organisation.Kind.MISSION],
            "organisations": [o for o in organisations if o.kind != Organisation.Kind.MISSION],
            "people": list(selectors.people(request.user).filter(country=country)),
            "can_edit": can_change(request.user, country),
            "can_add_partnership": _can_create(request.user, Partnership),
        },
    )


@login_required
def country_edit(request, iso3):
    country = get_visible(Country, request.user, iso3=iso3.upper())
    check_change(request.user, country)
    form = CountryForm(request.POST or None, instance=country, user=request.user)
    return _form_page(
        request,
        form=form,
        save=lambda data: services.update_country(request.user, country, data),
        template="partners/form.html",
        context={
            "title": _("Edit %(name)s") % {"name": country},
            "object": country,
            "cancel": record_url(country),
        },
        message=_("Country “%(name)s” saved."),
    )


# -- groupings --------------------------------------------------------------------------------


def grouping_detail(request, code):
    grouping = get_visible(
        Grouping.objects.select_related("secretariat").prefetch_related(
            selectors.citations_prefetch(request.user)
        ),
        request.user,
        code=code.lower(),
    )
    members = list(selectors.countries(request.user).filter(groupings=grouping).order_by("name"))
    secretariat = None
    if grouping.secretariat_id:
        secretariat = (
            selectors.organisations(request.user).filter(pk=grouping.secretariat_id).first()
        )
    return render(
        request,
        "partners/grouping_detail.html",
        {
            "grouping": grouping,
            "members": members,
            "secretariat": secretariat,
            "organisations": list(selectors.organisations(request.user).filter(grouping=grouping)),
            "can_edit": can_change(request.user, grouping),
        },
    )


# -- partnerships ---------------------------------------------------------------------------------

PARTNERSHIP_LIST = ListPage(
    template="partners/partnership_list.html",
    results_template="partners/_partnership_results.html",
    search_fields=["country__search_text", "framework__search_text", "notes"],
    filterset=PartnershipFilters,
    filters=[
        Filter(
            "framework",
            gettext_lazy("Framework"),
            choices=_visible_choices(Framework, lambda f: f.acronym),
        ),
        Filter("status", gettext_lazy("Status"), choices=Partnership.Status.choices),
        Filter("country", gettext_lazy("Country"), choices=_countries_having(Partnership)),
    ],
)


def partnership_list(request):
    qs = selectors.partnerships(request.user).order_by(
        "framework__launched", "framework__name", "accession", "country__name"
    )
    return PARTNERSHIP_LIST.render(
        request, qs, {"can_create": _can_create(request.user, Partnership)}
    )


def partnership_detail(request, pk):
    partnership = get_visible(selectors.partnerships(request.user), request.user, pk=pk)
    others = list(
        selectors.partnerships(request.user)
        .filter(country_id=partnership.country_id)
        .exclude(pk=partnership.pk)
    )
    return render(
        request,
        "partners/partnership_detail.html",
        {
            "partnership": partnership,
            "others": others,
            "can_edit": can_change(request.user, partnership),
        },
    )


@login_required
def partnership_create(request):
    check_create(request.user, Partnership)
    initial = {}
    code = request.GET.get("country")
    if code:
        initial["country"] = (
            Country.objects.visible_to(request.user)
            .filter(selectors.country_q(code))
            .values_list("pk", flat=True)
            .first()
        )
    if request.GET.get("framework"):
        initial["framework"] = (
            Framework.objects.visible_to(request.user)
            .filter(code=request.GET["framework"].lower())
            .values_list("pk", flat=True)
            .first()
        )
    form = PartnershipForm(request.POST or None, initial=initial, user=request.user)
    return _form_page(
        request,
        form=form,
        save=lambda data: services.create_partnership(request.user, data),
        template="partners/form.html",
        context={"title": _("New partnership"), "cancel": reverse("partners:partnership_list")},
        message=_("Partnership “%(name)s” created."),
    )


@login_required
def partnership_edit(request, pk):
    partnership = get_visible(
        Partnership.objects.select_related("country", "framework"), request.user, pk=pk
    )
    check_change(request.user, partnership)
    form = PartnershipForm(request.POST or None, instance=partnership, user=request.user)
    return _form_page(
        request,
        form=form,
        save=lambda data: services.update_partnership(request.user, partnership, data),
        template="partners/form.html",
        context={
            "title": _("Edit %(name)s") % {"name": partnership},
            "object": partnership,
            "cancel": record_url(partnership),
            "delete_url": reverse("partners:partnership_delete", args=[partnership.pk]),
        },
        message=_("Partnership “%(name)s” saved."),
    )


@login_required
@require_POST
def partnership_delete(request, pk):
    partnership = get_visible(
        Partnership.objects.select_related("country", "framework"), request.user, pk=pk
    )
    return _delete_page(
        request,
        partnership,
        services.delete_partnership,
        back=record_url(partnership),
        done=reverse("partners:country_detail", args=[partnership.country.iso3]),
    )


# -- organisations ----------------------------------------------------------------------------------

ORGANISATION_LIST = ListPage(
    template="partners/organisation_list.html",
    results_template="partners/_organisation_results.html",
    filterset=OrganisationFilters,
    filters=[
        Filter("kind", gettext_lazy("Kind"), choices=Organisation.Kind.choices),
        Filter("country", gettext_lazy("Country"), choices=_countries_having(Organisation)),
    ],
)


def organisation_list(request):
    return ORGANISATION_LIST.render(
        request,
        selectors.organisations(request.user),
        {"can_create": _can_create(request.user, Organisation)},
    )


def organisation_detail(request, slug):
    organisation = get_visible(selectors.organisations(request.user), request.user, slug=slug)
    related = selectors.organisations(request.user)
    return render(
        request,
        "partners/organisation_detail.html",
        {
            "organisation": organisation,
            "appointments": list(
                selectors.appointments(request.user)
                .filter(organisation=organisation)
                .order_by("-is_head", F("start").asc(nulls_last=True), "person__name")
            ),
            "children": list(related.filter(parent=organisation)),
            "missions": list(related.filter(accredited_to=organisation)),
            "can_edit": can_change(request.user, organisation),
        },
    )


@login_required
def organisation_create(request):
    check_create(request.user, Organisation)
    form = OrganisationForm(request.POST or None, user=request.user)
    return _form_page(
        request,
        form=form,
        save=lambda data: services.create_organisation(request.user, data),
        template="partners/form.html",
        context={
            "title": _("New organisation"),
            "cancel": reverse("partners:organisation_list"),
        },
        message=_("Organisation “%(name)s” created."),
    )


@login_required
def organisation_edit(request, slug):
    organisation = get_visible(Organisation, request.user, slug=slug)
    check_change(request.user, organisation)
    form = OrganisationForm(request.POST or None, instance=organisation, user=request.user)
    return _form_page(
        request,
        form=form,
        save=lambda data: services.update_organisation(request.user, organisation, data),
        template="partners/form.html",
        context={
            "title": _("Edit %(name)s") % {"name": organisation},
            "object": organisation,
            "cancel": record_url(organisation),
            "delete_url": reverse("partners:organisation_delete", args=[organisation.slug]),
        },
        message=_("Organisation “%(name)s” saved."),
    )


@login_required
@require_POST
def organisation_delete(request, slug):
    organisation = get_visible(Organisation, request.user, slug=slug)
    return _delete_page(
        request,
        organisation,
        services.delete_organisation,
        back=record_url(organisation),
        done=reverse("partners:organisation_list"),
    )


# -- people and appointments --------------------------------------------------------------------------

PERSON_LIST = ListPage(
    template="partners/person_list.html",
    results_template="partners/_person_results.html",
    filterset=PersonFilters,
    filters=[
        Filter("country", gettext_lazy("Country"), choices=_countries_having(Person)),
        # Through the *visible* appointments only.
        Filter(
            "organisation",
            gettext_lazy("Organisation"),
            choices=lambda request: [
                (o.slug, str(o))
                for o in Organisation.objects.visible_to(request.user).filter(
                    pk__in=Appointment.objects.visible_to(request.user).values("organisation_id")
                )
            ],
        ),
    ],
)


def person_list(request):
    qs = selectors.people(request.user)
    return PERSON_LIST.render(request, qs, {"can_create": _can_create(request.user, Person)})


def person_detail(request, slug):
    person = get_visible(selectors.people(request.user), request.user, slug=slug)
    return render(
        request,
        "partners/person_detail.html",
        {
            "person": person,
            "appointments": list(person.appointments.all()),
            "can_edit": can_change(request.user, person),
        },
    )


@login_required
def person_create(request):
    check_create(request.user, Person)
    form = PersonForm(request.POST or None, user=request.user)
    return _form_page(
        request,
        form=form,
        save=lambda data: services.create_person(request.user, data),
        template="partners/form.html",
        context={"title": _("New person"), "cancel": reverse("partners:person_list")},
        message=_("“%(name)s” created."),
    )


@login_required
def person_edit(request, slug):
    person = get_visible(Person, request.user, slug=slug)
    check_change(request.user, person)
    form = PersonForm(request.POST or None, instance=person, user=request.user)
    return _form_page(
        request,
        form=form,
        save=lambda data: services.update_person(request.user, person, data),
        template="partners/form.html",
        context={
            "title": _("Edit %(name)s") % {"name": person},
            "object": person,
            "cancel": record_url(person),
            "delete_url": reverse("partners:person_delete", args=[person.slug]),
        },
        message=_("“%(name)s” saved."),
    )


@login_required
@require_POST
def person_delete(request, slug):
    person = get_visible(Person, request.user, slug=slug)
    return _delete_page(
        request,
        person,
        services.delete_person,
        back=record_url(person),
        done=reverse("partners:person_list"),
    )


@login_required
def appointment_create(request, slug):
    person = get_visible(Person, request.user, slug=slug)
    check_change(request.user, person)
    check_create(request.user, Appointment)
    initial = {}
    if request.GET.get("organisation"):
        initial["organisation"] = (
            Organisation.objects.visible_to(request.user)
            .filter(slug=request.GET["organisation"])
            .values_list("pk", flat=True)
            .first()
        )
    form = AppointmentForm(request.POST or None, initial=initial, user=request.user)
    return _form_page(
        request,
        form=form,
        save=lambda data: services.create_appointment(request.user, {**data, "person": person}),
        template="partners/form.html",
        context={
            "title": _("New appointment of %(name)s") % {"name": person},
            "cancel": record_url(person),
        },
        message=_("Appointment “%(name)s” created."),
    )


@login_required
def appointment_edit(request, pk):
    appointment = get_visible(
        Appointment.objects.select_related("person", "organisation"), request.user, pk=pk
    )
    check_change(request.user, appointment)
    form = AppointmentForm(request.POST or None, instance=appointment, user=request.user)
    return _form_page(
        request,
        form=form,
        save=lambda data: services.update_appointment(request.user, appointment, data),
        template="partners/form.html",
        context={
            "title": _("Edit %(name)s") % {"name": appointment},
            "object": appointment,
            "cancel": record_url(appointment),
            "delete_url": reverse("partners:appointment_delete", args=[appointment.pk]),
        },
        message=_("Appointment “%(name)s” saved."),
    )


@login_required
@require_POST
def appointment_delete(request, pk):
    appointment = get_visible(
        Appointment.objects.select_related("person", "organisation"), request.user, pk=pk
    )
    return _delete_page(
        request,
        appointment,
        services.delete_appointment,
        back=reverse("partners:appointment_edit", args=[appointment.pk]),
        done=record_url(appointment),
    )


# -- citations ------------------------------------------------------------------------------------------

CITABLE = {model._meta.model_name: model for model in services.CITABLE}


def _citable(request, kind, pk):
    model = CITABLE.get(kind)
    if model is None:
        raise Http404(_("Not found."))
    return get_visible(model, request.user, pk=pk)


@login_required
def citation_create(request, kind, pk):
    subject = _citable(request, kind, pk)
    check_change(request.user, subject)
    check_create(request.user, Citation)
    attributes = services.date_attributes(type(subject))
    form = CitationForm(
        request.POST or None,
        user=request.user,
        attributes=attributes,
        initial={"kind": Citation.Kind.DATE if attributes else Citation.Kind.TEXT},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.add_citation(request.user, subject, form.cleaned_data)
        except (ValidationError, Conflict) as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Source added to “%(name)s”.") % {"name": subject})
            return redirect(record_url(subject))
    return render(
        request,
        "partners/citation_form.html",
        {"form": form, "subject": subject, "cancel": record_url(subject)},
    )


@login_required
@require_POST
def citation_delete(request, pk):
    citation = get_visible(Citation.objects.select_related("source"), request.user, pk=pk)
    subject = citation.subject
    if subject is None or not isinstance(subject, services.CITABLE):
        raise Http404(_("Not found."))
    back = record_url(get_visible(type(subject), request.user, pk=subject.pk))
    services.remove_citation(request.user, citation, reason=request.POST.get("reason", ""))
    messages.success(request, _("Source removed."))
    return redirect(back)
