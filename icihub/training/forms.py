"""Forms of the training app. They parse and present input; the rules and the
writes belong to the services, whose errors are put back on the form."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from icihub.core.access import Role
from icihub.core.models import User
from icihub.core.permissions import country_choices, own_country
from icihub.core.text import local
from icihub.menu.models import Area
from icihub.partners.models import Country, Framework, Organisation

from . import services
from .models import (
    EVALUATION_QUESTIONS,
    Assignment,
    Course,
    Instructor,
    Participant,
    Session,
)
from .permissions import can_link_account


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def _arabic(field: forms.Field) -> None:
    field.widget.attrs.update({"dir": "rtl", "lang": "ar"})


class CourseForm(forms.ModelForm):
    """The catalogue record (the activity's fields and the course's own)."""

    class Meta:
        model = Course
        fields = [
            "code",
            "title",
            "title_ar",
            "areas",
            "level",
            "delivery",
            "provider",
            "duration_days",
            "languages",
            "aim",
            "performance_objectives",
            "description",
            "security_classification",
            "eligible_frameworks",
            "eligible_countries",
            "training_audience",
            "prerequisites",
            "default_capacity",
            "min_attendance_percent",
            "level1_evaluation_required",
            "level2_test",
            "fee_eur",
            "marking",
            "status",
            "external_ref",
        ]
        widgets = {
            "areas": forms.CheckboxSelectMultiple,
            "eligible_frameworks": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["areas"].queryset = Area.objects.order_by("position", "name")
        self.fields["provider"].queryset = Organisation.objects.order_by("name")
        self.fields["provider"].required = True
        self.fields["eligible_frameworks"].queryset = Framework.objects.order_by("name")
        self.fields["eligible_countries"].queryset = Country.objects.order_by("name")
        self.fields["eligible_countries"].widget.attrs["size"] = 6
        _arabic(self.fields["title_ar"])

    def _post_clean(self):
        """The service validates the model (and reports field errors)."""


class SessionForm(forms.Form):
    reference = forms.CharField(
        label=_("Reference"),
        max_length=60,
        required=False,
        help_text=_("Left empty: the course code and the start date."),
    )
    start = forms.DateField(label=_("Start"), widget=DateInput)
    end = forms.DateField(
        label=_("End"), widget=DateInput, required=False, help_text=_("Default: the course length.")
    )
    venue = forms.CharField(label=_("Venue"), max_length=200, required=False)
    capacity = forms.IntegerField(
        label=_("Capacity"), min_value=1, required=False, help_text=_("Default: the course's.")
    )
    director = forms.CharField(label=_("Course director"), max_length=200, required=False)
    nomination_deadline = forms.DateField(
        label=_("Nomination deadline"),
        widget=DateInput,
        required=False,
        help_text=_("Default: eight weeks before the start."),
    )
    reallocation_date = forms.DateField(
        label=_("Reallocation date"),
        widget=DateInput,
        required=False,
        help_text=_("Default: six weeks before the start."),
    )
    is_public = forms.BooleanField(label=_("On the public calendar"), required=False, initial=True)
    joining_instructions = forms.CharField(
        label=_("Joining instructions"), widget=forms.Textarea, required=False
    )
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea, required=False)

    TEXTS = ("notes", "joining_instructions", "director")

    def data_for_service(self) -> dict:
        """The values given; an empty date, capacity or venue keeps the default
        (or, when editing, the current value); texts may be emptied."""
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if value not in (None, "") or name in self.TEXTS
        }


class StateForm(forms.Form):
    state = forms.ChoiceField(label=_("New state"), choices=Session.State.choices)
    reason = forms.CharField(label=_("Reason"), max_length=1000, required=False)
    override_dates = forms.BooleanField(
        label=_("Override the session's dates (give the reason)"), required=False
    )


class CompleteForm(forms.Form):
    """Completing a session: the reason, and the dates overridden (Centre staff)."""

    reason = forms.CharField(label=_("Reason"), max_length=1000, required=False)
    override_dates = forms.BooleanField(
        label=_("Complete before the end date (give the reason)"), required=False
    )


class DecideForm(forms.Form):
    """Accept or reject the selected nominations of a session at once."""

    nominations = forms.TypedMultipleChoiceField(coerce=int, required=False, choices=())
    select = forms.ChoiceField(choices=[("", ""), ("pending", "pending")], required=False)
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("accept", _("Accept")), ("reject", _("Reject"))]
    )
    reason = forms.CharField(label=_("Reason"), max_length=1000, required=False)
    confirm = forms.BooleanField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any ids: the service checks each against the session and the user.
        self.fields["nominations"].valid_value = lambda value: True


class QuotaForm(forms.Form):
    """One field per eligible country."""

    def __init__(self, *args, countries=(), current=None, **kwargs):
        super().__init__(*args, **kwargs)
        current = current or {}
        self.countries = list(countries)
        for country in self.countries:
            self.fields[f"quota_{country.iso3}"] = forms.IntegerField(
                label=local(country),
                min_value=0,
                required=False,
                initial=current.get(country.pk, 0),
            )

    def quotas(self) -> dict:
        return {
            country: self.cleaned_data.get(f"quota_{country.iso3}") or 0
            for country in self.countries
        }


class OrderedPeopleField(forms.Field):
    """Participant ids posted in order (hidden inputs of one name, the first
    is the first choice), cleaned to the participants of ``queryset`` in that
    order; an id outside it is an error."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {
        "required": _("Add at least one person to the list."),
        "invalid": _("The list holds a value that is not a person."),
        "unknown": _("Someone in the list cannot be nominated by you to this session."),
        "twice": _("Someone is listed twice."),
    }

    def __init__(self, *, queryset=None, **kwargs):
        super().__init__(**kwargs)
        self.queryset = queryset if queryset is not None else Participant.objects.none()

    def to_python(self, value) -> list[int]:
        if not value:
            return []
        try:
            return [int(v) for v in value]
        except (TypeError, ValueError):
            raise ValidationError(self.error_messages["invalid"], code="invalid")

    def clean(self, value):
        ids = self.to_python(value)
        self.validate(ids)
        if len(ids) != len(set(ids)):
            raise ValidationError(self.error_messages["twice"], code="twice")
        people = {p.pk: p for p in self.queryset.filter(pk__in=ids)}
        if len(people) != len(ids):
            raise ValidationError(self.error_messages["unknown"], code="unknown")
        return [people[pk] for pk in ids]


