"""The shared kernel: users and roles, the audit trail, sources and citations,
API tokens, and the base classes every domain model uses."""

from __future__ import annotations

import functools
import hashlib
from collections import OrderedDict
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.translation import gettext_lazy as _

from .access import NATO_ROLES, STAFF_ROLES, Marking, Policy, Role, policy_for
from .dates import PartialDate, PartialDateField


class AccessQuerySet(models.QuerySet):
    """Every read of domain data goes through ``visible_to``; every write
    checks ``editable_by`` (in the services)."""

    def visible_to(self, user):
        return policy_for(self.model).visible(self, user)

    def editable_by(self, user):
        return policy_for(self.model).editable(self, user)


class AccessManager(models.Manager.from_queryset(AccessQuerySet)):
    pass


@functools.cache
def _choice_labels(field) -> dict:
    return dict(field.flatchoices)


class ChoiceLabels:
    """``get_<field>_display()`` from a dict of the field's choices built once
    per field. Django's own rebuilds that dict on every call (``make_hashable``
    over every choice: 80 µs for the twelve event formats), which a list of 50
    rows paid per row and per labelled column. The labels stay lazy and are
    forced here, in the language of the request. Choices given by a callable
    (evaluated anew each time) and unhashable values take Django's path."""

    def _get_FIELD_display(self, field):
        if isinstance(field.choices, (list, tuple)):
            value = getattr(self, field.attname)
            try:
                label = _choice_labels(field).get(value, value)
            except TypeError:  # an unhashable value
                pass
            else:
                return force_str(label, strings_only=True)
        return super()._get_FIELD_display(field)


class BaseModel(ChoiceLabels, models.Model):
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = AccessManager()

    class Meta:
        abstract = True

    def validate_constraints(self, exclude=None):
        """Django reports a violated check (or several-field unique) constraint
        as an error of the whole record; it is reported on the field it is
        about (:func:`constraint_field`), so that a form shows it beside the
        field and the API names it ("a fee cannot be negative": ``fee_eur``)."""
        try:
            super().validate_constraints(exclude=exclude)
        except ValidationError as exc:
            raise errors_on_fields(self, exc) from None


def count_subquery(qs, group: str):
    """The number of ``qs``'s rows whose ``group`` lookup is the outer row, as a
    correlated subquery (0 when none): an annotation that keeps the outer query
    free of a join and a GROUP BY over all of its columns."""
    return models.functions.Coalesce(
        models.Subquery(
            qs.filter(**{group: models.OuterRef("pk")})
            .order_by()
            .values(group)
            .annotate(n=models.Count("pk", distinct=True))
            .values("n")[:1],
            output_field=models.IntegerField(),
        ),
        models.Value(0),
    )


def constraint_field(constraint) -> str | None:
    """The field a constraint's message is about: for a check, the left-hand
    side of the last lookup of its condition (``Q(end__gte=F("start"))`` is
    about ``end``; ``~Q(kind="ipcp") | Q(end_year=...)`` about ``end_year``);
    for a unique constraint of several fields, the last of them."""
    if isinstance(constraint, models.UniqueConstraint):
        return constraint.fields[-1] if constraint.fields else None
    condition = getattr(constraint, "condition", None)

    def last(node):
        for child in reversed(getattr(node, "children", [])):
            if isinstance(child, tuple):
                return child[0].split("__", 1)[0]
            found = last(child)
            if found:
                return found
        return None

    return last(condition) if condition is not None else None


def errors_on_fields(instance, exc: ValidationError) -> ValidationError:
    """``exc`` with each record-level message of one of ``instance``'s
    constraints moved to the field it is about."""
    if not hasattr(exc, "error_dict") or NON_FIELD_ERRORS not in exc.error_dict:
        return exc
    names = {f.name for f in instance._meta.get_fields()} | {
        getattr(f, "attname", f.name) for f in instance._meta.get_fields()
    }
    by_message = {}
    for _model, constraints in instance.get_constraints():
        for constraint in constraints:
            field = constraint_field(constraint)
            if field in names:
                by_message[str(constraint.get_violation_error_message())] = field
    errors: dict[str, list] = {}
    for field, field_errors in exc.error_dict.items():
        for error in field_errors:
            message = error.message % error.params if error.params else error.message
            target = by_message.get(str(message), field) if field == NON_FIELD_ERRORS else field
            errors.setdefault(target, []).append(error)
    return ValidationError(errors)


# -- users ---------------------------------------------------------------------


class IcihubUserManager(UserManager.from_queryset(AccessQuerySet)):
    pass


