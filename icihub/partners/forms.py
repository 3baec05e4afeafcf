"""Forms of the partner registry. They parse and present input; the rules and
the write are the services' (``_post_clean`` does not validate the model, the
service does, and its field errors are put back on the form)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from icihub.core.dates import PartialDateFormField
from icihub.core.errors import Conflict
from icihub.core.forms import add_service_errors
from icihub.core.models import Citation, Source

from .models import Appointment, Country, Framework, Organisation, Partnership, Person


class ServiceForm(forms.ModelForm):
    """Fields, labels and widgets from the model; validation by the service."""

    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            queryset = getattr(field, "queryset", None)
            if queryset is not None and hasattr(queryset, "visible_to"):
                field.queryset = queryset.visible_to(user)
            if isinstance(field, PartialDateFormField):
                # The kernel's field keeps CharField's length check, which cannot
                # measure the PartialDate it returns (a TypeError, i.e. a 500):
                # the parse already bounds the input.
                field.validators = [
                    v for v in field.validators if not isinstance(v, MaxLengthValidator)
                ]
        for name in ("name_ar",):
            if name in self.fields:
                self.fields[name].widget.attrs.update({"dir": "rtl", "lang": "ar"})

    def _post_clean(self):
        """The model is validated by the service, not here."""

    def add_service_errors(self, exc: ValidationError | Conflict) -> None:
        add_service_errors(self, exc)


class FrameworkForm(ServiceForm):
    class Meta:
        model = Framework
        fields = [
            "code",
            "acronym",
            "name",
            "name_ar",
            "launched",
            "launch_place",
            "description",
            "is_public",
        ]


class CountryForm(ServiceForm):
    class Meta:
        model = Country
        fields = ["iso2", "iso3", "numeric", "name", "name_ar", "official_name", "is_public"]


class PartnershipForm(ServiceForm):
    class Meta:
        model = Partnership
        fields = ["country", "framework", "status", "accession", "exit", "notes", "is_public"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].queryset = self.fields["country"].queryset.order_by("name")


class OrganisationForm(ServiceForm):
    class Meta:
        model = Organisation
        fields = [
            "name",
            "name_ar",
            "acronym",
            "slug",
            "kind",
            "country",
            "grouping",
            "parent",
            "accredited_to",
            "city",
            "established",
            "closed",
            "description",
            "is_public",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False
        self.fields["slug"].help_text = _("Left empty, it is made from the acronym or the name.")
        self.fields["accredited_to"].queryset = self.fields["accredited_to"].queryset.exclude(
            kind=Organisation.Kind.MISSION
        )


class PersonForm(ServiceForm):
    class Meta:
        model = Person
        fields = ["honorific", "name", "name_ar", "slug", "country", "biography", "is_public"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False
        self.fields["slug"].help_text = _("Left empty, it is made from the name.")


class AppointmentForm(ServiceForm):
    class Meta:
        model = Appointment
        fields = ["organisation", "title", "is_head", "start", "end", "is_public"]


class CitationForm(forms.Form):
    """A sourced fact: which attribute, the value the source states, the source and
    the quoted passage."""

    attribute = forms.SlugField(
        label=_("Fact"),
        max_length=64,
        help_text=_("The attribute the source states, e.g. accession, established, term."),
    )
    kind = forms.ChoiceField(label=_("Kind of value"), choices=Citation.Kind.choices)
    value = forms.CharField(
        label=_("Value stated"),
        max_length=300,
        help_text=_("A date as YYYY, YYYY-MM, YYYY-MM-DD or a range such as 2005-01/2005-03."),
    )
    source = forms.ModelChoiceField(
        label=_("Source"), queryset=Source.objects.none(), to_field_name="key"
    )
    quote = forms.CharField(label=_("Quoted passage"), widget=forms.Textarea, required=False)
    locator = forms.CharField(label=_("Where in the source"), max_length=200, required=False)
    note = forms.CharField(label=_("Note"), widget=forms.Textarea, required=False)

    def __init__(self, *args, user=None, attributes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = Source.objects.visible_to(user).order_by("key")
        if attributes:
            self.fields["attribute"].widget.attrs["list"] = "citation-attributes"
        self.attributes = list(attributes)

    add_service_errors = ServiceForm.add_service_errors
