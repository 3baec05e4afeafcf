"""Models of the reports app: the published snapshots of a year's figures (locked,
never changed afterwards) and the figures other bodies published, stored as
sourced facts to be shown beside icihub's own count.

The figures themselves are not stored: they are computed from the records
(``figures.py``), through the access model, whenever they are shown."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from icihub.core.access import NATO_ROLES, STAFF_ROLES, Marking, Policy
from icihub.core.models import AccessQuerySet, BaseModel, Sourced
from icihub.core.viewkit import pk_url

LOCKED = "A locked snapshot never changes."


class SnapshotQuerySet(AccessQuerySet):
    """A published snapshot is locked for ever: no bulk update or delete either."""

    def update(self, **kwargs):
        raise PermissionError(LOCKED)

    def delete(self):
        raise PermissionError(LOCKED)


class SnapshotManager(models.Manager.from_queryset(SnapshotQuerySet)):
    pass


class Snapshot(BaseModel):
    """A year's figures as they were published: locked by staff, kept as they were
    (the figures, their definitions and the marking), so that a later correction of
    the records shows as a difference from the published numbers rather than
    silently changing them."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    figures = models.JSONField(_("figures"), default=dict)
    definitions = models.JSONField(_("definitions"), default=dict)
    marking = models.CharField(
        _("marking"), max_length=20, choices=Marking.choices, default=Marking.REL_ICI
    )
    note = models.TextField(_("note"), blank=True)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("locked by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    locked_by_label = models.CharField(_("locked by (as recorded)"), max_length=150, blank=True)
    locked_at = models.DateTimeField(_("locked"), default=timezone.now)
    # SHA-256 of the content above (core.auditchain.snapshot_digest), set when
    # the snapshot is written; the audit entry of its creation carries it into
    # the hash chain, and `icihub audit verify` recomputes both.
    content_hash = models.CharField(_("content hash"), max_length=64, blank=True, default="")

    objects = SnapshotManager()

    access_policy = Policy(
        read_all=STAFF_ROLES,
        marking="marking",
        write_all=frozenset(),
        create_roles=STAFF_ROLES,
    )

    class Meta:
        verbose_name = _("published snapshot")
        verbose_name_plural = _("published snapshots")
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(year__gte=2000) & Q(year__lte=2200),
                name="reports_snapshot_year_plausible",
                violation_error_message=_("Give a year between 2000 and 2200."),
            )
        ]

    def __str__(self) -> str:
        return str(_("Figures of %(year)s as published") % {"year": self.year})

    get_absolute_url = pk_url("reports:snapshot_detail")

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError(LOCKED)
        from icihub.core.auditchain import snapshot_digest

        self.content_hash = snapshot_digest(self)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError(LOCKED)


class PublishedFigure(BaseModel, Sourced):
    """A figure another body published (NATO's first-year figures, the Kuwait News
    Agency's count to April 2025), with its source and quoted passage. Shown beside
    icihub's own count of the same figure over the same period."""

    key = models.SlugField(_("key"), max_length=60, unique=True)
    label = models.CharField(_("what was published"), max_length=250)
    figure = models.SlugField(
        _("icihub figure"),
        max_length=40,
        help_text=_("The key of icihub's own figure it corresponds to (see the definitions)."),
    )
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period until"))
    period_label = models.CharField(_("period as published"), max_length=100)
    value = models.PositiveIntegerField(_("value published"))
    source = models.ForeignKey(
        "core.Source",
        verbose_name=_("source"),
        on_delete=models.PROTECT,
        related_name="published_figures",
    )
    note = models.TextField(_("note"), blank=True)
    is_public = models.BooleanField(_("public"), default=True)

    access_policy = Policy(public=lambda: Q(is_public=True), write_all=NATO_ROLES)

    class Meta:
        verbose_name = _("published figure")
        verbose_name_plural = _("published figures")
        ordering = ["period_start", "period_end", "key"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")),
                name="reports_published_figure_period_in_order",
                violation_error_message=_("The period cannot end before it starts."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.period_label}): {self.value}"
