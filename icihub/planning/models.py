"""The year planner: a plan of the Centre's course year (versions of it), the
courses it runs and how, the instructors' unavailable periods, the Centre's
rooms, the planned sessions, and each run of the solver with its progress.

The trips a plan implies are computed from its sessions (``engine.chains``),
not stored: publishing creates them in training."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from icihub.core.access import STAFF_ROLES, Policy, Role, role_of
from icihub.core.models import BaseModel
from icihub.core.viewkit import pk_url

from . import engine


def _published_to_coordinators(user):
    if role_of(user) == Role.COORDINATOR:
        return Q(state=Plan.State.PUBLISHED)
    return None


def _session_extra(user):
    role = role_of(user)
    if role == Role.COORDINATOR:
        return Q(plan__state=Plan.State.PUBLISHED)
    if role == Role.INSTRUCTOR:
        return Q(plan__state=Plan.State.PUBLISHED, instructors__user=user)
    return None


def default_weights() -> dict:
    return dict(engine.DEFAULT_WEIGHTS)


class Room(BaseModel):
    """A room of the Centre; its capacity is how many sessions it holds at once."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    capacity = models.PositiveSmallIntegerField(_("sessions at once"), default=1)

    access_policy = Policy(write_all=STAFF_ROLES)

    class Meta:
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Unavailability(BaseModel):
    """A period when an instructor cannot teach at the Centre."""

    instructor = models.ForeignKey(
        "training.Instructor",
        verbose_name=_("instructor"),
        on_delete=models.CASCADE,
        related_name="unavailability",
    )
    start = models.DateField(_("from"))
    end = models.DateField(_("until"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    access_policy = Policy(own={Role.INSTRUCTOR: "instructor__user"}, write_all=STAFF_ROLES)

    class Meta:
        verbose_name = _("unavailability")
        verbose_name_plural = _("unavailability")
        ordering = ["instructor", "start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gte=F("start")),
                name="planning_unavailability_in_order",
                violation_error_message=_("The period cannot end before it starts."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.instructor}: {self.start} – {self.end}"


class Plan(BaseModel):
    """One version of the plan of a year."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SOLVING = "solving", _("Solving")
        SOLVED = "solved", _("Solved")
        PUBLISHED = "published", pgettext_lazy("plan state", "Published")

    year = models.PositiveSmallIntegerField(_("year"))
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.DRAFT, db_index=True
    )
    previous = models.ForeignKey(
        "self",
        verbose_name=_("previous version"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="next_versions",
    )
    weights = models.JSONField(_("objective weights"), default=default_weights)
    terms = models.JSONField(_("objective, term by term"), default=dict, blank=True)
    baseline = models.JSONField(_("greedy baseline"), default=dict, blank=True)
    last_year = models.JSONField(_("last year's calendar"), default=dict, blank=True)
    explanation = models.JSONField(_("why no plan"), default=list, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    notes = models.TextField(_("notes"), blank=True)

    access_policy = Policy(extra_q=_published_to_coordinators, write_all=STAFF_ROLES)

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        ordering = ["-year", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "version"],
                name="planning_plan_version_once",
                violation_error_message=_("This version of the year's plan exists."),
            )
        ]

    def __str__(self) -> str:
        return _("Plan %(y)s, version %(v)s") % {"y": self.year, "v": self.version}

    get_absolute_url = pk_url("planning:plan_detail")

    @property
    def frozen(self) -> bool:
        return self.state in (self.State.PUBLISHED, self.State.SOLVING)


class PlanCourse(BaseModel):
    """A course the plan runs, and how."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="courses"
    )
    course = models.ForeignKey(
        "training.Course", verbose_name=_("course"), on_delete=models.PROTECT, related_name="+"
    )
    iterations = models.PositiveSmallIntegerField(_("iterations"), default=1)
    duration_days = models.PositiveSmallIntegerField(_("duration (days)"), default=5)
    preferred_months = models.JSONField(_("preferred months"), default=list, blank=True)
    min_gap_days = models.PositiveSmallIntegerField(_("minimum gap (days)"), default=28)
    instructors = models.ManyToManyField(
        "training.Instructor", verbose_name=_("qualified instructors"), related_name="+"
    )
    instructors_needed = models.PositiveSmallIntegerField(_("instructors per session"), default=1)
    requested_periods = models.JSONField(_("partners' requested periods"), default=list, blank=True)
    proposed_because = models.TextField(_("proposed because"), blank=True)

    access_policy = Policy(write_all=STAFF_ROLES)

    class Meta:
        verbose_name = _("planned course")
        verbose_name_plural = _("planned courses")
        ordering = ["plan", "course__code"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "course"], name="planning_course_once"),
            models.CheckConstraint(
                condition=Q(duration_days__gte=1) & Q(instructors_needed__gte=1),
                name="planning_course_positive",
                violation_error_message=_("A course lasts a day and needs an instructor."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.course.code} × {self.iterations}"


class PlannedSession(BaseModel):
    """A session of a plan: its dates and instructors; ``locked`` sessions do
    not move when re-planning; ``existing`` ones are training's sessions of
    the year, outside the plan, which it plans around."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="sessions"
    )
    course = models.ForeignKey(
        "training.Course", verbose_name=_("course"), on_delete=models.PROTECT, related_name="+"
    )
    key = models.CharField(max_length=40)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    instructors = models.ManyToManyField(
        "training.Instructor",
        verbose_name=_("instructors"),
        related_name="planned_sessions",
        blank=True,
    )
    locked = models.BooleanField(pgettext_lazy("planned session", "locked"), default=False)
    existing = models.ForeignKey(
        "training.Session",
        verbose_name=_("existing session"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    published_as = models.ForeignKey(
        "training.Session",
        verbose_name=_("published as"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="planned_as",
    )
    reasons = models.JSONField(_("why here"), default=list, blank=True)

    access_policy = Policy(extra_q=_session_extra, write_all=STAFF_ROLES)

    class Meta:
        verbose_name = _("planned session")
        verbose_name_plural = _("planned sessions")
        ordering = ["plan", "start", "course__code"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "key"], name="planning_session_key_once"),
            models.CheckConstraint(
                condition=Q(end__gte=F("start")),
                name="planning_session_in_order",
                violation_error_message=_("A session cannot end before it starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.course.code} {self.start:%d %b %Y}"


class PlanRun(BaseModel):
    """One run of the solver on a plan, with its progress."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("No plan")

    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="runs"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    time_limit = models.PositiveIntegerField(_("time limit (s)"), default=10)
    solutions = models.PositiveIntegerField(_("solutions found"), default=0)
    best_objective = models.FloatField(_("best objective"), null=True, blank=True)
    best_bound = models.FloatField(_("best bound"), null=True, blank=True)
    gap = models.FloatField(_("gap"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    stop_reason = models.CharField(_("stop reason"), max_length=20, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    access_policy = Policy(write_all=STAFF_ROLES)

    class Meta:
        verbose_name = _("solver run")
        verbose_name_plural = _("solver runs")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.plan} #{self.pk}"

    @property
    def gap_percent(self) -> float | None:
        return None if self.gap is None else round(100 * self.gap, 2)