class User(ChoiceLabels, AbstractUser):
    role = models.CharField(
        _("role"), max_length=20, choices=Role.choices, default=Role.PARTICIPANT
    )
    country = models.ForeignKey(
        settings.ICIHUB_COUNTRY_MODEL,
        verbose_name=_("country"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        help_text=_("A national coordinator sees and acts for this country only."),
    )
    preferred_language = models.CharField(_("language"), max_length=8, blank=True, default="")
    session_epoch = models.PositiveIntegerField(
        _("session generation"),
        default=0,
        editable=False,
        help_text=_("Raised to end every session of the account (sign out everywhere)."),
    )

    objects = IcihubUserManager()

    access_policy = Policy(
        read_all=STAFF_ROLES,
        extra_q=lambda user: Q(pk=user.pk),
        write_all=STAFF_ROLES,
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(role=Role.COORDINATOR) | Q(country__isnull=False),
                name="core_user_coordinator_has_country",
                violation_error_message=_("A national coordinator must be bound to a country."),
            ),
        ]

    def __str__(self) -> str:
        full = self.get_full_name()
        return f"{full} ({self.username})" if full else self.username

    @property
    def role_label(self) -> str:
        return Role(self.role).label if self.role else ""

    @property
    def is_staff_role(self) -> bool:
        return self.is_active and self.role in STAFF_ROLES

    @property
    def is_nato_role(self) -> bool:
        return self.is_active and self.role in NATO_ROLES

    def get_session_auth_hash(self) -> str:
        """Sessions carry this hash; a session whose hash no longer matches is
        ended on its next request. It changes with the password (as Django's)
        and with ``session_epoch`` ("sign out everywhere", 2FA reset)."""
        from django.utils.crypto import salted_hmac

        return salted_hmac(
            "icihub.core.User.session",
            f"{self.password}\x00{self.session_epoch}",
            algorithm="sha256",
        ).hexdigest()


# -- audit trail ---------------------------------------------------------------


class AuditQuerySet(AccessQuerySet):
    def update(self, **kwargs):
        raise PermissionError("The audit trail is append-only.")

    def delete(self):
        raise PermissionError("The audit trail is append-only.")


