"""The Gulf calendar's own data: staff confirmations and one-day shifts of the
estimated Islamic dates, and the Centre's closures and blackout periods.

Everything else (country holidays, the Umm al-Qura dates) is computed by
:mod:`icihub.gulf.calendar` from the ``holidays`` and ``hijridate`` packages.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from icihub.core.access import STAFF_ROLES, Policy
from icihub.core.models import BaseModel
from icihub.core.text import LocalName

# The years hijridate's Umm al-Qura tables cover (1343-1500 AH, 1924-2077 CE).
HIJRI_MIN_YEAR = 1343
HIJRI_MAX_YEAR = 1500


def _everyone() -> Q:
    return Q(pk__isnull=False)


# The calendar holds no secrets: everyone reads; staff (Centre, NATO, admins) edit.
CALENDAR_POLICY = Policy(
    read_all=STAFF_ROLES,
    public=_everyone,
    write_all=STAFF_ROLES,
)


class IslamicEvent(models.TextChoices):
    RAMADAN = "ramadan", _("Ramadan")
    EID_AL_FITR = "eid_al_fitr", _("Eid al-Fitr")
    EID_AL_ADHA = "eid_al_adha", _("Eid al-Adha")


class IslamicDate(BaseModel):
    """Staff's word on one Islamic event of one Hijri year: the Umm al-Qura date
    shifted by a day either way (the moon sighting), and whether it is confirmed."""

    class Shift(models.IntegerChoices):
        EARLIER = -1, _("one day earlier")
        NONE = 0, _("as estimated (Umm al-Qura)")
        LATER = 1, _("one day later")

    hijri_year = models.PositiveSmallIntegerField(
        _("Hijri year"),
        validators=[MinValueValidator(HIJRI_MIN_YEAR), MaxValueValidator(HIJRI_MAX_YEAR)],
    )
    event = models.CharField(_("event"), max_length=20, choices=IslamicEvent.choices)
    shift_days = models.SmallIntegerField(_("shift"), choices=Shift.choices, default=Shift.NONE)
    confirmed = models.BooleanField(_("confirmed"), default=False)
    note = models.CharField(_("note"), max_length=300, blank=True)

    access_policy = CALENDAR_POLICY

    class Meta:
        verbose_name = _("Islamic date")
        verbose_name_plural = _("Islamic dates")
        ordering = ["hijri_year", "event"]
        constraints = [
            models.UniqueConstraint(
                fields=["hijri_year", "event"], name="gulf_islamicdate_unique_event"
            ),
            models.CheckConstraint(
                condition=Q(shift_days__gte=-1, shift_days__lte=1),
                name="gulf_islamicdate_shift_one_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_event_display()} {self.hijri_year}"


class Provenance(models.TextChoices):
    ENTERED = "entered", _("Entered")
    DEMO = "demo", _("Demonstration data")


class Closure(LocalName, BaseModel):
    """A period in which the Centre runs no course: a closure or a blackout
    period such as NATO's summer break."""

    name = models.CharField(_("name"), max_length=200)
    name_ar = models.CharField(_("name (Arabic)"), max_length=200, blank=True)
    start = models.DateField(_("first day"))
    end = models.DateField(_("last day"))
    hard = models.BooleanField(
        _("binding"),
        default=True,
        help_text=_("No session may overlap a binding period; others are advice."),
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    provenance = models.CharField(
        _("provenance"),
        max_length=10,
        choices=Provenance.choices,
        default=Provenance.ENTERED,
        editable=False,
    )

    access_policy = CALENDAR_POLICY

    class Meta:
        verbose_name = _("closure")
        verbose_name_plural = _("closures")
        ordering = ["start", "end", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gte=models.F("start")), name="gulf_closure_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.local_name

    @property
    def is_demo(self) -> bool:
        return self.provenance == Provenance.DEMO

    def clean(self) -> None:
        super().clean()
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": _("The last day cannot be before the first day.")})