class NominateForm(forms.Form):
    """The nomination picker's list: the people chosen, in priority order (the
    first is the country's first choice), and a note."""

    participant = OrderedPeopleField(label=_("People to nominate, in priority order"))
    # a text area: Enter makes a new line; only the Nominate button nominates
    reason = forms.CharField(
        label=_("Note for the Centre"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, candidates=None, **kwargs):
        super().__init__(*args, **kwargs)
        if candidates is not None:
            self.fields["participant"].queryset = candidates
        self.person_errors: dict[int, list[str]] = {}

    def people_in_order(self) -> list:
        return self.cleaned_data["participant"]

    def posted_ids(self) -> list[int]:
        """The ids posted, in order, whatever their validity (to show the list again)."""
        ids = []
        for value in self.data.getlist("participant") if hasattr(self.data, "getlist") else []:
            if str(value).isdigit() and int(value) not in ids:
                ids.append(int(value))
        return ids


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=1000, required=False)


class RequiredReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=1000)


class VerifyForm(forms.Form):
    """The public check: the code as printed, typed any way (spaces, dashes,
    lower case); cleaned to the printed form."""

    code = forms.CharField(
        label=_("Verification code"),
        max_length=60,
        help_text=_(
            "The twelve letters and digits printed on the certificate, e.g. K7QF-3MZP-WX2D."
        ),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "dir": "ltr",
                "placeholder": "XXXX-XXXX-XXXX",
            }
        ),
    )

    def clean_code(self):
        code = self.cleaned_data["code"]
        if not services.is_code(code):
            raise ValidationError(
                _("A verification code has twelve letters and digits, e.g. K7QF-3MZP-WX2D.")
            )
        return services.normalise_code(code)


class SearchSelect(forms.Widget):
    """A choice among many rows (thousands of participants or instructors) as a
    search box: typing asks ``search_url`` (htmx) for the matching rows, offered
    as radio buttons that post the chosen id under the field's name. Django's
    Select would put every row into the page; the field's queryset still
    validates the id posted (a bad one is a form error)."""

    template_name = "training/_search_select.html"

    def __init__(self, search_url: str, attrs=None):
        super().__init__(attrs)
        self.search_url = search_url

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["search_url"] = self.search_url
        selected = None
        queryset = getattr(getattr(self, "choices", None), "queryset", None)
        if value not in (None, "") and queryset is not None and str(value).isdigit():
            selected = queryset.filter(pk=value).first()
        context["widget"]["selected"] = selected
        return context


def _searched(field: forms.ModelChoiceField, search_url: str | None) -> None:
    if search_url:
        queryset = field.queryset
        field.widget = SearchSelect(search_url)
        field.queryset = queryset  # gives the new widget the choices


class SubstituteForm(forms.Form):
    participant = forms.ModelChoiceField(label=_("Substitute"), queryset=Participant.objects.none())
    reason = forms.CharField(label=_("Reason"), max_length=1000, required=False)

    def __init__(self, *args, candidates=None, search_url=None, **kwargs):
        super().__init__(*args, **kwargs)
        if candidates is not None:
            self.fields["participant"].queryset = candidates
        _searched(self.fields["participant"], search_url)


