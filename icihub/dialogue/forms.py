"""Forms of the dialogue register. They parse input only; writes go through
:mod:`icihub.dialogue.services`."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from icihub.core.access import NATO_ROLES, STAFF_ROLES, Marking, markings_visible_to, role_of
from icihub.core.dates import PartialDateFormField
from icihub.core.models import User
from icihub.core.text import local
from icihub.menu.models import Area
from icihub.partners.models import Country, Organisation, Person

from .models import CENTRE_SLUG, Event, FollowUpAction, Participant


class CountryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{local(obj)} ({obj.iso3})"


def _countries():
    return Country.objects.order_by("name")


class EventForm(forms.ModelForm):
    date = PartialDateFormField(label=_("Date"), required=False)
    venue = forms.ModelChoiceField(
        queryset=Organisation.objects.none(), required=False, label=_("Venue"), to_field_name="slug"
    )
    venue_country = CountryChoiceField(
        queryset=Country.objects.none(),
        required=False,
        label=_("Country of the venue"),
        to_field_name="iso3",
    )
    country = CountryChoiceField(
        queryset=Country.objects.none(),
        required=False,
        label=_("Partner concerned"),
        to_field_name="iso3",
        help_text=Event._meta.get_field("country").help_text,
    )
    topics = forms.ModelMultipleChoiceField(
        queryset=Area.objects.none(),
        required=False,
        label=_("Topics"),
        widget=forms.CheckboxSelectMultiple,
        to_field_name="code",
    )
    milestone_of = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        required=False,
        label=_("Milestone of"),
        to_field_name="slug",
    )

    class Meta:
        model = Event
        fields = [
            "title",
            "title_ar",
            "format",
            "date",
            "date_note",
            "place",
            "venue",
            "venue_country",
            "level",
            "topics",
            "summary",
            "outcomes",
            "marking",
            "country",
            "milestone_of",
            "milestone",
        ]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 4}),
            "outcomes": forms.Textarea(attrs={"rows": 3}),
            "date_note": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        organisations = Organisation.objects.visible_to(user).order_by("name")
        self.fields["venue"].queryset = organisations
        self.fields["milestone_of"].queryset = organisations
        self.fields["venue_country"].queryset = _countries()
        self.fields["country"].queryset = _countries()
        self.fields["topics"].queryset = Area.objects.visible_to(user)
        allowed = set(markings_visible_to(user)) | {Marking.REL_PARTNER}
        self.fields["marking"].choices = [(m.value, m.label) for m in Marking if m in allowed]
        if role_of(user) not in NATO_ROLES:
            # Centre staff record the Centre's events: the venue is the Centre.
            self.fields["venue"].queryset = organisations.filter(slug=CENTRE_SLUG)
            self.fields["venue"].required = True
            self.fields["venue"].help_text = _("Centre staff record the events held at the Centre.")

    def _post_clean(self):
        # Model validation runs in the service (one place); the form only parses.
        pass

    def event_data(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.Meta.fields} | {
            "topics": list(self.cleaned_data.get("topics") or []),
            "title_ar": self.cleaned_data.get("title_ar") or "",
            "milestone": self.cleaned_data.get("milestone") or "",
        }


class ParticipantForm(forms.Form):
    country = CountryChoiceField(
        queryset=Country.objects.none(), required=False, label=_("Country"), to_field_name="iso3"
    )
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        required=False,
        label=_("Organisation"),
        to_field_name="slug",
    )
    role = forms.ChoiceField(
        choices=[("", "—"), *Participant.Role.choices], required=False, label=_("Role")
    )
    note = forms.CharField(max_length=250, required=False, label=_("Note"))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].queryset = _countries()
        self.fields["organisation"].queryset = Organisation.objects.visible_to(user).order_by(
            "name"
        )

    def row(self) -> dict | None:
        data = self.cleaned_data
        if not data or not (data.get("country") or data.get("organisation")):
            return None
        return {k: data.get(k) for k in ("country", "organisation", "role", "note")}


class AttendeeForm(forms.Form):
    person = forms.ModelChoiceField(
        queryset=Person.objects.none(),
        required=False,
        label=_("Person (registry)"),
        to_field_name="slug",
    )
    name = forms.CharField(max_length=200, required=False, label=_("or name / description"))
    role = forms.CharField(max_length=250, required=False, label=_("Role at the event"))
    affiliation = forms.CharField(max_length=200, required=False, label=_("Affiliation"))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = Person.objects.visible_to(user).order_by("name")

    def row(self) -> dict | None:
        data = self.cleaned_data
        if not data or not (data.get("person") or (data.get("name") or "").strip()):
            return None
        return {k: data.get(k) for k in ("person", "name", "role", "affiliation")}


class RowFormSet(forms.BaseFormSet):
    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {"user": self.user}

    @property
    def empty_form(self):
        form = self.form(
            auto_id=self.auto_id,
            prefix=self.add_prefix("__prefix__"),
            empty_permitted=True,
            use_required_attribute=False,
            user=self.user,
            renderer=self.renderer,
        )
        self.add_fields(form, None)
        return form

    def rows(self) -> list[dict]:
        out = []
        for form in self.forms:
            if self.can_delete and self._should_delete_form(form):
                continue
            row = form.row()
            if row is not None:
                out.append(row)
        return out


ParticipantFormSet = forms.formset_factory(
    ParticipantForm, formset=RowFormSet, extra=3, can_delete=True
)
AttendeeFormSet = forms.formset_factory(AttendeeForm, formset=RowFormSet, extra=3, can_delete=True)


class ActionForm(forms.ModelForm):
    owner_user = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, label=_("Owner (user)")
    )
    owner_organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        required=False,
        label=_("or owner (organisation)"),
        to_field_name="slug",
    )
    due = forms.DateField(
        required=False, label=_("Due"), widget=forms.DateInput(attrs={"type": "date"})
    )
    completed_on = forms.DateField(
        required=False, label=_("Completed on"), widget=forms.DateInput(attrs={"type": "date"})
    )

    class Meta:
        model = FollowUpAction
        fields = [
            "description",
            "owner_user",
            "owner_organisation",
            "due",
            "state",
            "completed_on",
            "notes",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, user=None, owner_only=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_user"].queryset = (
            User.objects.visible_to(user)
            .filter(is_active=True, role__in=[*STAFF_ROLES, "coordinator"])
            .order_by("username")
        )
        self.fields["owner_organisation"].queryset = Organisation.objects.visible_to(user).order_by(
            "name"
        )
        if owner_only:
            for name in ("description", "owner_user", "owner_organisation", "due"):
                self.fields[name].disabled = True

    def _post_clean(self):
        pass  # validated by the service

    def action_data(self) -> dict:
        names = [n for n in self.Meta.fields if not self.fields[n].disabled]
        data = {name: self.cleaned_data.get(name) for name in names}
        data["notes"] = data.get("notes") or ""
        return data


class ActionStateForm(forms.Form):
    state = forms.ChoiceField(choices=FollowUpAction.State.choices)
    reason = forms.CharField(max_length=250, required=False)


class CitationForm(forms.Form):
    attribute = forms.SlugField(max_length=64, label=_("Fact"), initial="date")
    kind = forms.ChoiceField(choices=[("date", _("date")), ("text", _("text"))], label=_("Kind"))
    value = forms.CharField(max_length=300, label=_("Value stated"))
    source = forms.CharField(max_length=64, label=_("Source key"), help_text=_("e.g. seed-002"))
    quote = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, label=_("Quoted passage")
    )
    note = forms.CharField(max_length=500, required=False, label=_("Note"))
