from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Closure, IslamicDate


class ClosureForm(forms.ModelForm):
    class Meta:
        model = Closure
        fields = ["name", "name_ar", "start", "end", "hard", "note"]
        widgets = {
            "start": forms.DateInput(attrs={"type": "date"}),
            "end": forms.DateInput(attrs={"type": "date"}),
            "name_ar": forms.TextInput(attrs={"dir": "rtl", "lang": "ar"}),
        }


class IslamicDateForm(forms.Form):
    shift_days = forms.TypedChoiceField(
        label=_("Shift"), choices=IslamicDate.Shift.choices, coerce=int, initial=0
    )
    confirmed = forms.BooleanField(label=_("Confirmed"), required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)
