"""Forms of the programme pages. Choices come from what the user may see."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from icihub.core.access import Marking
from icihub.core.permissions import country_choices, own_country
from icihub.menu.models import Activity, Area
from icihub.partners.models import Country, Partnership

from .models import Delivery, PartnerRequest, Programme, ProgrammeItem


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def partner_countries():
    """Countries with a partnership (ICI members first by name)."""
    return Country.objects.filter(
        pk__in=Partnership.objects.exclude(status=Partnership.Status.FORMER).values("country_id")
    ).order_by("name")


def _country_field(user, required=True):
    qs = country_choices(user, partner_countries())
    return forms.ModelChoiceField(
        label=_("Partner country"), queryset=qs, to_field_name="iso3", required=required
    )


MARKINGS = [(m.value, m.label) for m in Marking if m != Marking.PUBLIC]


class ProgrammeForm(forms.Form):
    country = forms.ModelChoiceField(label=_("Partner country"), queryset=Country.objects.none())
    kind = forms.ChoiceField(label=_("Kind"), choices=Programme.Kind.choices)
    start_year = forms.IntegerField(label=_("First year"), min_value=1990, max_value=2100)
    end_year = forms.IntegerField(
        label=_("Last year"),
        min_value=1990,
        max_value=2100,
        help_text=_("An IPCP covers two years; an ITPP (since 2021) up to six."),
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        required=False,
        help_text=_("Empty: country, kind and period."),
    )
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea, required=False)
    marking = forms.ChoiceField(label=_("Marking"), choices=MARKINGS, initial=Marking.REL_PARTNER)

    def __init__(self, *args, user=None, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"] = _country_field(user)
        if own_country(user) is not None:
            self.fields["country"].initial = own_country(user).iso3
        if editing:
            del self.fields["country"]


class ObjectiveForm(forms.Form):
    title = forms.CharField(label=_("Strategic objective"), max_length=250)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class GoalForm(forms.Form):
    title = forms.CharField(label=_("Partnership goal"), max_length=250)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    target = forms.CharField(
        label=_("What success looks like"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    areas = forms.MultipleChoiceField(
        label=_("Areas of cooperation"),
        choices=[],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Evaluated once: the form is rendered under every objective of a programme.
        self.fields["areas"].choices = list(
            Area.objects.order_by("position").values_list("code", "name")
        )


QUARTERS = [("", "—"), ("1", "Q1"), ("2", "Q2"), ("3", "Q3"), ("4", "Q4")]


class ItemForm(forms.Form):
    priority = forms.TypedChoiceField(
        label=_("Priority"), choices=ProgrammeItem.Priority.choices, coerce=int
    )
    planned_year = forms.TypedChoiceField(label=_("Planned year"), choices=[], coerce=int)
    planned_quarter = forms.TypedChoiceField(
        label=_("Quarter"), choices=QUARTERS, coerce=int, empty_value=None, required=False
    )
    seats = forms.IntegerField(label=_("Seats or participants wanted"), min_value=0, max_value=500)
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args, programme=None, **kwargs):
        super().__init__(*args, **kwargs)
        years = programme.years if programme else []
        self.fields["planned_year"].choices = [(y, y) for y in years]


class DeliveryForm(forms.Form):
    kind = forms.ChoiceField(label=_("Delivered by"), choices=Delivery.Kind.choices)
    session = forms.ModelChoiceField(
        label=_("Course session"),
        queryset=None,
        required=False,
        help_text=_("Sessions attended by the country's people."),
    )
    event = forms.ModelChoiceField(label=_("Dialogue meeting"), queryset=None, required=False)
    delivered_on = forms.DateField(
        label=_("Delivered on"),
        widget=DateInput(),
        required=False,
        help_text=_("Taken from the session or meeting when empty."),
    )
    title = forms.CharField(label=_("What was delivered"), max_length=250, required=False)
    participants = forms.IntegerField(
        label=_("Participants from the country"), min_value=0, required=False
    )
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args, programme=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        from icihub.dialogue.models import Event
        from icihub.training.selectors import sessions_attended_by_country

        self.fields["session"].queryset = sessions_attended_by_country(programme.country, user)
        self.fields["event"].queryset = (
            Event.objects.visible_to(user).filter(date__isnull=False).order_by("-date")
        )


class RequestForm(forms.Form):
    country = forms.ModelChoiceField(label=_("Partner country"), queryset=Country.objects.none())
    programme = forms.ModelChoiceField(
        label=_("Programme"), queryset=Programme.objects.none(), required=False
    )
    kind = forms.ChoiceField(label=_("Request for"), choices=PartnerRequest.Kind.choices)
    subject = forms.CharField(label=_("Subject"), max_length=250)
    details = forms.CharField(
        label=_("Details"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    activity = forms.CharField(
        label=_("Menu activity (code)"),
        max_length=40,
        required=False,
        help_text=_("For example PCM-CYB-001."),
    )
    seats = forms.IntegerField(label=_("Seats"), min_value=1, max_value=200, required=False)
    wanted_from = forms.DateField(label=_("Wanted from"), widget=DateInput(), required=False)
    wanted_to = forms.DateField(label=_("Wanted until"), widget=DateInput(), required=False)
    requested_on = forms.DateField(
        label=_("Requested on"), widget=DateInput(), initial=timezone.localdate
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["country"] = _country_field(user)
        if own_country(user) is not None:
            self.fields["country"].initial = own_country(user).iso3
        self.fields["programme"].queryset = Programme.objects.visible_to(user).select_related(
            "country"
        )

    def clean_activity(self):
        code = self.cleaned_data.get("activity", "").strip()
        if not code:
            return None
        activity = Activity.objects.visible_to(self.user).filter(code__iexact=code).first()
        if activity is None:
            raise forms.ValidationError(_("No menu activity has this code."))
        return activity


class ResponseForm(forms.Form):
    response = forms.CharField(label=_("NATO's answer"), widget=forms.Textarea(attrs={"rows": 4}))
    responded_on = forms.DateField(
        label=_("Answered on"), widget=DateInput(), initial=timezone.localdate
    )
    close = forms.BooleanField(label=_("Close the request with this answer"), required=False)


class CloseForm(forms.Form):
    note = forms.CharField(label=_("Closing note"), max_length=1000, required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=1000, required=False)
