"""The Regional Centre's training records: the course catalogue (a course *is* a
menu activity), sessions with seat quotas, participants, nominations with a
waiting list, attendance, level-1 evaluations, verifiable certificates, and the
instructors who travel to the Centre.

Seats: a session's ``seats_taken`` counts the nominations that hold a seat
(``has_seat``); a check constraint keeps it within the capacity and the services
change it only while holding the session row's lock (``select_for_update``), so
seats are never over-allocated, even under concurrent requests.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from icihub.core.access import STAFF_ROLES, Policy, Role
from icihub.core.models import AccessQuerySet, BaseModel
from icihub.core.text import localized, normalise_for_search
from icihub.core.viewkit import pk_url
from icihub.menu.models import Activity, ActivityQuerySet

from . import ranks

CENTRE_VENUE = "NATO-ICI Regional Centre, Kuwait City"
#: Venues recorded by their English name that have one in the catalogue (a
#: venue is free text: another one shows as recorded).
VENUE_NAMES = {CENTRE_VENUE: _("NATO-ICI Regional Centre, Kuwait City")}


def local_venue(venue: str) -> str:
    """A venue as recorded; on Arabic pages the Centre's in Arabic (the one
    venue with a catalogue form)."""
    return localized(venue or "", VENUE_NAMES.get(venue))


def local_rank(rank: str, service: str = "") -> str:
    """A rank as recorded; on Arabic pages its Arabic name from the rank table
    (``training/ranks.py``, the one home of rank names and codes) when the table
    knows it, in the person's branch of service."""
    return localized(rank or "", ranks.arabic_name(rank, service))


REALLOCATION_WEEKS = 6


Provenance = Activity.Provenance


def provenance_field():
    """Where a row comes from (as the menu's activities): "demo" marks the demo
    data (``icihub load-demo``), "source" a row a cited source gives, "entered"
    everything staff and coordinators record. Not editable in forms."""
    return models.CharField(
        _("provenance"),
        max_length=10,
        choices=Provenance.choices,
        default=Provenance.ENTERED,
        editable=False,
        db_index=True,
    )


# -- the course catalogue ----------------------------------------------------------


class CourseQuerySet(ActivityQuerySet):
    pass


