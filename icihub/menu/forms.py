"""Forms of the cooperation menu pages (staff edit forms, the import upload)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.db.models import F
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from icihub.partners.models import Country, Framework, Organisation

from .models import Activity, Area
from .services import EDITABLE_FIELDS


class ActivityForm(forms.ModelForm):
    class Meta:
        model = Activity
        fields = list(EDITABLE_FIELDS)
        widgets = {
            "areas": forms.CheckboxSelectMultiple,
            "eligible_frameworks": forms.CheckboxSelectMultiple,
            "description": forms.Textarea(attrs={"rows": 4}),
            "description_ar": forms.Textarea(attrs={"rows": 4, "dir": "rtl", "lang": "ar"}),
            "title_ar": forms.TextInput(attrs={"dir": "rtl", "lang": "ar"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["areas"].queryset = Area.objects.order_by("position", "name")
        self.fields["provider"].queryset = Organisation.objects.order_by("name")
        self.fields["eligible_frameworks"].queryset = Framework.objects.order_by(
            F("launched").asc(nulls_last=True)
        )
        self.fields["eligible_countries"].queryset = Country.objects.order_by("name")
        self.fields["eligible_countries"].widget.attrs["size"] = 8


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Menu file (CSV or XLSX)"),
        # Formatted when shown, in the reader's language (a lazy string formatted
        # here would be English for good).
        help_text=lazy(
            lambda: (
                _("At most %(size)s MB. The columns are listed below.")
                % {"size": settings.ICIHUB_MAX_UPLOAD_BYTES // (1024 * 1024)}
            ),
            str,
        )(),
    )
    dry_run = forms.BooleanField(
        label=_("Dry run: check the file and show what would change, write nothing"),
        required=False,
        initial=True,
    )
