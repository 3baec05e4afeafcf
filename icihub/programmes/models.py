"""Individual partnership programmes: one per partner country and period (a
two-year IPCP, or since 2021 an ITPP), holding strategic objectives, then
partnership goals, then the supporting activities chosen from the menu.

Lifecycle: draft (the country's coordinator edits) -> submitted -> agreed
(NATO staff; who and when are recorded) -> active -> closed. Changing an
agreed or active programme makes a new version (a snapshot of the structure).
Each item links to what delivered it; a partner's requests are tracked with
NATO's answer and their age.

Programmes are never public: NATO staff see all, Centre staff read, and a
coordinator sees and edits only their own country's."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from icihub.core.access import NATO_ROLES, STAFF_ROLES, Marking, Policy
from icihub.core.dates import PartialDateField
from icihub.core.models import BaseModel
from icihub.core.text import local
from icihub.core.viewkit import pk_url

ITPP_FIRST_YEAR = 2021


def programme_policy(prefix: str = "", **kwargs) -> Policy:
    """The programmes' one access rule, for a model reached through ``prefix``."""
    defaults = {
        "read_all": STAFF_ROLES,
        "country": f"{prefix}country",
        "marking": f"{prefix}marking",
        "write_all": NATO_ROLES,
        "coordinator_writes": True,
    }
    defaults.update(kwargs)
    return Policy(**defaults)


class Provenance(models.TextChoices):
    ENTERED = "entered", _("Entered")
    DEMO = "demo", _("Demonstration data")