class EvaluationForm(forms.Form):
    SCORES = [(str(i), str(i)) for i in range(1, 6)]

    comments = forms.CharField(label=_("Comments"), widget=forms.Textarea, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        fields = {}
        for name, label in EVALUATION_QUESTIONS:
            fields[name] = forms.TypedChoiceField(
                label=label,
                choices=self.SCORES,
                coerce=int,
                widget=forms.RadioSelect(attrs={"class": "scores"}),
                help_text=_("1 = poor, 5 = excellent"),
            )
        fields["comments"] = self.fields.pop("comments")
        self.fields = fields

    def scores(self) -> dict:
        return {name: self.cleaned_data[name] for name, _label in EVALUATION_QUESTIONS}


class ParticipantForm(forms.Form):
    given_name = forms.CharField(label=_("Given name (Latin script)"), max_length=100)
    family_name = forms.CharField(label=_("Family name (Latin script)"), max_length=100)
    name_ar = forms.CharField(label=_("Name (Arabic script)"), max_length=200, required=False)
    country = forms.ModelChoiceField(
        label=_("Country"), queryset=Country.objects.none(), to_field_name="iso3"
    )
    service = forms.ChoiceField(label=_("Service"), choices=Participant.Service.choices)
    rank = forms.CharField(label=_("Rank"), max_length=60, required=False)
    rank_code = forms.ChoiceField(
        label=_("NATO rank code"),
        choices=[("", _("From the rank (civilian without one)"))] + Participant.RankCode.choices,
        required=False,
        help_text=_(
            "Left empty: the code of the rank in the rank table; an unknown rank is refused."
        ),
    )
    position = forms.CharField(label=_("Position"), max_length=200, required=False)
    organisation = forms.CharField(label=_("Organisation"), max_length=200, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    date_of_birth = forms.DateField(label=_("Date of birth"), widget=DateInput, required=False)
    user = forms.ModelChoiceField(
        label=_("Account (participant role)"),
        queryset=User.objects.none(),
        required=False,
        to_field_name="username",
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        _arabic(self.fields["name_ar"])
        self.fields["country"].queryset = country_choices(user, Country.objects.order_by("name"))
        own = own_country(user)
        if own is not None:
            self.fields["country"].initial = own.iso3
        if can_link_account(user):
            self.fields["user"].queryset = User.objects.filter(
                role=Role.PARTICIPANT, is_active=True
            ).order_by("username")
        else:
            del self.fields["user"]


class PickerPersonForm(ParticipantForm):
    """The nomination picker's inline form: a person not yet recorded, created
    by the participants service and added to the list. Only the fields a
    coordinator knows at hand; the country among the eligible ones they act for."""

    prefix = "new"

    def __init__(self, *args, user=None, countries=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        for name in ("user", "date_of_birth", "position"):
            self.fields.pop(name, None)
        if countries is not None:
            self.fields["country"].queryset = self.fields["country"].queryset.filter(
                pk__in=countries
            )
        self.fields["rank"].widget.attrs["list"] = "picker-ranks"


class InstructorForm(forms.ModelForm):
    class Meta:
        model = Instructor
        fields = [
            "full_name",
            "name_ar",
            "title",
            "organisation",
            "country",
            "email",
            "expertise",
            "user",
            "is_active",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _arabic(self.fields["name_ar"])
        self.fields["organisation"].queryset = Organisation.objects.order_by("name")
        self.fields["country"].queryset = Country.objects.order_by("name")
        self.fields["user"].queryset = User.objects.filter(
            role=Role.INSTRUCTOR, is_active=True
        ).order_by("username")

    def _post_clean(self):
        """The service validates the model."""


class AssignmentForm(forms.Form):
    instructor = forms.ModelChoiceField(label=_("Instructor"), queryset=Instructor.objects.none())
    role = forms.ChoiceField(label=_("Role"), choices=Assignment.Part.choices)

    def __init__(self, *args, instructors=None, search_url=None, **kwargs):
        super().__init__(*args, **kwargs)
        if instructors is not None:
            self.fields["instructor"].queryset = instructors
        _searched(self.fields["instructor"], search_url)


class TripForm(forms.Form):
    origin = forms.CharField(label=_("Travelling from"), max_length=120)
    arrival = forms.DateField(label=_("Arrival"), widget=DateInput)
    departure = forms.DateField(label=_("Departure"), widget=DateInput)
    sessions = forms.ModelMultipleChoiceField(
        label=_("Sessions covered"),
        queryset=Session.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea, required=False)

    def __init__(self, *args, sessions=None, **kwargs):
        super().__init__(*args, **kwargs)
        if sessions is not None:
            self.fields["sessions"].queryset = sessions


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("File (.csv or .xlsx)"),
        help_text=_("One row per person; see the columns below."),
    )
