"""Notifications, each user's choices, and the daily digests sent.

A notification is a message derived from a change that is itself audited (or
from a date coming due), so creating one and marking it read are not written
to the audit trail (``audit_exempt``, like the sign-in bookkeeping); a
user's choices (:class:`Preferences`) are."""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from icihub.core.access import NOTHING, Policy, Role, visible
from icihub.core.models import AccessManager, BaseModel

from .kinds import KINDS, Channel, Kind

EVERY_ROLE_OWN = dict.fromkeys(Role, "user")


def subject_models() -> list:
    """The models notifications are about (those of installed apps)."""
    found = []
    for label in dict.fromkeys(spec.model for spec in KINDS.values()):
        try:
            found.append(apps.get_model(label))
        except LookupError:
            continue
    return found


def own_q(user) -> Q:
    """One's own notifications (the first half of who may read one)."""
    return Q(recipient=user.pk)


def subject_visible_q(user) -> Q:
    """Notifications whose record ``user`` may see now: one subquery per
    model, through that model's access policy (a record that became invisible
    takes its notifications with it)."""
    q = NOTHING
    for model in subject_models():
        content_type = ContentType.objects.get_for_model(model)
        q |= Q(content_type=content_type, object_id__in=visible(model, user).values("pk"))
    return q


class Notification(BaseModel):
    audit_exempt = True  # derived from an audited change; the read flag is personal

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")
    key = models.CharField(
        _("once-only key"),
        max_length=40,
        blank=True,
        help_text=_("A notice about a date (a deadline, a due day) is sent once per key."),
    )
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)
    digest = models.ForeignKey(
        "Digest",
        verbose_name=_("digest"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notifications",
    )

    access_policy = Policy(
        read_all=frozenset(),
        # one's own notifications, about records one may still see
        extra_q=lambda user: own_q(user) & subject_visible_q(user),
        write_all=frozenset(),
        write_own=dict.fromkeys(Role, "recipient"),
        create_roles=frozenset(),
    )

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at"]),
            models.Index(fields=["channel", "emailed_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "content_type", "object_id", "key"],
                condition=~Q(key=""),
                name="notifications_once_per_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class Preferences(BaseModel):
    """One user's choices: the channel of each kind and the language of their
    e-mails. A kind not in ``channels`` has its default channel."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    language = models.CharField(
        _("language of e-mails"),
        max_length=8,
        blank=True,
        choices=settings.LANGUAGES,
        help_text=_("Unset: the language you last used here, else English."),
    )
    channels = models.JSONField(_("channels"), default=dict, blank=True)

    access_policy = Policy(
        read_all=frozenset(),
        own=EVERY_ROLE_OWN,
        write_all=frozenset(),
        write_own=EVERY_ROLE_OWN,
        create_roles=frozenset(Role),
    )

    class Meta:
        verbose_name = _("notification preferences")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return str(self.user)

    def channel_for(self, kind: str) -> str:
        chosen = (self.channels or {}).get(str(kind))
        return chosen if chosen in Channel.values else KINDS[Kind(kind)].default


class SeenLanguage(models.Model):
    """The language of the user's last request (the default of their e-mails).
    Bookkeeping, as ``last_login``: not audited."""

    audit_exempt = True

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    language = models.CharField(max_length=8)
    seen_at = models.DateTimeField(default=timezone.now)

    objects = AccessManager()

    access_policy = Policy(read_all=frozenset(), own=EVERY_ROLE_OWN, write_all=frozenset())

    def __str__(self) -> str:
        return f"{self.user_id}: {self.language}"


class Digest(BaseModel):
    """One daily digest e-mail: at most one per user and day."""

    audit_exempt = True  # a record of sending, as the notifications it lists

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notification_digests",
    )
    day = models.DateField(_("day"))
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    access_policy = Policy(read_all=frozenset(), own=EVERY_ROLE_OWN, write_all=frozenset())

    class Meta:
        verbose_name = _("digest")
        verbose_name_plural = _("digests")
        constraints = [
            models.UniqueConstraint(fields=["user", "day"], name="notifications_digest_once_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.day}"