class Programme(BaseModel):
    class Kind(models.TextChoices):
        IPCP = "ipcp", _("Individual Partnership and Cooperation Programme (IPCP)")
        ITPP = "itpp", _("Individually Tailored Partnership Programme (ITPP)")

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        AGREED = "agreed", _("Agreed")
        ACTIVE = "active", _("Active")
        CLOSED = "closed", _("Closed")

    country = models.ForeignKey(
        "partners.Country",
        verbose_name=_("partner country"),
        on_delete=models.PROTECT,
        related_name="programmes",
    )
    kind = models.CharField(_("kind"), max_length=4, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200, blank=True)
    start_year = models.PositiveSmallIntegerField(_("first year"))
    end_year = models.PositiveSmallIntegerField(_("last year"))
    summary = models.TextField(_("summary"), blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.DRAFT, db_index=True
    )
    version = models.PositiveIntegerField(
        _("version"), default=0, help_text=_("0 until agreed; each later change adds one.")
    )
    signed = PartialDateField(
        _("signed"), null=True, blank=True, help_text=_("When the programme was signed, if known.")
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    agreed_at = models.DateTimeField(_("agreed"), null=True, blank=True)
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agreed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    activated_at = models.DateTimeField(_("activated"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    marking = models.CharField(
        _("marking"), max_length=20, choices=Marking.choices, default=Marking.REL_PARTNER
    )
    provenance = models.CharField(
        _("provenance"), max_length=10, choices=Provenance.choices, default=Provenance.ENTERED
    )

    access_policy = programme_policy()

    class Meta:
        verbose_name = _("individual programme")
        verbose_name_plural = _("individual programmes")
        ordering = ["country__name", "-start_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["country", "start_year"],
                name="programmes_one_programme_per_country_and_start",
                violation_error_message=_(
                    "This country already has a programme starting that year."
                ),
            ),
            models.CheckConstraint(
                condition=Q(end_year__gte=F("start_year")),
                name="programmes_programme_years_in_order",
                violation_error_message=_("The last year cannot precede the first."),
            ),
            models.CheckConstraint(
                condition=~Q(kind="ipcp") | Q(end_year=F("start_year") + 1),
                name="programmes_ipcp_two_years",
                violation_error_message=_("An IPCP covers two years."),
            ),
            models.CheckConstraint(
                condition=~Q(kind="itpp") | Q(start_year__gte=ITPP_FIRST_YEAR),
                name="programmes_itpp_since_2021",
                violation_error_message=_("ITPPs exist since 2021."),
            ),
            models.CheckConstraint(
                condition=Q(end_year__lte=F("start_year") + 5),
                name="programmes_programme_at_most_six_years",
                violation_error_message=_("A programme covers at most six years."),
            ),
            models.CheckConstraint(
                condition=~Q(marking=Marking.PUBLIC),
                name="programmes_programme_never_public",
                violation_error_message=_("A programme is never public."),
            ),
            models.CheckConstraint(
                condition=Q(state__in=["draft", "submitted"]) | Q(agreed_at__isnull=False),
                name="programmes_agreed_has_date",
                violation_error_message=_("An agreed programme records when it was agreed."),
            ),
            models.CheckConstraint(
                condition=Q(state="draft") | Q(submitted_at__isnull=False),
                name="programmes_submitted_has_date",
                violation_error_message=_("A submitted programme records when it was submitted."),
            ),
        ]

    def __str__(self) -> str:
        return self.title or self.default_title()

    def default_title(self) -> str:
        country = local(self.country) if self.country_id else "?"
        return f"{country} {self.kind.upper()} {self.period}"

    @property
    def period(self) -> str:
        if self.start_year == self.end_year:
            return str(self.start_year)
        return f"{self.start_year}–{self.end_year}"

    get_absolute_url = pk_url("programmes:programme_detail")

    @property
    def years(self) -> list[int]:
        return list(range(self.start_year, self.end_year + 1))

    @property
    def is_agreed(self) -> bool:
        return self.state in (self.State.AGREED, self.State.ACTIVE, self.State.CLOSED)


class StrategicObjective(BaseModel):
    programme = models.ForeignKey(
        Programme,
        verbose_name=_("programme"),
        on_delete=models.CASCADE,
        related_name="objectives",
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    title = models.CharField(_("title"), max_length=250)
    description = models.TextField(_("description"), blank=True)

    access_policy = programme_policy("programme__")

    class Meta:
        verbose_name = _("strategic objective")
        verbose_name_plural = _("strategic objectives")
        ordering = ["programme", "position", "id"]

    def __str__(self) -> str:
        return self.title


class PartnershipGoal(BaseModel):
    objective = models.ForeignKey(
        StrategicObjective,
        verbose_name=_("strategic objective"),
        on_delete=models.CASCADE,
        related_name="goals",
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    title = models.CharField(_("title"), max_length=250)
    description = models.TextField(_("description"), blank=True)
    target = models.TextField(_("what success looks like"), blank=True)
    areas = models.ManyToManyField(
        "menu.Area", verbose_name=_("areas of cooperation"), related_name="goals", blank=True
    )

    access_policy = programme_policy("objective__programme__")

    class Meta:
        verbose_name = _("partnership goal")
        verbose_name_plural = _("partnership goals")
        ordering = ["objective", "position", "id"]

    def __str__(self) -> str:
        return self.title

    get_absolute_url = pk_url("programmes:goal_detail")


class ProgrammeItem(BaseModel):
    """A supporting activity chosen from the menu for a goal."""

    class Priority(models.IntegerChoices):
        HIGH = 1, _("High")
        MEDIUM = 2, _("Medium")
        LOW = 3, _("Low")

    goal = models.ForeignKey(
        PartnershipGoal,
        verbose_name=_("partnership goal"),
        on_delete=models.CASCADE,
        related_name="items",
    )
    activity = models.ForeignKey(
        "menu.Activity",
        verbose_name=_("menu activity"),
        on_delete=models.PROTECT,
        related_name="programme_items",
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.MEDIUM
    )
    planned_year = models.PositiveSmallIntegerField(_("planned year"))
    planned_quarter = models.PositiveSmallIntegerField(
        _("planned quarter"), null=True, blank=True, help_text=_("1 to 4, or empty.")
    )
    seats = models.PositiveSmallIntegerField(_("seats or participants wanted"), default=1)
    notes = models.TextField(_("notes"), blank=True)

    access_policy = programme_policy("goal__objective__programme__")

    class Meta:
        verbose_name = _("programme item")
        verbose_name_plural = _("programme items")
        ordering = ["goal", "planned_year", "planned_quarter", "priority", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["goal", "activity", "planned_year"],
                name="programmes_item_once_per_goal_and_year",
                violation_error_message=_(
                    "This activity is already planned for this goal that year."
                ),
            ),
            models.CheckConstraint(
                condition=Q(planned_quarter__isnull=True)
                | Q(planned_quarter__gte=1, planned_quarter__lte=4),
                name="programmes_item_quarter_1_to_4",
                violation_error_message=_("A quarter is 1, 2, 3 or 4."),
            ),
        ]

    def __str__(self) -> str:
        when = f"{self.planned_year}" + (
            f" Q{self.planned_quarter}" if self.planned_quarter else ""
        )
        return f"{self.activity.code} ({when})"

    get_absolute_url = pk_url("programmes:item_detail")


class ProgrammeVersion(BaseModel):
    """The structure of a programme when it was agreed (version 1) and after each
    later change: objectives, goals and items, as a snapshot."""

    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    state = models.CharField(_("state"), max_length=10, choices=Programme.State.choices)
    snapshot = models.JSONField(_("structure"), default=dict)
    reason = models.TextField(_("reason"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    access_policy = programme_policy("programme__", write_all=frozenset(), coordinator_writes=False)

    class Meta:
        verbose_name = _("programme version")
        verbose_name_plural = _("programme versions")
        ordering = ["programme", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "number"], name="programmes_version_unique_number"
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1), name="programmes_version_number_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme} v{self.number}"


class Delivery(BaseModel):
    """What delivered a programme item: a course session attended by the
    country's people, a dialogue meeting, an expert visit or something else."""

    class Kind(models.TextChoices):
        SESSION = "session", _("Course session attended")
        MEETING = "meeting", _("Dialogue meeting")
        EXPERT_VISIT = "expert_visit", _("Expert visit")
        OTHER = "other", _("Other delivery")

    item = models.ForeignKey(
        ProgrammeItem,
        verbose_name=_("programme item"),
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    kind = models.CharField(_("kind"), max_length=15, choices=Kind.choices)
    session = models.ForeignKey(
        "training.Session",
        verbose_name=_("course session"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="programme_deliveries",
    )
    event = models.ForeignKey(
        "dialogue.Event",
        verbose_name=_("dialogue meeting"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="programme_deliveries",
    )
    delivered_on = models.DateField(_("delivered on"))
    title = models.CharField(_("what was delivered"), max_length=250, blank=True)
    participants = models.PositiveSmallIntegerField(_("participants from the country"), default=0)
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    access_policy = programme_policy("item__goal__objective__programme__", coordinator_writes=False)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["item", "delivered_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="session") | Q(session__isnull=False),
                name="programmes_delivery_session_named",
                violation_error_message=_("Name the course session."),
            ),
            models.CheckConstraint(
                condition=~Q(kind="meeting") | Q(event__isnull=False),
                name="programmes_delivery_meeting_named",
                violation_error_message=_("Name the dialogue meeting."),
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["session", "meeting"]) | ~Q(title=""),
                name="programmes_delivery_other_has_title",
                violation_error_message=_("Say what was delivered."),
            ),
            models.UniqueConstraint(
                fields=["item", "session"],
                condition=Q(session__isnull=False),
                name="programmes_delivery_session_once",
                violation_error_message=_("This session is already recorded for this item."),
            ),
            models.UniqueConstraint(
                fields=["item", "event"],
                condition=Q(event__isnull=False),
                name="programmes_delivery_event_once",
                violation_error_message=_("This meeting is already recorded for this item."),
            ),
        ]

    def __str__(self) -> str:
        if self.session_id:
            return str(self.session)
        if self.event_id:
            return str(self.event)
        return self.title


def overdue_days() -> int:
    """After how many days an unanswered request is flagged."""
    return int(getattr(settings, "ICIHUB_REQUEST_OVERDUE_DAYS", 30))


class PartnerRequest(BaseModel):
    """A partner's request (for an activity, an expert or a course seat) and
    NATO's answer. An unanswered request stays visible with its age."""

    class Kind(models.TextChoices):
        ACTIVITY = "activity", _("Activity")
        EXPERT = "expert", _("Expert or advisory support")
        COURSE_SEAT = "course_seat", _("Course seat")
        OTHER = "other", _("Other")

    class State(models.TextChoices):
        OPEN = "open", _("Open – awaiting an answer")
        ANSWERED = "answered", _("Answered")
        CLOSED = "closed", _("Closed")

    country = models.ForeignKey(
        "partners.Country",
        verbose_name=_("partner country"),
        on_delete=models.PROTECT,
        related_name="partner_requests",
    )
    programme = models.ForeignKey(
        Programme,
        verbose_name=_("programme"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="requests",
    )
    kind = models.CharField(_("kind"), max_length=15, choices=Kind.choices)
    subject = models.CharField(_("subject"), max_length=250)
    details = models.TextField(_("details"), blank=True)
    activity = models.ForeignKey(
        "menu.Activity",
        verbose_name=_("menu activity"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="partner_requests",
    )
    session = models.ForeignKey(
        "training.Session",
        verbose_name=_("course session"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="partner_requests",
    )
    seats = models.PositiveSmallIntegerField(_("seats"), null=True, blank=True)
    wanted_from = models.DateField(_("wanted from"), null=True, blank=True)
    wanted_to = models.DateField(_("wanted until"), null=True, blank=True)
    requested_on = models.DateField(_("requested on"), default=timezone.localdate)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.OPEN, db_index=True
    )
    response = models.TextField(_("NATO's answer"), blank=True)
    responded_on = models.DateField(_("answered on"), null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    close_note = models.TextField(_("closing note"), blank=True)
    marking = models.CharField(
        _("marking"), max_length=20, choices=Marking.choices, default=Marking.REL_PARTNER
    )
    provenance = models.CharField(
        _("provenance"), max_length=10, choices=Provenance.choices, default=Provenance.ENTERED
    )

    access_policy = programme_policy()

    class Meta:
        verbose_name = _("request")
        verbose_name_plural = _("requests")
        ordering = ["requested_on", "id"]
        indexes = [
            models.Index(fields=["state", "requested_on"]),
            # A programme's open requests (the programmes list counts them per
            # row): SQLite otherwise walked every open request of the register
            # for each programme, 7-10 ms a page at 10x.
            models.Index(fields=["programme", "state"], name="programmes_req_prog_state"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(wanted_to__isnull=True)
                | Q(wanted_from__isnull=True)
                | Q(wanted_to__gte=F("wanted_from")),
                name="programmes_request_wanted_dates_in_order",
                violation_error_message=_("The end of the wanted period precedes its start."),
            ),
            models.CheckConstraint(
                condition=~Q(state="answered") | (Q(responded_on__isnull=False) & ~Q(response="")),
                name="programmes_request_answered_has_answer",
                violation_error_message=_("An answered request records the answer and its date."),
            ),
            models.CheckConstraint(
                condition=Q(responded_on__isnull=True) | Q(responded_on__gte=F("requested_on")),
                name="programmes_request_answer_after_request",
                violation_error_message=_("A request cannot be answered before it was made."),
            ),
            models.CheckConstraint(
                condition=~Q(state="closed") | Q(closed_on__isnull=False),
                name="programmes_request_closed_has_date",
                violation_error_message=_("A closed request records when it was closed."),
            ),
            models.CheckConstraint(
                condition=~Q(marking=Marking.PUBLIC),
                name="programmes_request_never_public",
                violation_error_message=_("A request is never public."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.country.iso3 if self.country_id else '?'}: {self.subject}"

    get_absolute_url = pk_url("programmes:request_detail")

    @property
    def is_unanswered(self) -> bool:
        return self.state == self.State.OPEN

    def age_days(self, today: dt.date | None = None) -> int:
        """Days waited for an answer: until the answer (or closing), else until today."""
        end = self.responded_on or self.closed_on or today or timezone.localdate()
        return max((end - self.requested_on).days, 0)

    @property
    def age(self) -> int:
        return self.age_days()

    @property
    def is_overdue(self) -> bool:
        return self.is_unanswered and self.age > overdue_days()
