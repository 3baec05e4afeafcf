"""The cooperation menu: areas of cooperation and the activities partners choose
from. A Regional Centre course *is* a menu activity: ``training.Course`` extends
:class:`Activity` (multi-table inheritance), one record, never a copy."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from icihub.core.access import NATO_ROLES, Marking, Policy, Role
from icihub.core.models import AccessQuerySet, BaseModel, Sourced
from icihub.core.text import LocalName, local, normalise_for_search
from icihub.core.viewkit import pk_url


class Area(LocalName, BaseModel):
    """An area of cooperation (cyber defence, energy security, CBRN...)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    name_ar = models.CharField(_("name (Arabic)"), max_length=120, blank=True)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    access_policy = Policy(public=lambda: Q(), write_all=NATO_ROLES)

    class Meta:
        verbose_name = _("area of cooperation")
        verbose_name_plural = _("areas of cooperation")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.local_name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("menu:area_detail", args=[self.code])


class ActivityQuerySet(AccessQuerySet):
    def offered_during(self, start: int, end: int):
        """The activities offered in at least one year of ``start``–``end``."""
        return self.filter(
            Q(first_year__isnull=True) | Q(first_year__lte=end),
            Q(last_year__isnull=True) | Q(last_year__gte=start),
        )

    def active(self):
        return self.filter(status=Activity.Status.ACTIVE)


class Activity(BaseModel, Sourced):
    """An entry of the Partnership Cooperation Menu."""

    class Format(models.TextChoices):
        COURSE = "course", _("Course")
        SEMINAR = "seminar", _("Seminar or workshop")
        CONFERENCE = "conference", _("Conference")
        EXERCISE = "exercise", _("Exercise")
        EXPERT_VISIT = "expert_visit", _("Expert visit or advisory support")
        MTT = "mtt", _("Mobile training team")
        ELEARNING = "elearning", _("E-learning")
        STUDY_VISIT = "study_visit", _("Study visit")

    class Level(models.TextChoices):
        BASIC = "basic", _("Basic")
        INTERMEDIATE = "intermediate", _("Intermediate")
        ADVANCED = "advanced", _("Advanced")
        EXECUTIVE = "executive", _("Executive / strategic")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        RETIRED = "retired", _("Retired")

    class Provenance(models.TextChoices):
        SOURCE = "source", _("From a cited source")
        DEMO = "demo", _("Demonstration data")
        ENTERED = "entered", _("Entered by staff")
        IMPORTED = "imported", _("Imported")

    code = models.CharField(_("code"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=250)
    title_ar = models.CharField(_("title (Arabic)"), max_length=250, blank=True)
    description = models.TextField(_("description"), blank=True)
    description_ar = models.TextField(_("description (Arabic)"), blank=True)
    areas = models.ManyToManyField(
        Area, verbose_name=_("areas of cooperation"), related_name="activities", blank=True
    )
    format = models.CharField(_("format"), max_length=20, choices=Format.choices)
    provider = models.ForeignKey(
        "partners.Organisation",
        verbose_name=_("providing organisation"),
        on_delete=models.PROTECT,
        related_name="activities",
        null=True,
        blank=True,
    )
    eligible_frameworks = models.ManyToManyField(
        "partners.Framework",
        verbose_name=_("open to frameworks"),
        related_name="activities",
        blank=True,
    )
    eligible_countries = models.ManyToManyField(
        "partners.Country",
        verbose_name=_("open to countries"),
        related_name="eligible_activities",
        blank=True,
        help_text=_("Countries admitted in addition to the frameworks' partners."),
    )
    languages = models.CharField(
        _("languages"),
        max_length=50,
        default="en",
        help_text=_("Comma-separated language codes, e.g. en,ar."),
    )
    level = models.CharField(_("level"), max_length=20, choices=Level.choices, blank=True)
    first_year = models.PositiveSmallIntegerField(_("offered from"), null=True, blank=True)
    last_year = models.PositiveSmallIntegerField(_("offered until"), null=True, blank=True)
    marking = models.CharField(
        _("marking"), max_length=20, choices=Marking.choices, default=Marking.REL_ICI
    )
    external_ref = models.CharField(
        _("external reference"),
        max_length=60,
        blank=True,
        help_text=_("e-PRIME or course-catalogue number."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    provenance = models.CharField(
        _("provenance"), max_length=10, choices=Provenance.choices, default=Provenance.ENTERED
    )
    search_text = models.TextField(editable=False, blank=True, default="")

    objects = ActivityQuerySet.as_manager()

    access_policy = Policy(
        public=lambda: Q(),
        marking="marking",
        write_all=NATO_ROLES | {Role.CENTRE_STAFF},
    )

    class Meta:
        verbose_name = _("menu activity")
        verbose_name_plural = _("menu activities")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(last_year__isnull=True)
                | Q(first_year__isnull=True)
                | Q(last_year__gte=F("first_year")),
                name="menu_activity_years_in_order",
                violation_error_message=_("The last year offered cannot precede the first."),
            ),
        ]
        indexes = [
            models.Index(fields=["status", "code"], name="menu_activity_status_code"),
            models.Index(fields=["format"], name="menu_activity_format"),
            models.Index(fields=["first_year", "last_year"], name="menu_activity_years"),
        ]

    def __str__(self) -> str:
        return f"{self.code} – {self.local_title}"

    @property
    def local_title(self) -> str:
        """The title in the active language (``core.text.localized``)."""
        return local(self, "title")

    get_absolute_url = pk_url("menu:activity_detail")

    @staticmethod
    def compute_search_text(code, title, title_ar, description, description_ar) -> str:
        """The normalised text full-text search runs over (English and Arabic)."""
        return normalise_for_search(
            " ".join(
                [code or "", title or "", title_ar or "", description or "", description_ar or ""]
            )
        )

    def save(self, *args, **kwargs):
        self.search_text = self.compute_search_text(
            self.code, self.title, self.title_ar, self.description, self.description_ar
        )
        super().save(*args, **kwargs)

    @property
    def language_list(self) -> list[str]:
        return [code.strip() for code in self.languages.split(",") if code.strip()]

    def is_offered_in(self, year: int) -> bool:
        return self.is_offered_during(year, year)

    def is_offered_during(self, start: int, end: int) -> bool:
        """Whether the activity is offered in at least one year of ``start``–``end``."""
        return (self.first_year is None or self.first_year <= end) and (
            self.last_year is None or self.last_year >= start
        )

    def nearest_offered_year(self, year: int) -> int:
        """``year`` moved into the years the activity is offered."""
        if self.first_year is not None and year < self.first_year:
            return self.first_year
        if self.last_year is not None and year > self.last_year:
            return self.last_year
        return year
