from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .access import Role
from .countries import country_model
from .errors import Conflict

LOCKED_MESSAGE = _(
    "Too many failed sign-ins: this account or address is locked for a while. "
    "Try again later, or ask an administrator to unlock it."
)
WRONG_CODE_MESSAGE = _("This code is not right (or was used already).")


def add_service_errors(form: forms.BaseForm, exc: ValidationError | Conflict) -> None:
    """Show a service's ValidationError or Conflict on the fields it names; what
    names no field of this form is shown on the form as a whole."""
    if isinstance(exc, Conflict):
        errors = exc.errors or [{"field": "", "message": str(exc)}]
        for error in errors:
            field = error.get("field") or None
            form.add_error(field if field in form.fields else None, error["message"])
        return
    if hasattr(exc, "error_dict"):
        for field, messages in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, exc.messages)


class LoginForm(AuthenticationForm):
    """The password step. A locked user name or address is refused before the
    password is even checked; each failure is counted (``core.security``)."""

    username = forms.CharField(
        label=_("User name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def clean(self):
        from . import audit, security
        from .middleware import client_ip

        username = self.cleaned_data.get("username") or ""
        ip = client_ip(self.request) if self.request is not None else None
        if username and security.is_locked(username, ip):
            audit.log_event(
                audit.Action.LOGIN_FAILED,
                None,
                message=f"sign-in refused for “{username[:150]}”: locked",
                data={"username": username[:150], "locked": True},
                ip=ip,
            )
            raise ValidationError(LOCKED_MESSAGE, code="locked")
        try:
            return super().clean()
        except ValidationError:
            if username and security.record_failure(username, ip):
                raise ValidationError(LOCKED_MESSAGE, code="locked")
            raise


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        help_text=_("The 6-digit code of your authenticator app, or one of your recovery codes."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class EnrolForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the app"),
        max_length=10,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class EndSessionsForm(forms.Form):
    revoke_tokens = forms.BooleanField(
        label=_("Also revoke my API tokens"), required=False, initial=False
    )


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
        queryset=None,  # set in __init__: the country model is named by a setting
        required=False,
        to_field_name="iso3",
        help_text=_("Required for a national coordinator."),
    )
    password = forms.CharField(
        label=_("Initial password"), widget=forms.PasswordInput, required=False, strip=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].queryset = country_model().objects.order_by("name")


class UserRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    country = forms.ModelChoiceField(
        label=_("Country"),
        queryset=None,  # set in __init__: the country model is named by a setting
        required=False,
        to_field_name="iso3",
    )
    is_active = forms.BooleanField(label=_("Active"), required=False)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].queryset = country_model().objects.order_by("name")


class TokenCreateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, required=False)
    days = forms.IntegerField(label=_("Valid for (days)"), min_value=1, max_value=366, initial=90)
