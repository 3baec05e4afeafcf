"""What a figure is computed over: a period, filters, and whose eyes.

* :class:`Period`: a calendar year or a date range (both ends counted).
* :class:`Filters`: a country, an area of cooperation, a framework (the
  countries in partnership with it), each optional.
* :class:`Scope`: the user, the period and the filters. Every figure reads its
  rows through :meth:`Scope.rows`, which is ``Model.objects.visible_to(user)``
  for a signed-in user, so a coordinator's numbers come only from the rows they
  may see. The system (``Scope.system``: the command line without ``--as``,
  the scheduled reports) is the kernel's ``SYSTEM`` actor, which sees every
  row; the other mode is ``PUBLIC`` (the public statistics page: only records
  marked public, aggregated).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from icihub.core.access import SYSTEM, is_system

from . import figcache

USER = "user"
PUBLIC = "public"

MIN_YEAR, MAX_YEAR = 1990, 2200
_YEAR = re.compile(r"^\d{4}$")


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date

    @classmethod
    def of_year(cls, year: int) -> Period:
        return cls(dt.date(year, 1, 1), dt.date(year, 12, 31))

    @property
    def is_year(self) -> bool:
        return (
            self.start.year == self.end.year
            and (self.start.month, self.start.day) == (1, 1)
            and (self.end.month, self.end.day) == (12, 31)
        )

    @property
    def years(self) -> list[int]:
        return list(range(self.start.year, self.end.year + 1))

    @property
    def label(self) -> str:
        if self.is_year:
            return str(self.start.year)
        return _("%(start)s to %(end)s") % {
            "start": date_format(self.start, "j F Y"),
            "end": date_format(self.end, "j F Y"),
        }

    @property
    def intro(self) -> str:
        """ "In 2017" / "From 1 January 2017 to 30 April 2025"."""
        if self.is_year:
            return _("In %(year)s") % {"year": self.start.year}
        return _("From %(start)s to %(end)s") % {
            "start": date_format(self.start, "j F Y"),
            "end": date_format(self.end, "j F Y"),
        }

    def params(self) -> dict[str, str]:
        if self.is_year:
            return {"year": str(self.start.year)}
        return {"from": self.start.isoformat(), "to": self.end.isoformat()}

    def as_dict(self) -> dict:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "label": str(self.label),
            "year": self.start.year if self.is_year else None,
        }

    @property
    def as_of(self) -> dt.date:
        """The day ages are measured on: the end of the period, or today if sooner."""
        return min(self.end, timezone.localdate())


def parse_year(value, name: str = "year") -> int:
    text = str(value or "").strip()
    if not _YEAR.match(text) or not MIN_YEAR <= int(text) <= MAX_YEAR:
        raise ValidationError({name: _("A year has four digits, e.g. 2017.")})
    return int(text)


def _date(text: str):
    """A YYYY-MM-DD date, or None (malformed, or no such day)."""
    if not text:
        return None
    try:
        return parse_date(text)
    except ValueError:
        return None


def parse_period(params, default_year: int | None = None) -> Period:
    """A period from request parameters: ``year=2017``, or ``from`` and ``to``
    (YYYY-MM-DD, both included). Bad input is a ValidationError naming the field."""
    year = str(params.get("year") or "").strip()
    start = str(params.get("from") or "").strip()
    end = str(params.get("to") or "").strip()
    if start or end:
        errors = {}
        first = _date(start)
        last = _date(end)
        if first is None:
            errors["from"] = _("Give the first day as YYYY-MM-DD.")
        if last is None:
            errors["to"] = _("Give the last day as YYYY-MM-DD.")
        if not errors and last < first:
            errors["to"] = _("The period cannot end before it starts.")
        if not errors and not (first.year >= MIN_YEAR and last.year <= MAX_YEAR):
            errors["from"] = _("Give dates between %(a)d and %(b)d.") % {
                "a": MIN_YEAR,
                "b": MAX_YEAR,
            }
        if errors:
            raise ValidationError(errors)
        return Period(first, last)
    if year:
        return Period.of_year(parse_year(year))
    return Period.of_year(default_year or timezone.localdate().year)


@dataclass
class Filters:
    country: object | None = None  # partners.Country
    area: object | None = None  # menu.Area
    framework: object | None = None  # partners.Framework

    def params(self) -> dict[str, str]:
        out = {}
        if self.country is not None:
            out["country"] = self.country.iso3
        if self.area is not None:
            out["area"] = self.area.code
        if self.framework is not None:
            out["framework"] = self.framework.code
        return out

    def as_dict(self) -> dict:
        return {
            "country": self.country.iso3 if self.country is not None else None,
            "area": self.area.code if self.area is not None else None,
            "framework": self.framework.code if self.framework is not None else None,
        }

    @property
    def any(self) -> bool:
        return bool(self.params())


def parse_filters(params) -> Filters:
    """Filters from request parameters (``country`` ISO alpha-3, ``area`` code,
    ``framework`` code). An unknown value is a ValidationError naming its field."""
    from icihub.menu.models import Area
    from icihub.partners.models import Country, Framework

    errors = {}
    filters = Filters()
    country = str(params.get("country") or "").strip().upper()
    if country:
        filters.country = Country.objects.filter(iso3=country).first()
        if filters.country is None:
            errors["country"] = _("Unknown country “%(v)s” (use an ISO alpha-3 code).") % {
                "v": country
            }
    area = str(params.get("area") or "").strip()
    if area:
        filters.area = Area.objects.filter(code=area).first()
        if filters.area is None:
            errors["area"] = _("Unknown area of cooperation “%(v)s”.") % {"v": area}
    framework = str(params.get("framework") or "").strip().lower()
    if framework:
        filters.framework = Framework.objects.filter(code=framework).first()
        if filters.framework is None:
            errors["framework"] = _("Unknown framework “%(v)s”.") % {"v": framework}
    if errors:
        raise ValidationError(errors)
    return filters


@dataclass
class Scope:
    """Whose figures, over which period, with which filters."""

    user: object
    period: Period
    filters: Filters = field(default_factory=Filters)
    mode: str = USER
    _cache: dict = field(default_factory=dict, repr=False)

    @classmethod
    def for_user(cls, user, period: Period, filters: Filters | None = None) -> Scope:
        return cls(user, period, filters or Filters(), USER)

    @classmethod
    def system(cls, period: Period, filters: Filters | None = None) -> Scope:
        return cls(SYSTEM, period, filters or Filters(), USER)

    @classmethod
    def public(cls, period: Period, filters: Filters | None = None) -> Scope:
        return cls(AnonymousUser(), period, filters or Filters(), PUBLIC)

    # -- reading ---------------------------------------------------------------
    def rows(self, model, *, aggregated: bool = False):
        """The rows of ``model`` this scope may count.

        ``aggregated``: rows that the public page counts only in aggregate, tied
        to public records by the figure itself (the nominations of public
        sessions); in public mode they are not filtered by visibility."""
        manager = model._default_manager
        if self.mode == PUBLIC and aggregated:
            return manager.all()
        return manager.visible_to(self.user)

    @property
    def is_public(self) -> bool:
        return self.mode == PUBLIC

    @property
    def actor(self):
        """The user exports and audit entries are attributed to (``SYSTEM``: the
        system, recorded without a user; None: the public)."""
        return self.user if self.mode == USER else None

    @property
    def who(self) -> str:
        if is_system(self.user):
            return "system"
        if self.mode == PUBLIC:
            return "public"
        return getattr(self.user, "username", "") or "anonymous"

    # -- derived sets (cached per scope) -----------------------------------------
    def country_ids(self) -> set[int] | None:
        """The countries the country/framework filters keep (None: no restriction)."""
        if "country_ids" in self._cache:
            return self._cache["country_ids"]
        ids = None
        if self.filters.framework is not None:
            from icihub.partners.models import Partnership

            ids = set(
                Partnership.objects.filter(framework=self.filters.framework)
                .exclude(status=Partnership.Status.FORMER)
                .values_list("country_id", flat=True)
            )
        if self.filters.country is not None:
            own = {self.filters.country.pk}
            ids = own if ids is None else ids & own
        self._cache["country_ids"] = ids
        return ids

    def country_groups(self) -> dict[str, set[int]]:
        """ICI members and GCC non-members on the last day of the period, from
        the partnerships and the GCC grouping (nothing hard-coded)."""
        if "groups" not in self._cache:
            from icihub.partners.models import Grouping, Partnership

            day = self.period.end
            ici = set(
                Partnership.objects.active_on(day)
                .filter(framework__code="ici", status=Partnership.Status.MEMBER)
                .values_list("country_id", flat=True)
            )
            gcc = set(
                Grouping.members.through.objects.filter(grouping__code="gcc").values_list(
                    "country_id", flat=True
                )
            )
            self._cache["groups"] = {"ici": ici, "gcc": gcc - ici}
        return self._cache["groups"]

    def cached(self, key, compute):
        if figcache.kept(key):
            # the figures themselves: kept between requests (reports.figcache)
            if "figcache_loaded" not in self._cache:
                self._cache["figcache_loaded"] = True
                for stored, value in figcache.load(self).items():
                    self._cache.setdefault(stored, value)
            if key not in self._cache:
                self._cache["figcache_dirty"] = True
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]