class Course(Activity):
    """A course of the Centre's catalogue, following NATO's Education and Training
    Opportunities Catalogue. It *is* a cooperation-menu activity (multi-table
    inheritance): code, title, areas, level, languages, provider, eligible
    audience, marking and status live on the activity record."""

    class Delivery(models.TextChoices):
        RESIDENT = "resident", _("Resident at the Centre")
        MTT = "mtt", _("Mobile training team")
        ONLINE = "online", _("Online")

    class Classification(models.TextChoices):
        UNCLASSIFIED = "unclassified", _("Unclassified (publicly releasable)")
        NU = "nu", _("NATO UNCLASSIFIED")
        NU_REL_ICI = "nu_rel_ici", _("NATO UNCLASSIFIED – Releasable to ICI")

    # The activity format that goes with each delivery method.
    FORMAT_OF_DELIVERY = {
        Delivery.RESIDENT: Activity.Format.COURSE,
        Delivery.MTT: Activity.Format.MTT,
        Delivery.ONLINE: Activity.Format.ELEARNING,
    }

    aim = models.TextField(_("aim"), blank=True)
    performance_objectives = models.TextField(
        _("performance objectives"), blank=True, help_text=_("One objective per line.")
    )
    delivery = models.CharField(
        _("delivery"), max_length=10, choices=Delivery.choices, default=Delivery.RESIDENT
    )
    duration_days = models.PositiveSmallIntegerField(_("duration (days)"), default=5)
    security_classification = models.CharField(
        _("security classification"),
        max_length=20,
        choices=Classification.choices,
        default=Classification.NU_REL_ICI,
    )
    training_audience = models.TextField(
        _("training audience"),
        blank=True,
        help_text=_("E.g. “NATO, PfP, MD, ICI and other nations as approved”."),
    )
    prerequisites = models.TextField(_("prerequisites"), blank=True)
    default_capacity = models.PositiveSmallIntegerField(_("default capacity"), default=30)
    min_attendance_percent = models.PositiveSmallIntegerField(
        _("attendance needed to complete (%)"),
        default=80,
        help_text=_("A participant present on at least this share of the days completes."),
    )
    level1_evaluation_required = models.BooleanField(_("level-1 evaluation required"), default=True)
    level2_test = models.BooleanField(_("level-2 test"), default=False)
    fee_eur = models.DecimalField(
        _("fee (EUR)"), max_digits=9, decimal_places=2, default=0, help_text=_("0 = no fee.")
    )

    objects = CourseQuerySet.as_manager()

    # The catalogue: courses marked public are visible to everyone, the others to
    # the users their marking allows; the Centre and NATO staff write.
    access_policy = Policy(public=lambda: Q(), marking="marking", write_all=STAFF_ROLES)

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_days__gte=1),
                name="training_course_duration_positive",
                violation_error_message=_("A course lasts at least one day."),
            ),
            models.CheckConstraint(
                condition=Q(default_capacity__gte=1),
                name="training_course_capacity_positive",
                violation_error_message=_("A course has at least one seat."),
            ),
            models.CheckConstraint(
                condition=Q(min_attendance_percent__lte=100),
                name="training_course_attendance_rule_percent",
                violation_error_message=_("The attendance rule is a percentage (0-100)."),
            ),
            models.CheckConstraint(
                condition=Q(fee_eur__gte=0),
                name="training_course_fee_not_negative",
                violation_error_message=_("A fee cannot be negative."),
            ),
        ]

    def save(self, *args, **kwargs):
        # A taught course takes its menu format from the delivery method; other
        # Centre activities (seminars, workshops, conferences) keep theirs.
        if not self.format or self.format in self.FORMAT_OF_DELIVERY.values():
            self.format = self.FORMAT_OF_DELIVERY.get(self.delivery, Activity.Format.COURSE)
        super().save(*args, **kwargs)

    get_absolute_url = pk_url("training:course_detail")

    @property
    def objective_list(self) -> list[str]:
        return [line.strip() for line in self.performance_objectives.splitlines() if line.strip()]


# -- sessions ---------------------------------------------------------------------


class SessionQuerySet(AccessQuerySet):
    def open_for_nominations(self, today: dt.date | None = None):
        today = today or timezone.localdate()
        return self.filter(
            state=Session.State.OPEN, nomination_deadline__gte=today, start__gt=today
        )


