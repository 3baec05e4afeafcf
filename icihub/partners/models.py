"""The partner registry: frameworks, countries, groupings, partnerships,
organisations (including diplomatic missions), people and their appointments.

All of it is reference data: public unless a row is marked otherwise, changed by
administrators and NATO partnership staff."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from icihub.core.access import NATO_ROLES, Policy
from icihub.core.dates import PartialDateField
from icihub.core.models import AccessQuerySet, BaseModel, Sourced
from icihub.core.text import LocalName, localized, normalise_for_search

REFERENCE_POLICY = Policy(public=lambda: Q(is_public=True), write_all=NATO_ROLES)


class Searchable(models.Model):
    """Keeps ``search_text``: the record's names and codes, normalised (lower case,
    accents and Arabic hamza/diacritics folded) so that list searches match
    "الأردن" and "الاردن", "Vyškov" and "vyskov" alike."""

    search_text = models.TextField(_("search text"), blank=True, default="", editable=False)

    search_source_fields: tuple[str, ...] = ()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.search_text = self.compute_search_text()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "search_text"}
        super().save(*args, **kwargs)

    def compute_search_text(self) -> str:
        parts = (str(getattr(self, name, "") or "") for name in self.search_source_fields)
        return normalise_for_search(" ".join(parts))


class Framework(LocalName, BaseModel, Sourced, Searchable):
    """A NATO partnership framework: the ICI, the Mediterranean Dialogue..."""

    search_source_fields = ("code", "acronym", "name", "name_ar")

    code = models.SlugField(_("code"), max_length=20, unique=True)
    acronym = models.CharField(_("acronym"), max_length=20)
    name = models.CharField(_("name"), max_length=200)
    name_ar = models.CharField(_("name (Arabic)"), max_length=200, blank=True)
    launched = PartialDateField(_("launched"), null=True, blank=True)
    launch_place = models.CharField(_("launched at"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    is_public = models.BooleanField(_("public"), default=True)

    access_policy = REFERENCE_POLICY

    class Meta:
        verbose_name = _("framework")
        verbose_name_plural = _("frameworks")
        ordering = [F("launched").asc(nulls_last=True), "name"]

    def __str__(self) -> str:
        return self.local_name


class Country(LocalName, BaseModel, Searchable):
    """A country by its ISO 3166-1 codes (names from pycountry)."""

    search_source_fields = ("name", "name_ar", "official_name", "iso2", "iso3")

    iso2 = models.CharField(_("ISO alpha-2"), max_length=2, unique=True)
    iso3 = models.CharField(_("ISO alpha-3"), max_length=3, unique=True)
    numeric = models.CharField(_("ISO numeric"), max_length=3, blank=True)
    name = models.CharField(_("name"), max_length=100)
    name_ar = models.CharField(_("name (Arabic)"), max_length=100, blank=True)
    official_name = models.CharField(_("official name"), max_length=200, blank=True)
    is_public = models.BooleanField(_("public"), default=True)

    access_policy = REFERENCE_POLICY

    class Meta:
        verbose_name = _("country")
        verbose_name_plural = _("countries")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(iso2__regex=r"^[A-Z]{2}$") & Q(iso3__regex=r"^[A-Z]{3}$"),
                name="partners_country_iso_codes_upper",
            )
        ]

    def __str__(self) -> str:
        return self.local_name

    def natural_key(self):
        return (self.iso3,)


class Organisation(LocalName, BaseModel, Sourced, Searchable):
    """NATO bodies, the Regional Centre, Centres of Excellence, ministries,
    security bodies, regional secretariats and partners' missions to NATO."""

    search_source_fields = ("name", "name_ar", "acronym", "city", "slug")

    class Kind(models.TextChoices):
        NATO_BODY = "nato_body", _("NATO body or command")
        CENTRE = "centre", _("Regional centre")
        SCHOOL = "school", _("NATO school or training centre")
        COE = "coe", _("Centre of Excellence")
        MINISTRY = "ministry", _("Ministry")
        SECURITY_BODY = "security_body", _("National security body")
        ARMED_FORCES = "armed_forces", _("Armed forces or service")
        MISSION = "mission", _("Diplomatic mission to NATO")
        REGIONAL = "regional", _("Regional organisation")
        NATIONAL_INSTITUTION = "institution", _("National institution")
        ACADEMIC = "academic", _("Academic or research institution")
        OTHER = "other", _("Other")

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_ar = models.CharField(_("name (Arabic)"), max_length=200, blank=True)
    acronym = models.CharField(_("acronym"), max_length=30, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    country = models.ForeignKey(
        Country,
        verbose_name=_("country"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
    )
    grouping = models.ForeignKey(
        "Grouping",
        verbose_name=_("grouping"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    accredited_to = models.ForeignKey(
        "self",
        verbose_name=_("accredited to"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="accredited_missions",
        help_text=_("For a diplomatic mission: the organisation it is accredited to."),
    )
    city = models.CharField(_("city"), max_length=100, blank=True)
    established = PartialDateField(_("established"), null=True, blank=True)
    closed = PartialDateField(_("closed"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    is_public = models.BooleanField(_("public"), default=True)

    access_policy = REFERENCE_POLICY

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closed__isnull=True)
                | Q(established__isnull=True)
                | Q(closed__gte=F("established")),
                name="partners_organisation_closed_after_established",
                violation_error_message=_("An organisation cannot close before it is established."),
            ),
            models.CheckConstraint(
                condition=Q(accredited_to__isnull=True) | Q(kind="mission"),
                name="partners_organisation_only_missions_accredited",
                violation_error_message=_(
                    "Only a diplomatic mission is accredited to another body."
                ),
            ),
        ]

    def __str__(self) -> str:
        name = self.local_name
        return f"{name} ({self.acronym})" if self.acronym else name


class Grouping(LocalName, BaseModel, Sourced):
    """A group of countries such as the Gulf Cooperation Council."""

    code = models.SlugField(_("code"), max_length=20, unique=True)
    acronym = models.CharField(_("acronym"), max_length=20)
    name = models.CharField(_("name"), max_length=200)
    name_ar = models.CharField(_("name (Arabic)"), max_length=200, blank=True)
    founded = PartialDateField(_("founded"), null=True, blank=True)
    members = models.ManyToManyField(
        Country, verbose_name=_("members"), related_name="groupings", blank=True
    )
    secretariat = models.ForeignKey(
        Organisation,
        verbose_name=_("secretariat"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    is_public = models.BooleanField(_("public"), default=True)

    access_policy = REFERENCE_POLICY

    class Meta:
        verbose_name = _("grouping")
        verbose_name_plural = _("groupings")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.local_name


class PartnershipQuerySet(AccessQuerySet):
    def active_on(self, day: dt.date | None = None):
        """Partnerships in force on ``day`` (today by default): accession known and
        not after ``day``, and no exit before it."""
        iso = (day or dt.date.today()).isoformat()
        return self.filter(
            Q(accession__isnull=True) | Q(accession__lte=iso),
            Q(exit__isnull=True) | Q(exit__gt=iso),
        ).exclude(status=Partnership.Status.FORMER)


class Partnership(BaseModel, Sourced):
    """A country's standing in a framework over time."""

    class Status(models.TextChoices):
        MEMBER = "member", _("Member")
        PARTICIPANT = "participant", _("Non-member taking part in selected activities and dialogue")
        PROSPECTIVE = "prospective", _("Prospective member")
        FORMER = "former", _("Former member")

    country = models.ForeignKey(
        Country, verbose_name=_("country"), on_delete=models.PROTECT, related_name="partnerships"
    )
    framework = models.ForeignKey(
        Framework,
        verbose_name=_("framework"),
        on_delete=models.PROTECT,
        related_name="partnerships",
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    accession = PartialDateField(_("joined"), null=True, blank=True)
    exit = PartialDateField(_("left"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    is_public = models.BooleanField(_("public"), default=True)

    objects = PartnershipQuerySet.as_manager()

    access_policy = Policy(
        public=lambda: (
            Q(is_public=True) & Q(country__is_public=True) & Q(framework__is_public=True)
        ),
        write_all=NATO_ROLES,
    )

    class Meta:
        verbose_name = _("partnership")
        verbose_name_plural = _("partnerships")
        ordering = [
            F("framework__launched").asc(nulls_last=True),
            F("accession").asc(nulls_last=True),
            "country__name",
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["country", "framework"],
                condition=Q(exit__isnull=True),
                name="partners_partnership_one_open_per_framework",
                violation_error_message=_(
                    "This country already has an open partnership in this framework."
                ),
            ),
            models.CheckConstraint(
                condition=Q(exit__isnull=True)
                | Q(accession__isnull=True)
                | Q(exit__gte=F("accession")),
                name="partners_partnership_exit_after_accession",
                violation_error_message=_("A partnership cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=Q(exit__isnull=True) | Q(status="former"),
                name="partners_partnership_exit_means_former",
                violation_error_message=_(
                    "A partnership with an exit date has the status “former”."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.country} – {self.framework.acronym} ({self.get_status_display()})"


#: Honorifics recorded in English that have an Arabic form (others as recorded).
HONORIFICS = {
    "sheikh": pgettext_lazy("honorific", "Sheikh"),
    "shaikh": pgettext_lazy("honorific", "Sheikh"),
}


class Person(LocalName, BaseModel, Sourced, Searchable):
    """A public figure of the partnership: officials, ambassadors, speakers."""

    search_source_fields = ("name", "name_ar", "honorific", "slug")

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_ar = models.CharField(_("name (Arabic)"), max_length=200, blank=True)
    honorific = models.CharField(_("honorific"), max_length=50, blank=True)
    country = models.ForeignKey(
        Country,
        verbose_name=_("country"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="people",
    )
    biography = models.TextField(_("biography"), blank=True)
    is_public = models.BooleanField(_("public"), default=True)

    access_policy = REFERENCE_POLICY

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.local_honorific} {self.local_name}".strip()

    @property
    def local_honorific(self) -> str:
        """The honorific as recorded; its catalogue form on Arabic pages."""
        return localized(self.honorific, HONORIFICS.get((self.honorific or "").strip().casefold()))


class Appointment(BaseModel, Sourced):
    """A person's position in an organisation over a period."""

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="appointments"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="appointments",
    )
    title = models.CharField(_("position"), max_length=200)
    is_head = models.BooleanField(_("head of the organisation"), default=False)
    start = PartialDateField(_("from"), null=True, blank=True)
    end = PartialDateField(_("until"), null=True, blank=True)
    is_public = models.BooleanField(_("public"), default=True)

    access_policy = Policy(
        public=lambda: Q(is_public=True) & Q(person__is_public=True),
        write_all=NATO_ROLES,
    )

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        ordering = [F("start").asc(nulls_last=True), "person__name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(start__isnull=True) | Q(end__gte=F("start")),
                name="partners_appointment_end_after_start",
                violation_error_message=_("An appointment cannot end before it starts."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} – {self.title}, {self.organisation}"
