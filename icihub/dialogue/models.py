"""The political dialogue register: meetings and events of the initiative, who
took part and in what role, what was discussed and agreed, the follow-up
actions, and the sources each fact rests on.

Access (one policy per model, :class:`EventPolicy`):

* everybody reads events through their releasability marking (anonymous
  visitors: public events only; a coordinator also sees the events marked
  "releasable to the partner concerned" whose ``country`` is theirs; only NATO
  roles see NATO-only events);
* administrators and NATO partnership staff record and change every event;
* Centre staff record and change the events held at the NATO-ICI Regional Centre
  (``venue`` is the Centre), because the Centre runs them; they never see, and so
  can never write, NATO-only events;
* follow-up actions are internal: staff read them (subject to the event's
  marking), a coordinator reads the actions of events concerning their country,
  and an action's owner reads their own.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from icihub.core.access import (
    NATO_ROLES,
    STAFF_ROLES,
    Marking,
    Policy,
    Role,
    marking_q,
    role_of,
)
from icihub.core.dates import PartialDateField
from icihub.core.models import AccessQuerySet, BaseModel, Sourced
from icihub.core.text import local, normalise_for_search
from icihub.core.viewkit import pk_url

CENTRE_SLUG = "nato-ici-rc"


@dataclass
class EventPolicy(Policy):
    """The core :class:`Policy` plus one rule: Centre staff change the rows of
    events held at the Centre (``<prefix>venue`` is the Centre)."""

    venue: str = "venue"

    def centre_q(self) -> Q:
        return Q(**{f"{self.venue}__slug": CENTRE_SLUG})

    def editable_q(self, user):
        q = super().editable_q(user)
        if q is not None and role_of(user) == Role.CENTRE_STAFF:
            q |= self.centre_q()
        return q


def event_policy(prefix: str = "", **kwargs) -> EventPolicy:
    defaults = {
        "public": lambda: Q(),
        "marking": f"{prefix}marking",
        "country": f"{prefix}country",
        "venue": f"{prefix}venue",
        "write_all": NATO_ROLES,
        "create_roles": NATO_ROLES | {Role.CENTRE_STAFF},
    }
    defaults.update(kwargs)
    return EventPolicy(**defaults)


class EventQuerySet(AccessQuerySet):
    def dated(self):
        return self.filter(date__isnull=False)

    def undated(self):
        return self.filter(date__isnull=True)


class Event(BaseModel, Sourced):
    """One meeting or event of the political dialogue."""

    class Format(models.TextChoices):
        NAC_ICI = "nac_ici", _("North Atlantic Council with ICI partners (NAC+4)")
        FOREIGN_MINISTERS = "foreign_ministers", _("Meeting of foreign ministers")
        POLICY_ADVISORY_GROUP = "pag", _("ICI policy advisory group")
        INFORMAL_CONSULTATIONS = "consultations", _("Informal consultations")
        CONFERENCE = "conference", _("Conference or seminar")
        SUMMIT = "summit", _("Summit")
        INAUGURATION = "inauguration", _("Inauguration")
        ANNUAL_REVIEW = "annual_review", _("Annual review")
        MISSION_OPENING = "mission_opening", _("Opening of a diplomatic mission")
        VISIT = "visit", _("High-level visit")
        REQUEST = "request", _("Official request or proposal")
        OTHER = "other", _("Other")

    class Level(models.TextChoices):
        HEADS = "heads", _("Heads of state or government")
        MINISTERIAL = "ministerial", _("Ministerial")
        AMBASSADORIAL = "ambassadorial", _("Ambassadorial")
        SENIOR_OFFICIALS = "senior_officials", _("Senior officials")
        MILITARY = "military", _("Military commanders")
        EXPERT = "expert", _("Expert or working level")
        MIXED = "mixed", _("Mixed: officials, military and academics")

    class Provenance(models.TextChoices):
        SOURCE = "source", _("From cited sources")
        ENTERED = "entered", _("Entered by staff")
        DEMO = "demo", _("Demonstration data")

    key = models.SlugField(
        _("reference key"),
        max_length=80,
        blank=True,
        default="",
        help_text=_("Stable key of reference and demonstration rows (empty for others)."),
    )
    title = models.CharField(_("title"), max_length=250)
    title_ar = models.CharField(_("title (Arabic)"), max_length=250, blank=True)
    format = models.CharField(_("format"), max_length=20, choices=Format.choices)
    date = PartialDateField(
        _("date"),
        null=True,
        blank=True,
        help_text=_(
            "As precise as the sources: 2017-01-24, 2017-01, 2014, or a range such as "
            "2018-01-22/2018-01-23. Leave empty when no source gives a date."
        ),
    )
    date_note = models.TextField(
        _("about the date"),
        blank=True,
        help_text=_("Why the date is vague or missing, and what the sources say."),
    )
    place = models.CharField(_("place"), max_length=200, blank=True)
    venue = models.ForeignKey(
        "partners.Organisation",
        verbose_name=_("venue"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hosted_events",
        help_text=_("The organisation whose premises hosted the event, when known."),
    )
    venue_country = models.ForeignKey(
        "partners.Country",
        verbose_name=_("country of the venue"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    level = models.CharField(_("level"), max_length=20, choices=Level.choices, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    outcomes = models.TextField(_("outcomes"), blank=True)
    topics = models.ManyToManyField(
        "menu.Area", verbose_name=_("topics"), related_name="dialogue_events", blank=True
    )
    marking = models.CharField(
        _("marking"), max_length=20, choices=Marking.choices, default=Marking.REL_ICI
    )
    country = models.ForeignKey(
        "partners.Country",
        verbose_name=_("partner concerned"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dialogue_events",
        help_text=_(
            "The partner country the event concerns. Required for the marking "
            "“releasable to the partner concerned”: that country's coordinator sees it."
        ),
    )
    milestone_of = models.ForeignKey(
        "partners.Organisation",
        verbose_name=_("milestone of"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="milestone_events",
        help_text=_(
            "When the event is a milestone of an organisation (the Centre's inauguration)."
        ),
    )
    milestone = models.SlugField(
        _("milestone"),
        max_length=40,
        blank=True,
        help_text=_("The organisation's dated fact this event is: established, requested..."),
    )
    provenance = models.CharField(
        _("provenance"), max_length=10, choices=Provenance.choices, default=Provenance.ENTERED
    )
    search_text = models.TextField(editable=False, blank=True, default="")

    objects = EventQuerySet.as_manager()

    access_policy = event_policy()

    class Meta:
        verbose_name = _("dialogue event")
        verbose_name_plural = _("dialogue events")
        # undated events last on every database (PostgreSQL puts NULL first in DESC)
        ordering = [F("date").desc(nulls_last=True), "title"]
        indexes = [models.Index(fields=["date"]), models.Index(fields=["format", "date"])]
        constraints = [
            models.UniqueConstraint(
                fields=["key"],
                condition=~Q(key=""),
                name="dialogue_event_unique_key",
                violation_error_message=_("Another event has this reference key."),
            ),
            models.CheckConstraint(
                condition=~Q(marking=Marking.REL_PARTNER) | Q(country__isnull=False),
                name="dialogue_event_partner_marking_has_country",
                violation_error_message=_(
                    "An event releasable to the partner concerned must name that partner."
                ),
            ),
            models.CheckConstraint(
                condition=Q(milestone="") | Q(milestone_of__isnull=False),
                name="dialogue_event_milestone_has_organisation",
                violation_error_message=_("A milestone names its organisation."),
            ),
        ]

    def __str__(self) -> str:
        return local(self, "title")

    get_absolute_url = pk_url("dialogue:event_detail")

    def clean(self):
        from django.core.exceptions import ValidationError

        errors = {}
        if self.marking == Marking.REL_PARTNER and self.country_id is None:
            errors["country"] = _(
                "Name the partner concerned: the event is marked releasable to it."
            )
        if self.milestone and self.milestone_of_id is None:
            errors["milestone_of"] = _("Name the organisation this event is a milestone of.")
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        self.search_text = normalise_for_search(
            " ".join(
                [self.title, self.title_ar, self.place, self.summary, self.outcomes, self.date_note]
            )
        )
        super().save(*args, **kwargs)

    @property
    def is_demo(self) -> bool:
        return self.provenance == self.Provenance.DEMO

    @property
    def is_centre_event(self) -> bool:
        return self.venue is not None and self.venue.slug == CENTRE_SLUG


class Participant(BaseModel, Sourced):
    """A country or an organisation taking part in an event, in a role."""

    class Role(models.TextChoices):
        HOST = "host", _("Host")
        CHAIR = "chair", _("Chair")
        ORGANISER = "organiser", _("Organiser")
        MEMBER = "member", _("ICI partner")
        ALLY = "ally", _("NATO Ally")
        OBSERVER = "observer", _("Observer")
        GUEST = "guest", _("Guest")

    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="participants"
    )
    country = models.ForeignKey(
        "partners.Country",
        verbose_name=_("country"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dialogue_participations",
    )
    organisation = models.ForeignKey(
        "partners.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dialogue_participations",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    note = models.CharField(_("note"), max_length=250, blank=True)

    objects = AccessQuerySet.as_manager()

    access_policy = event_policy("event__")

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["event", "role", "country__name", "organisation__name"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(country__isnull=False) & Q(organisation__isnull=True))
                | (Q(country__isnull=True) & Q(organisation__isnull=False)),
                name="dialogue_participant_country_or_organisation",
                violation_error_message=_("A participant is either a country or an organisation."),
            ),
            models.UniqueConstraint(
                fields=["event", "country"],
                condition=Q(country__isnull=False),
                name="dialogue_participant_unique_country",
                violation_error_message=_("This country already takes part in the event."),
            ),
            models.UniqueConstraint(
                fields=["event", "organisation"],
                condition=Q(organisation__isnull=False),
                name="dialogue_participant_unique_organisation",
                violation_error_message=_("This organisation already takes part in the event."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.party} ({self.get_role_display()})"

    @property
    def party(self):
        return self.country or self.organisation

    def clean(self):
        from django.core.exceptions import ValidationError

        if (self.country_id is None) == (self.organisation_id is None):
            raise ValidationError(
                {"country": _("Give either a country or an organisation (not both).")}
            )


class Attendee(BaseModel, Sourced):
    """A person at an event: from the registry, or named in free text."""

    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="attendees"
    )
    person = models.ForeignKey(
        "partners.Person",
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dialogue_attendances",
    )
    name = models.CharField(
        _("name or description"),
        max_length=200,
        blank=True,
        help_text=_("For people not in the registry, or groups (“academics”)."),
    )
    role = models.CharField(
        _("role at the event"), max_length=250, blank=True, help_text=_("e.g. opened the meeting")
    )
    affiliation = models.CharField(_("affiliation"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    objects = AccessQuerySet.as_manager()

    access_policy = event_policy("event__")

    class Meta:
        verbose_name = _("attendee")
        verbose_name_plural = _("attendees")
        ordering = ["event", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(person__isnull=False) | ~Q(name=""),
                name="dialogue_attendee_person_or_name",
                violation_error_message=_("Name the attendee or choose them from the registry."),
            ),
            models.UniqueConstraint(
                fields=["event", "person"],
                condition=Q(person__isnull=False),
                name="dialogue_attendee_unique_person",
                violation_error_message=_("This person is already listed at the event."),
            ),
        ]

    def __str__(self) -> str:
        who = str(self.person) if self.person_id else self.name
        return f"{who} – {self.role}" if self.role else who

    @property
    def display_name(self) -> str:
        return str(self.person) if self.person_id else self.name

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.person_id is None and not self.name.strip():
            raise ValidationError(
                {"name": _("Name the attendee or choose them from the registry.")}
            )


class ActionQuerySet(AccessQuerySet):
    def open(self):
        return self.filter(state=FollowUpAction.State.OPEN)

    def overdue(self, today: dt.date | None = None):
        return self.open().filter(due__lt=today or timezone.localdate())


class FollowUpAction(BaseModel):
    """Something an event decided must be done, by an owner, by a date."""

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="actions"
    )
    description = models.TextField(_("action"))
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner (user)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dialogue_actions",
    )
    owner_organisation = models.ForeignKey(
        "partners.Organisation",
        verbose_name=_("owner (organisation)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dialogue_actions",
    )
    due = models.DateField(_("due"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    objects = ActionQuerySet.as_manager()

    access_policy = event_policy(
        "event__",
        public=None,
        read_all=STAFF_ROLES,
        extra_q=lambda user: Q(owner_user=user.pk) & marking_q(user, "event__marking"),
        write_own=dict.fromkeys(Role, "owner_user"),
    )

    class Meta:
        verbose_name = _("follow-up action")
        verbose_name_plural = _("follow-up actions")
        ordering = [F("due").asc(nulls_last=True), "id"]  # undated last on every database
        indexes = [models.Index(fields=["state", "due"])]
        constraints = [
            models.CheckConstraint(
                condition=(Q(owner_user__isnull=False) & Q(owner_organisation__isnull=True))
                | (Q(owner_user__isnull=True) & Q(owner_organisation__isnull=False)),
                name="dialogue_action_one_owner",
                violation_error_message=_("An action has one owner: a user or an organisation."),
            ),
            models.CheckConstraint(
                condition=Q(completed_on__isnull=True) | Q(state="done"),
                name="dialogue_action_completed_only_when_done",
                violation_error_message=_("Only a done action has a completion date."),
            ),
        ]

    def __str__(self) -> str:
        return self.description[:80]

    get_absolute_url = pk_url("dialogue:action_edit")

    @property
    def owner(self):
        return self.owner_user or self.owner_organisation

    @property
    def is_overdue(self) -> bool:
        return (
            self.state == self.State.OPEN
            and self.due is not None
            and self.due < timezone.localdate()
        )

    def clean(self):
        from django.core.exceptions import ValidationError

        if (self.owner_user_id is None) == (self.owner_organisation_id is None):
            raise ValidationError({"owner_user": _("Give one owner: a user or an organisation.")})
        if self.completed_on and self.state != self.State.DONE:
            raise ValidationError({"completed_on": _("Only a done action has a completion date.")})