class Session(BaseModel):
    """One iteration of a course: dates, venue, capacity and its seats."""

    class State(models.TextChoices):
        PLANNED = "planned", _("Planned")
        OPEN = "open", _("Open for nominations")
        CLOSED = "closed", _("Nominations closed")
        RUNNING = "running", _("Running")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    course = models.ForeignKey(
        Course, verbose_name=_("course"), on_delete=models.PROTECT, related_name="sessions"
    )
    reference = models.CharField(
        _("reference"),
        max_length=60,
        unique=True,
        help_text=_("Course code and start date unless given."),
    )
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    venue = models.CharField(_("venue"), max_length=200, default=CENTRE_VENUE)
    capacity = models.PositiveSmallIntegerField(_("capacity"))
    director = models.CharField(_("course director"), max_length=200, blank=True)
    nomination_deadline = models.DateField(_("nomination deadline"))
    reallocation_date = models.DateField(
        _("reallocation date"),
        help_text=_("Unused quota seats are released to the waiting list on this day."),
    )
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PLANNED, db_index=True
    )
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    is_public = models.BooleanField(_("on the public calendar"), default=True)
    seats_taken = models.PositiveSmallIntegerField(_("seats taken"), default=0, editable=False)
    quotas_released_at = models.DateTimeField(
        _("quotas released"), null=True, blank=True, editable=False
    )
    joining_instructions = models.TextField(_("joining instructions"), blank=True)
    notes = models.TextField(_("notes"), blank=True)

    provenance = provenance_field()

    objects = SessionQuerySet.as_manager()

    access_policy = Policy(
        public=lambda: Q(is_public=True),
        signed_in=lambda: Q(),
        marking="course__marking",
        own={
            Role.INSTRUCTOR: "assignments__instructor__user",
            Role.PARTICIPANT: "nominations__participant__user",
        },
        write_all=STAFF_ROLES,
    )

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["start", "course__code"]
        indexes = [
            models.Index(fields=["state", "reallocation_date"]),
            models.Index(fields=["start"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gte=F("start")),
                name="training_session_end_after_start",
                violation_error_message=_("A session cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=Q(nomination_deadline__lte=F("start")),
                name="training_session_deadline_before_start",
                violation_error_message=_("The nomination deadline must not be after the start."),
            ),
            models.CheckConstraint(
                condition=Q(reallocation_date__lte=F("start")),
                name="training_session_reallocation_before_start",
                violation_error_message=_("The reallocation date must not be after the start."),
            ),
            models.CheckConstraint(
                condition=Q(capacity__gte=1),
                name="training_session_capacity_positive",
                violation_error_message=_("A session has at least one seat."),
            ),
            models.CheckConstraint(
                condition=Q(seats_taken__lte=F("capacity")),
                name="training_session_seats_within_capacity",
                violation_error_message=_("More seats are taken than the session has."),
            ),
            models.CheckConstraint(
                condition=~Q(state="cancelled") | ~Q(cancel_reason=""),
                name="training_session_cancel_has_reason",
                violation_error_message=_("Give a reason for cancelling."),
            ),
        ]

    @property
    def is_demo(self) -> bool:
        return self.provenance == Provenance.DEMO

    def __str__(self) -> str:
        return (
            f"{self.course.code} – {self.course.local_title} ({date_format(self.start, 'd M Y')})"
        )

    get_absolute_url = pk_url("training:session_detail")

    @property
    def local_venue(self) -> str:
        return local_venue(self.venue)

    @property
    def days(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=i) for i in range((self.end - self.start).days + 1)]

    @property
    def day_count(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def free_seats(self) -> int:
        return max(self.capacity - self.seats_taken, 0)

    @staticmethod
    def default_reallocation_date(start: dt.date) -> dt.date:
        return start - dt.timedelta(weeks=REALLOCATION_WEEKS)

    def accepts_nominations(self, today: dt.date | None = None) -> bool:
        today = today or timezone.localdate()
        return (
            self.state == self.State.OPEN
            and self.nomination_deadline >= today
            and self.start > today
        )


class SeatQuota(BaseModel):
    """The seats of one session reserved for one country until the reallocation date."""

    session = models.ForeignKey(
        Session, verbose_name=_("session"), on_delete=models.CASCADE, related_name="quotas"
    )
    country = models.ForeignKey(
        "partners.Country",
        verbose_name=_("country"),
        on_delete=models.PROTECT,
        related_name="seat_quotas",
    )
    seats = models.PositiveSmallIntegerField(_("seats"))

    access_policy = Policy(
        country="country",
        own={Role.INSTRUCTOR: "session__assignments__instructor__user"},
        write_all=STAFF_ROLES,
    )

    class Meta:
        verbose_name = _("seat quota")
        verbose_name_plural = _("seat quotas")
        ordering = ["session", "country__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "country"],
                name="training_quota_one_per_country",
                violation_error_message=_("This country already has a quota for this session."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session.reference}: {self.country.iso3} × {self.seats}"


# -- participants -----------------------------------------------------------------


class Participant(BaseModel):
    """One person who attends (or is nominated to) the Centre's courses.

    One person is one participant: see ``services.find_duplicates`` for the rule."""

    class Service(models.TextChoices):
        ARMY = "army", _("Army")
        NAVY = "navy", _("Navy")
        AIR_FORCE = "air_force", _("Air force")
        NATIONAL_GUARD = "national_guard", _("National guard")
        POLICE = "police", _("Police")
        CIVIL_DEFENCE = "civil_defence", _("Civil defence / fire")
        MINISTRY = "ministry", _("Ministry")
        OTHER = "other", _("Other")

    class RankCode(models.TextChoices):
        OF1 = "OF-1", "OF-1"
        OF2 = "OF-2", "OF-2"
        OF3 = "OF-3", "OF-3"
        OF4 = "OF-4", "OF-4"
        OF5 = "OF-5", "OF-5"
        OF6 = "OF-6", "OF-6"
        OF7 = "OF-7", "OF-7"
        OF8 = "OF-8", "OF-8"
        OF9 = "OF-9", "OF-9"
        OF10 = "OF-10", "OF-10"
        OR1 = "OR-1", "OR-1"
        OR2 = "OR-2", "OR-2"
        OR3 = "OR-3", "OR-3"
        OR4 = "OR-4", "OR-4"
        OR5 = "OR-5", "OR-5"
        OR6 = "OR-6", "OR-6"
        OR7 = "OR-7", "OR-7"
        OR8 = "OR-8", "OR-8"
        OR9 = "OR-9", "OR-9"
        CIVILIAN = "CIV", _("Civilian")

    given_name = models.CharField(_("given name"), max_length=100)
    family_name = models.CharField(_("family name"), max_length=100)
    name_ar = models.CharField(_("name (Arabic script)"), max_length=200, blank=True)
    country = models.ForeignKey(
        "partners.Country",
        verbose_name=_("country"),
        on_delete=models.PROTECT,
        related_name="training_participants",
    )
    service = models.CharField(_("service"), max_length=20, choices=Service.choices)
    rank = models.CharField(_("rank"), max_length=60, blank=True)
    rank_code = models.CharField(
        _("NATO rank code"), max_length=5, choices=RankCode.choices, default=RankCode.CIVILIAN
    )
    position = models.CharField(_("position"), max_length=200, blank=True)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="training_participant",
        help_text=_("The participant's own sign-in (role participant)."),
    )
    name_key = models.CharField(max_length=220, editable=False, db_index=True, default="")
    search_text = models.TextField(editable=False, blank=True, default="")
    anonymised_at = models.DateTimeField(
        _("anonymised"),
        null=True,
        blank=True,
        editable=False,
        help_text=_(
            "When the personal data were removed after the retention period "
            "(icihub.training.privacy); the record then only counts in the figures."
        ),
    )

    provenance = provenance_field()

    access_policy = Policy(
        country="country",
        coordinator_writes=True,
        own={
            Role.PARTICIPANT: "user",
            Role.INSTRUCTOR: "nominations__session__assignments__instructor__user",
        },
        write_all=STAFF_ROLES,
    )

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["family_name", "given_name", "id"]
        indexes = [
            models.Index(fields=["country", "name_key"]),
            # the default order of the participants list: a page without a sort
            models.Index(
                fields=["family_name", "given_name", "id"], name="training_participant_order"
            ),
            # the same order within a country: a coordinator's list, and the
            # picker's search, which walks the country's people in name order
            models.Index(
                fields=["country", "family_name", "given_name", "id"],
                name="training_participant_cty_order",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                "country",
                condition=~Q(email=""),
                name="training_participant_unique_email_per_country",
                violation_error_message=_(
                    "A participant of this country already has this e-mail address."
                ),
            ),
            models.UniqueConstraint(
                "country",
                "name_key",
                "date_of_birth",
                condition=Q(date_of_birth__isnull=False),
                name="training_participant_unique_name_birth",
                violation_error_message=_(
                    "A participant of this country with this name and date of birth exists."
                ),
            ),
        ]

    @property
    def is_demo(self) -> bool:
        return self.provenance == Provenance.DEMO

    def __str__(self) -> str:
        return f"{self.full_name} ({self.country.iso3})"

    @staticmethod
    def birth_date_problem(value) -> str | None:
        """Why ``value`` cannot be a date of birth (in the future, or before
        1900), or None. The model, the forms and the import share it."""
        if value is None:
            return None
        if value > timezone.localdate():
            return str(_("A date of birth cannot be in the future."))
        if value.year < 1900:
            return str(_("A date of birth is not before 1900."))
        return None

    def clean(self):
        super().clean()
        problem = self.birth_date_problem(self.date_of_birth)
        if problem:
            raise ValidationError({"date_of_birth": problem})

    def save(self, *args, **kwargs):
        self.prepare()
        super().save(*args, **kwargs)

    def prepare(self) -> None:
        """Fill the derived search fields (``save`` does it; call it before ``bulk_create``).
        An anonymised record keeps them empty."""
        if self.anonymised_at is not None:
            self.name_key = self.search_text = ""
            return
        self.name_key = self.make_name_key(self.given_name, self.family_name)
        self.search_text = normalise_for_search(
            " ".join([self.given_name, self.family_name, self.name_ar, self.email])
        )

    @staticmethod
    def make_name_key(given: str, family: str) -> str:
        """The normalised Latin name used to detect duplicates ("Al-Sabah" = "al sabah")."""
        return normalise_for_search(f"{given} {family}").replace(" ", "")[:220]

    @property
    def full_name(self) -> str:
        if self.anonymised_at is not None:  # the names are gone
            return _("Anonymised participant #%(pk)s") % {"pk": self.pk}
        return f"{self.given_name} {self.family_name}".strip()

    @property
    def local_rank(self) -> str:
        """The rank in the page's language (``RANK_NAMES``; as recorded otherwise)."""
        return local_rank(self.rank, self.service)

    @property
    def is_anonymised(self) -> bool:
        return self.anonymised_at is not None

    get_absolute_url = pk_url("training:participant_detail")


# -- nominations --------------------------------------------------------------------


class Nomination(BaseModel):
    """A country's request for a seat for one of its people on one session.

    Who, when and why of every step: ``nominated_by/at``, ``decided_by/at`` with
    ``decision_reason``, ``withdrawn_by/at`` with ``withdrawal_reason``,
    ``promoted_at``; each transition is also in the audit trail with its reason."""

    class Status(models.TextChoices):
        NOMINATED = "nominated", _("Nominated (seat held)")
        ACCEPTED = "accepted", _("Accepted")
        WAITLISTED = "waitlisted", _("Waiting list")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        SUBSTITUTED = "substituted", _("Replaced by a substitute")

    class Outcome(models.TextChoices):
        COMPLETED = "completed", _("Completed")
        NOT_COMPLETED = "not_completed", _("Not completed")
        NO_SHOW = "no_show", _("No-show")

    SEATED = (Status.NOMINATED, Status.ACCEPTED)
    ACTIVE = (Status.NOMINATED, Status.ACCEPTED, Status.WAITLISTED)

    session = models.ForeignKey(
        Session, verbose_name=_("session"), on_delete=models.PROTECT, related_name="nominations"
    )
    participant = models.ForeignKey(
        Participant,
        verbose_name=_("participant"),
        on_delete=models.PROTECT,
        related_name="nominations",
    )
    country = models.ForeignKey(
        "partners.Country",
        verbose_name=_("nominating country"),
        on_delete=models.PROTECT,
        related_name="training_nominations",
    )
    #: A country's priorities (the page, the API and the services: one range).
    PRIORITY_MIN, PRIORITY_MAX = 1, 999

    priority = models.PositiveSmallIntegerField(
        _("priority"), default=1, help_text=_("1 is the country's first choice.")
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.NOMINATED
    )
    has_seat = models.BooleanField(_("holds a seat"), default=False)
    via_reallocation = models.BooleanField(
        _("seat from reallocation"),
        default=False,
        help_text=_("The seat came from the waiting list after the quotas were released."),
    )
    reason = models.TextField(_("nomination note"), blank=True)
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("nominated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    nominated_at = models.DateTimeField(_("nominated"), default=timezone.now)
    promoted_at = models.DateTimeField(_("promoted from the waiting list"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_reason = models.TextField(_("reason for the decision"), blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("withdrawn by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawal_reason = models.TextField(_("reason for withdrawing"), blank=True)
    substitute_for = models.OneToOneField(
        "self",
        verbose_name=_("substitute for"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="substituted_by",
    )
    joining_sent_at = models.DateTimeField(_("joining instructions sent"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=14, choices=Outcome.choices, blank=True)
    outcome_at = models.DateTimeField(_("outcome recorded"), null=True, blank=True)
    attendance_percent = models.PositiveSmallIntegerField(
        _("attendance (%)"), null=True, blank=True
    )

    access_policy = Policy(
        country="country",
        coordinator_writes=True,
        own={
            Role.PARTICIPANT: "participant__user",
            Role.INSTRUCTOR: "session__assignments__instructor__user",
        },
        write_all=STAFF_ROLES,
        write_own={Role.PARTICIPANT: "participant__user"},
        create_roles=STAFF_ROLES | {Role.COORDINATOR},
    )

    class Meta:
        verbose_name = _("nomination")
        verbose_name_plural = _("nominations")
        ordering = ["session", "country__name", "priority", "nominated_at", "id"]
        indexes = [
            models.Index(fields=["session", "status"]),
            models.Index(fields=["session", "country", "status"]),
            # the nominations list page's order (the oldest first), for staff
            # and for a coordinator's country: a page reads 50 index entries
            models.Index(fields=["nominated_at", "id"], name="training_nomination_age"),
            models.Index(fields=["country", "nominated_at", "id"], name="training_nom_country_age"),
            # the home page's "what changed last" (the latest first) and a
            # coordinator's counts by state: index reads, not a scan of the
            # country's nominations
            models.Index(fields=["updated_at", "id"], name="training_nomination_recent"),
            models.Index(
                fields=["country", "updated_at", "id"], name="training_nom_country_recent"
            ),
            models.Index(fields=["country", "status"], name="training_nom_country_status"),
            # a country's nominations in the order of their ids: PostgreSQL
            # merges them with the certificates' (unique) nomination index to
            # count a coordinator's certificates, rather than hashing them all
            models.Index(fields=["country", "id"], name="training_nom_country_id"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "participant"],
                condition=Q(status__in=["nominated", "accepted", "waitlisted"]),
                name="training_nomination_person_once_per_session",
                violation_error_message=_("This person is already nominated to this session."),
            ),
            models.CheckConstraint(
                condition=(
                    Q(has_seat=True, status__in=["nominated", "accepted"])
                    | (Q(has_seat=False) & ~Q(status__in=["nominated", "accepted"]))
                ),
                name="training_nomination_seat_matches_status",
                violation_error_message=_("Only nominated and accepted nominees hold a seat."),
            ),
            models.CheckConstraint(
                condition=Q(priority__gte=1),
                name="training_nomination_priority_positive",
                violation_error_message=_("Priorities start at 1."),
            ),
            models.CheckConstraint(
                condition=Q(outcome="") | Q(status="accepted"),
                name="training_nomination_outcome_only_accepted",
                violation_error_message=_("Only accepted nominees have an outcome."),
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(decision_reason=""),
                name="training_nomination_rejection_has_reason",
                violation_error_message=_("Give a reason for the rejection."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant.full_name} → {self.session.reference}"

    get_absolute_url = pk_url("training:nomination_detail")

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def issued_certificate(self) -> Certificate | None:
        """The certificate of this nomination, or None (the reverse one-to-one
        raises when there is none)."""
        try:
            return self.certificate
        except Certificate.DoesNotExist:
            return None


class Attendance(BaseModel):
    """Whether an accepted nominee was present on one day of the session."""

    nomination = models.ForeignKey(
        Nomination,
        verbose_name=_("nomination"),
        on_delete=models.CASCADE,
        related_name="attendance",
    )
    day = models.DateField(_("day"))
    present = models.BooleanField(_("present"), default=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    access_policy = Policy(
        country="nomination__country",
        own={
            Role.PARTICIPANT: "nomination__participant__user",
            Role.INSTRUCTOR: "nomination__session__assignments__instructor__user",
        },
        write_all=STAFF_ROLES,
        write_own={Role.INSTRUCTOR: "nomination__session__assignments__instructor__user"},
        create_roles=STAFF_ROLES | {Role.INSTRUCTOR},
    )

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["nomination", "day"]
        constraints = [
            models.UniqueConstraint(
                fields=["nomination", "day"], name="training_attendance_once_per_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.nomination}: {self.day} {'present' if self.present else 'absent'}"


# -- level-1 evaluation -----------------------------------------------------------


EVALUATION_QUESTIONS = [
    ("relevance", _("Relevance of the course to my work")),
    ("content", _("Quality of the content")),
    ("instructors", _("Quality of the instructors")),
    ("organisation", _("Organisation and administration")),
    ("facilities", _("Facilities of the venue")),
    ("overall", _("Overall satisfaction")),
]
SCORE_FIELDS = [name for name, _label in EVALUATION_QUESTIONS]


class Evaluation(BaseModel):
    """A participant's level-1 (reaction) questionnaire for a session: scores from
    1 (poor) to 5 (excellent) and comments."""

    QUESTIONS = EVALUATION_QUESTIONS

    class Source(models.TextChoices):
        ONLINE = "online", _("Filled in by the participant")
        PAPER = "paper", _("Entered by staff from paper")

    nomination = models.OneToOneField(
        Nomination,
        verbose_name=_("nomination"),
        on_delete=models.PROTECT,
        related_name="evaluation",
    )
    relevance = models.PositiveSmallIntegerField(_("relevance"))
    content = models.PositiveSmallIntegerField(_("content"))
    instructors = models.PositiveSmallIntegerField(_("instructors"))
    organisation = models.PositiveSmallIntegerField(_("organisation"))
    facilities = models.PositiveSmallIntegerField(_("facilities"))
    overall = models.PositiveSmallIntegerField(_("overall"))
    comments = models.TextField(_("comments"), blank=True)
    source = models.CharField(
        _("entered"), max_length=10, choices=Source.choices, default=Source.ONLINE
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)

    access_policy = Policy(
        own={Role.PARTICIPANT: "nomination__participant__user"},
        write_all=STAFF_ROLES,
        create_roles=STAFF_ROLES | {Role.PARTICIPANT},
    )

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        ordering = ["-submitted_at"]
        indexes = [
            # the evaluations list's order (the newest first): a page reads 50 rows
            models.Index(fields=["-submitted_at", "-id"], name="training_evaluation_order"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    **{f"{name}__gte": 1 for name in SCORE_FIELDS},
                    **{f"{name}__lte": 5 for name in SCORE_FIELDS},
                ),
                name="training_evaluation_scores_1_to_5",
                violation_error_message=_("Scores go from 1 to 5."),
            )
        ]

    def __str__(self) -> str:
        return f"{_('Evaluation')}: {self.nomination}"


# -- certificates -------------------------------------------------------------------


class Certificate(BaseModel):
    """The certificate of a completed nomination, verifiable at /verify/<code>."""

    nomination = models.OneToOneField(
        Nomination,
        verbose_name=_("nomination"),
        on_delete=models.PROTECT,
        related_name="certificate",
    )
    code = models.CharField(_("verification code"), max_length=20, unique=True)
    issued_at = models.DateTimeField(_("issued"), default=timezone.now)
    # The address (scheme and host) the certificate was issued from: the
    # request's when staff issue it in a browser or through the API, the
    # configured ICIHUB_BASE_URL for the command line and jobs. The printed
    # verification address and the QR code use it, so they point at the server
    # that issued the certificate.
    base_url = models.CharField(
        _("issued from"),
        max_length=200,
        blank=True,
        help_text=_("The address (scheme and host) the certificate was issued from."),
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    revocation_reason = models.TextField(_("reason for revoking"), blank=True)

    access_policy = Policy(
        country="nomination__country",
        own={Role.PARTICIPANT: "nomination__participant__user"},
        write_all=STAFF_ROLES,
    )

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_at", "-id"]
        indexes = [
            # the register's default order: a page reads its rows in the index, not
            # every certificate sorted (a coordinator's: until 50 of their country)
            models.Index(fields=["-issued_at", "-id"], name="training_certificate_order"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | ~Q(revocation_reason=""),
                name="training_certificate_revocation_has_reason",
                violation_error_message=_("Give a reason for revoking."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.nomination.participant.full_name})"

    @property
    def is_valid(self) -> bool:
        return self.revoked_at is None

    def verify_url(self) -> str:
        """The public verification address printed on the certificate and in its
        QR code: the issuing address + ``/verify/<code>``."""
        base = self.base_url or settings.ICIHUB_BASE_URL
        return base + reverse("verify_certificate", args=[self.code])


# -- instructors and their travel ---------------------------------------------------


class Instructor(BaseModel):
    """An instructor or expert, usually travelling in from a NATO body."""

    full_name = models.CharField(_("name"), max_length=200)
    name_ar = models.CharField(_("name (Arabic script)"), max_length=200, blank=True)
    title = models.CharField(_("rank or title"), max_length=100, blank=True)
    organisation = models.ForeignKey(
        "partners.Organisation",
        verbose_name=_("home organisation"),
        on_delete=models.PROTECT,
        related_name="instructors",
    )
    country = models.ForeignKey(
        "partners.Country",
        verbose_name=_("country"),
        on_delete=models.PROTECT,
        related_name="training_instructors",
    )
    email = models.EmailField(_("e-mail"), blank=True)
    expertise = models.TextField(_("expertise"), blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="training_instructor",
    )
    is_active = models.BooleanField(_("active"), default=True)

    provenance = provenance_field()

    access_policy = Policy(own={Role.INSTRUCTOR: "user"}, write_all=STAFF_ROLES)

    class Meta:
        verbose_name = _("instructor or expert")
        verbose_name_plural = _("instructors and experts")
        ordering = ["full_name", "id"]

    @property
    def is_demo(self) -> bool:
        return self.provenance == Provenance.DEMO

    def __str__(self) -> str:
        return f"{local_rank(self.title)} {self.full_name}".strip()

    get_absolute_url = pk_url("training:instructor_detail")


class Assignment(BaseModel):
    """An instructor's part in a session."""

    class Part(models.TextChoices):
        LEAD = "lead", _("Lead instructor")
        INSTRUCTOR = "instructor", _("Instructor")
        GUEST = "guest", _("Guest speaker")

    session = models.ForeignKey(
        Session, verbose_name=_("session"), on_delete=models.CASCADE, related_name="assignments"
    )
    instructor = models.ForeignKey(
        Instructor,
        verbose_name=_("instructor"),
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    role = models.CharField(_("role"), max_length=12, choices=Part.choices, default=Part.INSTRUCTOR)

    access_policy = Policy(own={Role.INSTRUCTOR: "instructor__user"}, write_all=STAFF_ROLES)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["session", "role", "instructor__full_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "instructor"],
                name="training_assignment_once_per_session",
                violation_error_message=_("This instructor is already assigned to this session."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.instructor} – {self.get_role_display()} ({self.session.reference})"


class Trip(BaseModel):
    """An instructor's journey to the Centre: from where, arrival and departure.
    One trip covers one or more consecutive sessions the instructor teaches."""

    instructor = models.ForeignKey(
        Instructor, verbose_name=_("instructor"), on_delete=models.PROTECT, related_name="trips"
    )
    origin = models.CharField(_("travelling from"), max_length=120)
    arrival = models.DateField(_("arrival"))
    departure = models.DateField(_("departure"))
    sessions = models.ManyToManyField(Session, verbose_name=_("sessions"), related_name="trips")
    notes = models.TextField(_("notes"), blank=True)

    access_policy = Policy(own={Role.INSTRUCTOR: "instructor__user"}, write_all=STAFF_ROLES)

    class Meta:
        verbose_name = _("trip")
        verbose_name_plural = _("trips")
        ordering = ["arrival", "instructor__full_name"]
        indexes = [
            # the trips list's order (the API's: arrival, id)
            models.Index(fields=["arrival", "id"], name="training_trip_order"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(departure__gte=F("arrival")),
                name="training_trip_departure_after_arrival",
                violation_error_message=_("The departure cannot be before the arrival."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.instructor.full_name}: {self.origin}, {self.arrival} – {self.departure}"


# -- calendar feeds -------------------------------------------------------------------


class CalendarFeed(BaseModel):
    """A user's secret iCalendar address. Only the SHA-256 of the key is kept;
    creating a new address revokes the old one (it then answers 404)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="training_calendar_feed",
    )
    key_hash = models.CharField(max_length=64, unique=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    access_policy = Policy(
        read_all=frozenset({Role.ADMIN}),
        own=dict.fromkeys(Role, "user"),
        write_all=frozenset({Role.ADMIN}),
        write_own=dict.fromkeys(Role, "user"),
        create_roles=frozenset(Role),
    )

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")
        ordering = ["user"]

    def __str__(self) -> str:
        return f"{_('Calendar feed')}: {self.user}"
