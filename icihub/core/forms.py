from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from icihub.partners.models import Country

from .access import Role


class LoginForm(AuthenticationForm):
    username = forms.CharField(label=_("User name"), max_length=150)
    password = forms.CharField(label=_("Password"), strip=False, widget=forms.PasswordInput)


class UserCreateForm(forms.Form):
    username = forms.RegexField(
        label=_("User name"),
        max_length=150,
        regex=r"^[\w.@+-]+$",
        error_messages={"invalid": _("Letters, digits and @/./+/-/_ only.")},
    )
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    country = forms.ModelChoiceField(
        label=_("Country"),
        queryset=Country.objects.none(),
        required=False,
        to_field_name="iso3",
        help_text=_("Required for a national coordinator."),
    )
    password = forms.CharField(
        label=_("Initial password"), widget=forms.PasswordInput, required=False, strip=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].queryset = Country.objects.order_by("name")


class UserRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    country = forms.ModelChoiceField(
        label=_("Country"),
        queryset=Country.objects.none(),
        required=False,
        to_field_name="iso3",
    )
    is_active = forms.BooleanField(label=_("Active"), required=False)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].queryset = Country.objects.order_by("name")


class TokenCreateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, required=False)
    days = forms.IntegerField(label=_("Valid for (days)"), min_value=1, max_value=366, initial=90)
