from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .kinds import Channel, kinds_for
from .services import channel_for, preferences_of


class PreferencesForm(forms.Form):
    """The language of one's e-mails and a channel for each kind one receives."""

    language = forms.ChoiceField(
        label=_("Language of e-mails"),
        required=False,
        choices=[("", _("The language I last used here"))] + list(settings.LANGUAGES),
    )

    def __init__(self, user, *args, **kwargs):
        self.user = user
        prefs = preferences_of(user)
        initial = {"language": prefs.language if prefs else ""}
        super().__init__(*args, initial=initial, **kwargs)
        for kind in kinds_for(user):
            self.fields[f"kind_{kind.value}"] = forms.ChoiceField(
                label=kind.label,
                choices=Channel.choices,
                required=False,  # not posted: unchanged
                initial=channel_for(user, kind),
                widget=forms.RadioSelect,
            )

    def channels(self) -> dict[str, str]:
        return {
            name.removeprefix("kind_"): value
            for name, value in self.cleaned_data.items()
            if name.startswith("kind_") and value
        }