class AuditEntry(models.Model):
    """One change or event. Append-only: rows are never edited or deleted."""

    audit_exempt = True

    timestamp = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        User,
        verbose_name=_("who"),
        null=True,
        blank=True,
        # the trail is never updated, not even to forget a deleted account:
        # actor_label keeps the name
        on_delete=models.DO_NOTHING,
        related_name="audit_entries",
        db_constraint=False,
    )
    actor_label = models.CharField(_("who (as recorded)"), max_length=150, blank=True)
    via = models.CharField(_("channel"), max_length=10)
    action = models.CharField(_("action"), max_length=20, db_index=True)
    content_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False
    )
    object_id = models.CharField(_("object id"), max_length=64, blank=True, db_index=True)
    object_repr = models.CharField(_("object"), max_length=255, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    message = models.TextField(_("message"), blank=True)
    ip = models.GenericIPAddressField(_("address"), null=True, blank=True)
    # The hash chain (core.auditchain): written once, by the sealer, after the
    # entry's transaction committed; empty until then.
    seq = models.BigIntegerField(_("chain sequence"), null=True, blank=True, unique=True)
    content_hash = models.CharField(_("content hash"), max_length=64, blank=True, default="")
    prev_hash = models.CharField(_("previous hash"), max_length=64, blank=True, default="")
    hash = models.CharField(_("hash"), max_length=64, blank=True, default="")

    objects = models.Manager.from_queryset(AuditQuerySet)()

    access_policy = Policy(
        read_all=STAFF_ROLES,
        extra_q=lambda user: Q(actor=user.pk),
        write_all=frozenset(),
    )

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-timestamp", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "timestamp"])]

    def __str__(self) -> str:
        return (
            f"{self.timestamp:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_repr}"
        )

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("The audit trail is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The audit trail is append-only.")


# -- sources and citations -----------------------------------------------------


class Source(BaseModel):
    """A document that reference facts are taken from."""

    class Kind(models.TextChoices):
        NEWS = "news", _("News article")
        OFFICIAL = "official", _("Official document or statement")
        WEBSITE = "website", _("Web page")
        CABLE = "cable", _("Diplomatic cable")
        REPORT = "report", _("Report")
        OTHER = "other", _("Other")

    key = models.SlugField(_("key"), max_length=64, unique=True)
    title = models.CharField(_("title"), max_length=300)
    publisher = models.CharField(_("publisher"), max_length=200)
    author = models.CharField(_("author"), max_length=200, blank=True)
    published = PartialDateField(_("published"), null=True, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.NEWS)
    language = models.CharField(_("language"), max_length=8, default="en")
    url = models.CharField(
        _("reference address"),
        max_length=500,
        blank=True,
        help_text=_("Where the original can be found; shown as text, never loaded."),
    )
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    text = models.TextField(_("text"), blank=True)
    marking = models.CharField(
        _("marking"), max_length=20, choices=Marking.choices, default=Marking.PUBLIC
    )

    access_policy = Policy(
        public=lambda: Q(),
        marking="marking",
        write_all=NATO_ROLES,
    )

    class Meta:
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        # Undated sources first on every database (SQLite and PostgreSQL sort
        # NULLs differently by default).
        ordering = [models.F("published").asc(nulls_first=True), "key"]

    def __str__(self) -> str:
        when = f", {self.published}" if self.published else ""
        return f"{self.publisher}: {self.title}{when}"


class Citation(BaseModel):
    """A source's statement of one attribute of one record: "Kuwait joined the ICI
    in December 2004" is a citation of (Kuwait's ICI partnership, "accession",
    "2004-12", seed 000, quoted passage). Several citations of one attribute with
    different values are a conflict, kept and shown rather than resolved silently."""

    class Kind(models.TextChoices):
        DATE = "date", _("date")
        NUMBER = "number", _("number")
        TEXT = "text", _("text")

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")
    attribute = models.SlugField(_("attribute"), max_length=64)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.TEXT)
    value = models.CharField(_("value stated"), max_length=300)
    source = models.ForeignKey(
        Source, verbose_name=_("source"), on_delete=models.PROTECT, related_name="citations"
    )
    quote = models.TextField(_("quoted passage"), blank=True)
    locator = models.CharField(_("where in the source"), max_length=200, blank=True)
    note = models.TextField(_("note"), blank=True)

    access_policy = Policy(public=lambda: Q(), marking="source__marking", write_all=NATO_ROLES)

    class Meta:
        verbose_name = _("citation")
        verbose_name_plural = _("citations")
        ordering = [
            "attribute",
            models.F("source__published").asc(nulls_first=True),
            "source__key",
            "id",
        ]
        indexes = [models.Index(fields=["content_type", "object_id"])]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "attribute", "source", "value"],
                name="core_citation_unique_claim",
            )
        ]

    def __str__(self) -> str:
        return f"{self.attribute} = {self.display_value} ({self.source.key})"

    @property
    def display_value(self) -> str:
        if self.kind == self.Kind.DATE:
            try:
                return PartialDate.parse(self.value).display()
            except ValueError:
                return self.value
        if self.kind == self.Kind.NUMBER:
            from django.contrib.humanize.templatetags.humanize import intcomma

            return intcomma(self.value)
        return self.value


@dataclass
class StatedValue:
    value: str
    display: str
    citations: list = field(default_factory=list)


@dataclass
class Fact:
    """What the sources say about one attribute: the values and who states them."""

    attribute: str
    values: list[StatedValue]

    @property
    def conflict(self) -> bool:
        """Sources disagree. Dates disagree only when their periods cannot both be
        true ("December 2004" vs "January-March 2005"); a more precise date inside a
        vaguer one ("22 June 2005" within "June 2005") is a refinement, not a conflict."""
        if len(self.values) < 2:
            return False
        kinds = {c.kind for v in self.values for c in v.citations}
        if kinds == {Citation.Kind.DATE}:
            periods = []
            for stated in self.values:
                try:
                    periods.append(PartialDate.parse(stated.value))
                except ValueError:
                    return True
            return any(
                a.latest < b.earliest or b.latest < a.earliest
                for i, a in enumerate(periods)
                for b in periods[i + 1 :]
            )
        return True

    @property
    def citations(self) -> list:
        return [c for v in self.values for c in v.citations]


def shown_citations(user):
    """The citations ``user`` (or a :class:`~icihub.core.access.Scope`) may see,
    as a record shows them: with their sources, but not the sources' full
    text, which nothing beside a citation shows (a thousand characters or
    more, read again on the row of each citation)."""
    return Citation.objects.visible_to(user).select_related("source").defer("source__text")


def group_facts(citations) -> OrderedDict[str, Fact]:
    """``citations`` of one record grouped by attribute and by stated value, in
    their order (:meth:`Sourced.facts`; a list's selector that reads the
    citations of all its rows at once groups each row's with it)."""
    grouped: OrderedDict[str, OrderedDict[str, StatedValue]] = OrderedDict()
    for citation in citations:
        by_value = grouped.setdefault(citation.attribute, OrderedDict())
        stated = by_value.setdefault(
            citation.value, StatedValue(citation.value, citation.display_value)
        )
        stated.citations.append(citation)
    return OrderedDict(
        (attribute, Fact(attribute, list(values.values()))) for attribute, values in grouped.items()
    )


