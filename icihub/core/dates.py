"""Dates known to the day, the month or only the year, and ranges of them.

A ``PartialDate`` is stored as a canonical string, a subset of ISO 8601 / EDTF:

    "2004"                    year
    "2004-12"                 month
    "2017-01-24"              day
    "2018-01-22/2018-01-23"   a range of two dates of the same precision
    "2005-01/2005-03"         (e.g. "the first three months of 2005")

The canonical strings sort chronologically by their start, so ordering and
``__startswith="2017"`` work in the database. Nothing is ever padded into a
made-up day: "December 2004" stays month-precise from the form to the page.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
from dataclasses import dataclass
from functools import total_ordering

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.dates import MONTHS
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

DAY = "day"
MONTH = "month"
YEAR = "year"
RANGE = "range"
PRECISIONS = (DAY, MONTH, YEAR, RANGE)

_POINT = re.compile(r"^(?P<y>\d{4})(?:-(?P<m>\d{2})(?:-(?P<d>\d{2}))?)?$")
_QUARTER = re.compile(r"^(?:Q(?P<q>[1-4])\s+(?P<y>\d{4})|(?P<y2>\d{4})-Q(?P<q2>[1-4]))$", re.I)
_MONTHS = {name.lower(): index for index, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): index for index, name in enumerate(calendar.month_abbr) if name})


@dataclass(frozen=True)
class _Point:
    year: int
    month: int | None = None
    day: int | None = None

    @property
    def precision(self) -> str:
        if self.day is not None:
            return DAY
        if self.month is not None:
            return MONTH
        return YEAR

    @property
    def earliest(self) -> dt.date:
        return dt.date(self.year, self.month or 1, self.day or 1)

    @property
    def latest(self) -> dt.date:
        if self.day is not None:
            return dt.date(self.year, self.month, self.day)
        if self.month is not None:
            return dt.date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])
        return dt.date(self.year, 12, 31)

    def iso(self) -> str:
        if self.day is not None:
            return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"
        if self.month is not None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}"

    @classmethod
    def parse(cls, text: str) -> _Point:
        match = _POINT.match(text.strip())
        if not match:
            raise ValueError(text)
        year = int(match["y"])
        month = int(match["m"]) if match["m"] else None
        day = int(match["d"]) if match["d"] else None
        if month is not None and not 1 <= month <= 12:
            raise ValueError(text)
        if day is not None:
            dt.date(year, month, day)  # raises ValueError for 2005-02-30
        return cls(year, month, day)

    def __post_init__(self):
        if not 1800 <= self.year <= 2200:
            raise ValueError(_("Years between 1800 and 2200 only."))


def _month_name(month: int) -> str:
    """The month's name in the active language: what Django's date format "F"
    gives (``django.utils.dates.MONTHS``)."""
    return str(MONTHS[month])


# Written out rather than through ``date_format(day, "j F Y")``: the same text
# (the format is given, not the locale's; "j" is the day without a leading
# zero, "F" the month's name) at a tenth of the cost, which counts on pages
# that show thousands of dates (the dialogue timeline).
def _display_point(point: _Point) -> str:
    if point.precision == DAY:
        return f"{point.day} {_month_name(point.month)} {point.year}"
    if point.precision == MONTH:
        return f"{_month_name(point.month)} {point.year}"
    return str(point.year)


@total_ordering
@dataclass(frozen=True)
class PartialDate:
    """A date known to the day, the month or the year, or a range of such dates."""

    start: _Point
    end: _Point | None = None

    # construction -------------------------------------------------------
    @classmethod
    def parse(cls, value: str | PartialDate | dt.date | None) -> PartialDate | None:
        """Parse canonical text ("2004-12"), natural text ("December 2004",
        "24 January 2017", "Q1 2005") or a ``datetime.date`` (day precision)."""
        if value is None or isinstance(value, PartialDate):
            return value
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, dt.date):
            return cls(_Point(value.year, value.month, value.day))
        return _parse_text(str(value))

    @classmethod
    def _parse_text(cls, value: str) -> PartialDate | None:
        text = value.strip()
        if not text:
            return None
        quarter = _QUARTER.match(text)
        if quarter:
            year = int(quarter["y"] or quarter["y2"])
            q = int(quarter["q"] or quarter["q2"])
            return cls(_Point(year, 3 * q - 2), _Point(year, 3 * q))
        if "/" in text:
            left, right = (part.strip() for part in text.split("/", 1))
            try:
                start, end = _Point.parse(left), _Point.parse(right)
            except ValueError:
                raise ValueError(_("“%(value)s” is not a valid date range.") % {"value": text})
            if start.precision != end.precision:
                raise ValueError(_("Both ends of a date range need the same precision."))
            if end.earliest < start.earliest:
                raise ValueError(_("A date range cannot end before it starts."))
            if start == end:
                return cls(start)
            return cls(start, end)
        try:
            return cls(_Point.parse(text))
        except ValueError:
            pass
        natural = cls._parse_natural(text)
        if natural is None:
            raise ValueError(
                _(
                    "“%(value)s” is not a date. Use YYYY, YYYY-MM, YYYY-MM-DD, "
                    "a range such as 2005-01/2005-03, or words such as “December 2004”."
                )
                % {"value": text}
            )
        return natural

    @classmethod
    def _parse_natural(cls, text: str) -> PartialDate | None:
        words = text.replace(",", " ").split()
        if not words or not words[-1].isdigit() or len(words[-1]) != 4:
            return None
        year = int(words[-1])
        rest = [w.lower() for w in words[:-1]]
        try:
            if not rest:
                return cls(_Point(year))
            if len(rest) == 1 and rest[0] in _MONTHS:
                return cls(_Point(year, _MONTHS[rest[0]]))
            if len(rest) == 2:
                day_word, month_word = rest
                if day_word in _MONTHS:  # "January 24 2017"
                    day_word, month_word = month_word, day_word
                if month_word in _MONTHS and day_word.isdigit():
                    month = _MONTHS[month_word]
                    dt.date(year, month, int(day_word))
                    return cls(_Point(year, month, int(day_word)))
        except ValueError:
            return None
        return None

    @classmethod
    def of(cls, year: int, month: int | None = None, day: int | None = None) -> PartialDate:
        return cls(_Point(year, month, day))

    # properties ----------------------------------------------------------
    # The bounds and the canonical text are kept on the instance once computed
    # (cached_property writes the instance's __dict__, which a frozen dataclass
    # allows): a PartialDate is immutable and parsed once per text, and the
    # timeline's two thousand items compare, hash and write out their dates
    # several times each (12,000 calls of ``iso`` a request).
    @property
    def precision(self) -> str:
        return RANGE if self.end is not None else self.start.precision

    @functools.cached_property
    def earliest(self) -> dt.date:
        return self.start.earliest

    @functools.cached_property
    def latest(self) -> dt.date:
        return (self.end or self.start).latest

    @functools.cached_property
    def _iso(self) -> str:
        if self.end is None:
            return self.start.iso()
        return f"{self.start.iso()}/{self.end.iso()}"

    @property
    def year(self) -> int:
        return self.start.year

    def iso(self) -> str:
        return self._iso

    def contains(self, day: dt.date) -> bool:
        return self.earliest <= day <= self.latest

    def display(self) -> str:
        """Human text at the precision known: "December 2004", "22–23 January 2018"."""
        if self.end is None:
            return _display_point(self.start)
        start, end = self.start, self.end
        if start.precision == MONTH and start.year == end.year:
            return _("%(start)s–%(end)s %(year)s") % {
                "start": _month_name(start.month),
                "end": _month_name(end.month),
                "year": start.year,
            }
        if start.precision == DAY and (start.year, start.month) == (end.year, end.month):
            return _("%(start)s–%(end)s %(month_year)s") % {
                "start": start.day,
                "end": end.day,
                "month_year": f"{_month_name(start.month)} {start.year}",
            }
        return _("%(start)s – %(end)s") % {
            "start": _display_point(start),
            "end": _display_point(end),
        }

    # dunder ----------------------------------------------------------------
    def __str__(self) -> str:
        return self.display()

    def __repr__(self) -> str:
        return f"PartialDate({self.iso()!r})"

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, PartialDate):
            return NotImplemented
        return (self.earliest, self.latest) < (other.earliest, other.latest)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            return self._iso == other
        if not isinstance(other, PartialDate):
            return NotImplemented
        return self._iso == other._iso

    def __hash__(self) -> int:
        return hash(self._iso)


# Parsed once per text: a PartialDate is immutable, and every row read with a
# PartialDateField is parsed (thousands on the dialogue timeline). Errors are
# not cached (their message is in the active language).
@functools.lru_cache(maxsize=8192)
def _parse_text(text: str) -> PartialDate | None:
    return PartialDate._parse_text(text)


def validate_partial_date(value) -> None:
    try:
        PartialDate.parse(value)
    except ValueError as exc:
        raise ValidationError(str(exc), code="invalid_date")


class PartialDateFormField(forms.CharField):
    default_error_messages = {"invalid": gettext_lazy("Enter a valid date.")}

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "help_text",
            gettext_lazy("YYYY, YYYY-MM or YYYY-MM-DD; a range as 2005-01/2005-03."),
        )
        kwargs.pop("max_length", None)
        # No max_length here: CharField would validate the length of the
        # PartialDate that to_python returns. The widget still caps the input.
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs["maxlength"] = "32"
        return attrs

    def prepare_value(self, value):
        if isinstance(value, PartialDate):
            return value.iso()
        return value

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        try:
            return PartialDate.parse(value)
        except ValueError as exc:
            raise ValidationError(str(exc), code="invalid")

    def run_validators(self, value):
        # the length validators of CharField measure the text, not the PartialDate
        if isinstance(value, PartialDate):
            value = value.iso()
        return super().run_validators(value)


class PartialDateField(models.CharField):
    """Model field holding a :class:`PartialDate` in its canonical text form."""

    description = gettext_lazy("Date known to the day, month or year")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 32)
        super().__init__(*args, **kwargs)
        self.validators.append(validate_partial_date)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if kwargs.get("max_length") == 32:
            del kwargs["max_length"]
        return name, path, args, kwargs

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return None
        return PartialDate.parse(value)

    def to_python(self, value):
        if value in (None, ""):
            return None
        try:
            return PartialDate.parse(value)
        except ValueError as exc:
            raise ValidationError(str(exc), code="invalid_date")

    def get_prep_value(self, value):
        if value in (None, ""):
            return None
        if isinstance(value, PartialDate):
            return value.iso()
        if isinstance(value, dt.date):
            return PartialDate.parse(value).iso()
        parsed = (
            PartialDate.parse(str(value)) if _POINT.match(str(value)) or "/" in str(value) else None
        )
        return parsed.iso() if parsed else str(value)

    def value_to_string(self, obj):
        value = self.value_from_object(obj)
        return value.iso() if isinstance(value, PartialDate) else (value or "")

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": PartialDateFormField, **kwargs})

    def run_validators(self, value):
        if isinstance(value, PartialDate):
            value = value.iso()
        return super().run_validators(value)