class Sourced(models.Model):
    """Mixin for records whose facts carry sources (``citations``)."""

    citations = GenericRelation(Citation)

    class Meta:
        abstract = True

    def facts(self) -> OrderedDict[str, Fact]:
        """Citations grouped by attribute and by stated value. Uses the
        prefetched ``citations`` (prefetch ``citations__source``)."""
        return group_facts(self.citations.all())

    def conflicts(self) -> list[Fact]:
        return [fact for fact in self.facts().values() if fact.conflict]


# -- API tokens ----------------------------------------------------------------


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(BaseModel):
    """A bearer token for the REST API. Only its SHA-256 hash is stored."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    prefix = models.CharField(_("prefix"), max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    access_policy = Policy(
        read_all=frozenset({Role.ADMIN}),
        own=dict.fromkeys(Role, "user"),
        write_all=frozenset({Role.ADMIN}),
        write_own=dict.fromkeys(Role, "user"),
    )

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")),
                name="core_apitoken_expires_after_created",
            )
        ]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user.username})"

    @property
    def is_valid(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


# -- sign-in security ------------------------------------------------------------


class TOTPDevice(models.Model):
    """A time-based one-time password generator (RFC 6238: SHA-1, 6 digits,
    30 seconds) enrolled by a user. ``secret`` is the base32 shared secret; it
    is masked in the audit trail. ``last_counter`` refuses a code used twice."""

    audit_exempt = True  # enrolment and use are recorded as events, without the secret

    user = models.OneToOneField(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="totp_device"
    )
    secret = models.CharField(_("secret"), max_length=64)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    last_counter = models.BigIntegerField(_("last time step used"), default=-1)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    access_policy = Policy(
        read_all=frozenset({Role.ADMIN}),
        own=dict.fromkeys(Role, "user"),
        write_all=frozenset(),
    )

    class Meta:
        verbose_name = _("authenticator")
        verbose_name_plural = _("authenticators")
        ordering = ["user__username"]

    def __str__(self) -> str:
        state = "confirmed" if self.confirmed_at else "pending"
        return f"TOTP of {self.user.username} ({state})"


class RecoveryCode(models.Model):
    """A single-use code that replaces the authenticator once (lost phone).
    Only its SHA-256 hash is stored."""

    audit_exempt = True

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="recovery_codes"
    )
    code_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    used_at = models.DateTimeField(_("used"), null=True, blank=True)

    access_policy = Policy(
        read_all=frozenset({Role.ADMIN}),
        own=dict.fromkeys(Role, "user"),
        write_all=frozenset(),
    )

    class Meta:
        verbose_name = _("recovery code")
        verbose_name_plural = _("recovery codes")
        ordering = ["user__username", "created_at", "id"]

    def __str__(self) -> str:
        return f"recovery code of {self.user.username}{' (used)' if self.used_at else ''}"


class SignInFailure(models.Model):
    """A failed sign-in (wrong password or wrong second factor). Enough of them
    for one user name, or from one address, within the window lock it out
    (``core.security``); an unlock removes them."""

    audit_exempt = True  # each failure is an audit event already

    username = models.CharField(_("user name (as typed)"), max_length=150, db_index=True)
    ip = models.GenericIPAddressField(_("address"), null=True, blank=True, db_index=True)
    timestamp = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    stage = models.CharField(_("stage"), max_length=10, default="password")

    access_policy = Policy(read_all=STAFF_ROLES, write_all=frozenset())

    class Meta:
        verbose_name = _("failed sign-in")
        verbose_name_plural = _("failed sign-ins")
        ordering = ["-timestamp", "-id"]

    def __str__(self) -> str:
        return f"{self.timestamp:%Y-%m-%d %H:%M} {self.username} from {self.ip or '?'}"


class Installation(models.Model):
    """This installation's identity: backups carry its identifier, and a restore
    refuses an archive of another installation unless told (``--force-foreign``)."""

    audit_exempt = True

    uuid = models.UUIDField(_("identifier"), unique=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    access_policy = Policy(read_all=frozenset({Role.ADMIN}), write_all=frozenset())

    class Meta:
        verbose_name = _("installation")
        verbose_name_plural = _("installations")
        ordering = ["id"]

    def __str__(self) -> str:
        return str(self.uuid)

    @classmethod
    def identifier(cls) -> str:
        """The installation's identifier (made on first use)."""
        import uuid

        row = cls.objects.order_by("id").first()
        if row is None:
            row, _created = cls.objects.get_or_create(pk=1, defaults={"uuid": uuid.uuid4()})
        return str(row.uuid)
