"""The Gulf calendar: one module, used by the planner and by the session pages.

* the working week (Sunday to Thursday unless ``settings.ICIHUB_WORKING_WEEK`` says
  otherwise);
* the public holidays of Kuwait, Bahrain, Qatar, the UAE, Saudi Arabia and Oman, from
  the ``holidays`` package (``settings.ICIHUB_GULF_COUNTRIES``);
* Ramadan, Eid al-Fitr and Eid al-Adha from the Umm al-Qura tables (``hijridate``),
  estimated until staff confirm them, and shifted by a day when staff say so
  (:class:`~icihub.gulf.models.IslamicDate`);
* the Centre's own closures and blackout periods (:class:`~icihub.gulf.models.Closure`).

The package-derived parts are pure and cached per year in-process. The two tables
are kept in Django's cache; a save or delete of either clears it (signals), and it
expires after ``settings.ICIHUB_GULF_CACHE_SECONDS`` in any case. Within one
request they are read from that cache once: a page checking 150 sessions' dates
asks the shared cache (a table, by default) once, not twice a session.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

import holidays as holidays_package
import pycountry
from asgiref.local import Local
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import formats
from django.utils.translation import gettext, pgettext
from hijridate import Gregorian, Hijri

from icihub.core.text import arabic_active, localized

KINDS = ("holiday", "ramadan", "eid_al_fitr", "eid_al_adha", "closure")
ISLAMIC_KINDS = ("ramadan", "eid_al_fitr", "eid_al_adha")

DEFAULT_WORKING_WEEK = ("sun", "mon", "tue", "wed", "thu")
DEFAULT_COUNTRIES = ("KW", "BH", "QA", "AE", "SA", "OM")
DAY_NAMES = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}

# The Eids are our own (hijridate, with staff's confirmations): the holidays
# package's Eid days inside our Eid blocks (as Umm al-Qura gives them) are left
# out, so that a shift moves the one block; a country's longer Eid holiday (Saudi
# Arabia's, its observed days) stays a holiday of that country. Matched on the
# package's English names (language "en_US").
_EID_MARKERS = ("Eid al-Fitr", "Eid al-Adha", "Arafah")
_ESTIMATED_MARKER = "(estimated)"


@dataclass(frozen=True)
class Blocked:
    start: date  # first blocked day
    end: date  # last blocked day (inclusive)
    kind: str  # "holiday" | "ramadan" | "eid_al_fitr" | "eid_al_adha" | "closure"
    name: str  # in the active language
    countries: tuple[str, ...]  # ISO 3166 alpha-3; () for the Centre's closures
    estimated: bool  # True for Islamic dates not confirmed by staff
    hard: bool  # True: no session may overlap it
    # For the pages: the Closure's id, or the Hijri year of an Islamic period.
    closure_id: int | None = field(default=None, compare=False)
    hijri_year: int | None = field(default=None, compare=False)

    def overlaps(self, start: date, end: date) -> bool:
        return self.start <= end and start <= self.end

    def contains(self, d: date) -> bool:
        return self.start <= d <= self.end

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


# -- the working week ------------------------------------------------------------


def working_days() -> frozenset[int]:
    """Python weekday numbers (Monday 0 ... Sunday 6) of the working week."""
    given = getattr(settings, "ICIHUB_WORKING_WEEK", DEFAULT_WORKING_WEEK)
    if isinstance(given, str):
        given = [part for part in given.split(",") if part.strip()]
    days = set()
    for item in given:
        if isinstance(item, int) and 0 <= item <= 6:
            days.add(item)
            continue
        key = str(item).strip().lower()[:3]
        if key not in DAY_NAMES:
            raise ImproperlyConfigured(
                f"ICIHUB_WORKING_WEEK: unknown day {item!r} (use mon, tue, ... sun)"
            )
        days.add(DAY_NAMES[key])
    if not days:
        raise ImproperlyConfigured("ICIHUB_WORKING_WEEK names no day")
    return frozenset(days)


def is_working_day(d: date) -> bool:
    """In the working week and in no hard block."""
    if d.weekday() not in working_days():
        return False
    return not any(b.hard and b.contains(d) for b in _year_blocks(d.year))


# -- Hijri dates -----------------------------------------------------------------


def _hijri_language() -> str:
    return "ar" if arabic_active() else "en"


def hijri(d: date) -> str:
    """The Hijri (Umm al-Qura) date, formatted in the active language; "" out of
    the tables' range (1924-2077)."""
    try:
        h = Gregorian(d.year, d.month, d.day).to_hijri()
    except (OverflowError, ValueError):
        return ""
    return gettext("%(day)s %(month)s %(year)s AH") % {
        "day": h.day,
        "month": h.month_name(_hijri_language()),
        "year": h.year,
    }


def hijri_day(d: date) -> int | None:
    """The day of the Hijri month (None out of the tables' range)."""
    try:
        return Gregorian(d.year, d.month, d.day).to_hijri().day
    except (OverflowError, ValueError):
        return None


def hijri_month_name(d: date) -> str:
    """The Hijri month (and year) a Gregorian day falls in, in the active language."""
    try:
        h = Gregorian(d.year, d.month, d.day).to_hijri()
    except (OverflowError, ValueError):
        return ""
    return f"{h.month_name(_hijri_language())} {h.year}"


def _hijri_to_gregorian(year: int, month: int, day: int) -> date | None:
    try:
        return date(*Hijri(year, month, day).to_gregorian().datetuple())
    except (OverflowError, ValueError):
        return None


@lru_cache(maxsize=256)
def umm_al_qura(hijri_year: int) -> dict[str, tuple[date, date]] | None:
    """The three periods of one Hijri year as the Umm al-Qura tables give them,
    before any staff shift: Ramadan (1 Ramadan to the day before 1 Shawwal),
    Eid al-Fitr (1-3 Shawwal), Eid al-Adha (9-12 Dhu al-Hijjah: the Day of Arafah
    and the three days of the Eid, as Kuwait's public holiday)."""
    ramadan = _hijri_to_gregorian(hijri_year, 9, 1)
    fitr = _hijri_to_gregorian(hijri_year, 10, 1)
    arafah = _hijri_to_gregorian(hijri_year, 12, 9)
    if ramadan is None or fitr is None or arafah is None:
        return None
    return {
        "ramadan": (ramadan, fitr - timedelta(days=1)),
        "eid_al_fitr": (fitr, fitr + timedelta(days=2)),
        "eid_al_adha": (arafah, arafah + timedelta(days=3)),
    }


def _hijri_years_of(year: int) -> range:
    try:
        first = Gregorian(year, 1, 1).to_hijri().year
        last = Gregorian(year, 12, 31).to_hijri().year
    except (OverflowError, ValueError):
        return range(0)
    return range(first, last + 1)


def _event_names() -> dict[str, str]:
    return {
        "ramadan": gettext("Ramadan"),
        "eid_al_fitr": gettext("Eid al-Fitr"),
        "eid_al_adha": gettext("Eid al-Adha"),
    }


def islamic_periods(year: int) -> list[Blocked]:
    """Ramadan, Eid al-Fitr and Eid al-Adha touching the Gregorian ``year``, with
    staff's confirmations and shifts applied. Ramadan ends the day before the
    (possibly shifted) Eid al-Fitr, and counts as confirmed when its start and the
    Eid al-Fitr both are."""
    state = _db_state()
    names = _event_names()
    countries = _alpha3_countries()
    first, last = date(year, 1, 1), date(year, 12, 31)
    out = []
    for hy in _hijri_years_of(year):
        base = umm_al_qura(hy)
        if base is None:
            continue
        shift = {k: state.islamic.get((hy, k), (0, False)) for k in ISLAMIC_KINDS}
        periods = {}
        for kind, (start, end) in base.items():
            days = timedelta(days=shift[kind][0])
            periods[kind] = (start + days, end + days)
        # Ramadan ends on the eve of the Eid al-Fitr as staff have it.
        periods["ramadan"] = (periods["ramadan"][0], periods["eid_al_fitr"][0] - timedelta(days=1))
        confirmed = {k: shift[k][1] for k in ISLAMIC_KINDS}
        confirmed["ramadan"] = confirmed["ramadan"] and confirmed["eid_al_fitr"]
        for kind in ISLAMIC_KINDS:
            start, end = periods[kind]
            if start <= last and first <= end:
                out.append(
                    Blocked(
                        start=start,
                        end=end,
                        kind=kind,
                        name=names[kind],
                        countries=countries,
                        estimated=not confirmed[kind],
                        hard=True,
                        hijri_year=hy,
                    )
                )
    return sorted(out, key=_order)


# -- country holidays (the holidays package) -----------------------------------------


def _countries() -> tuple[str, ...]:
    return tuple(getattr(settings, "ICIHUB_GULF_COUNTRIES", DEFAULT_COUNTRIES))


def _alpha3(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code)
    return country.alpha_3 if country else code


def _alpha3_countries() -> tuple[str, ...]:
    return tuple(_alpha3(c) for c in _countries())


def _language_for(code: str, arabic: bool) -> str | None:
    cls = holidays_package.country_holidays(code).__class__
    supported = getattr(cls, "supported_languages", ())
    wanted = "ar" if arabic else "en"
    for lang in sorted(supported, key=lambda item: (item != wanted, item)):
        if lang.startswith(wanted):
            return lang
    return None


@lru_cache(maxsize=64)
def _holidays(year: int, countries: tuple[str, ...], arabic: bool) -> tuple[Blocked, ...]:
    """The countries' public holidays of one year, Eids excepted, consecutive days of
    one holiday merged, and one block for several countries sharing the same days."""
    merged: dict[tuple, list] = {}
    eid_days = set()
    for hy in _hijri_years_of(year):
        for kind, (start, end) in (umm_al_qura(hy) or {}).items():
            if kind != "ramadan":
                eid_days.update(start + timedelta(days=i) for i in range((end - start).days + 1))
    for code in countries:
        english = holidays_package.country_holidays(code, years=year, language="en_US")
        local = holidays_package.country_holidays(
            code,
            years=year,
            language=_language_for(code, arabic),
            islamic_show_estimated=False,
        )
        runs: list[list] = []  # [start, end, english name, local name, estimated]
        for day in sorted(english.keys()):
            local_names = local.get_list(day)
            for index, name in enumerate(english.get_list(day)):
                if day in eid_days and any(marker in name for marker in _EID_MARKERS):
                    continue
                estimated = _ESTIMATED_MARKER in name
                key = name.replace(_ESTIMATED_MARKER, "").strip()
                shown = local_names[index] if index < len(local_names) else key
                previous = next(
                    (r for r in runs if r[2] == key and r[1] == day - timedelta(days=1)), None
                )
                if previous is not None:
                    previous[1] = day
                    previous[4] = previous[4] or estimated
                else:
                    runs.append([day, day, key, shown, estimated])
        for start, end, key, shown, estimated in runs:
            entry = merged.setdefault((start, end, key), [shown, estimated, []])
            entry[1] = entry[1] or estimated
            entry[2].append(_alpha3(code))
    return tuple(
        Blocked(
            start=start,
            end=end,
            kind="holiday",
            name=shown,
            countries=tuple(codes),
            estimated=estimated,
            hard=True,
        )
        for (start, end, _key), (shown, estimated, codes) in merged.items()
    )


def country_holidays(year: int) -> list[Blocked]:
    return sorted(_holidays(year, _countries(), arabic_active()), key=_order)


# -- the two tables, cached --------------------------------------------------------


@dataclass(frozen=True)
class _State:
    islamic: dict[tuple[int, str], tuple[int, bool]]
    closures: list[tuple[int, str, str, date, date, bool]]


_CACHE_KEY = "icihub.gulf.calendar.state"

# The state as this request read it (set between Django's request_started and
# request_finished signals only: outside a request, jobs and commands read the
# shared cache each time, as before). Django's cache has no per-request layer.
_request = Local()


def _request_started(**kwargs) -> None:
    _request.scoped = True
    _request.state = None


def _request_finished(**kwargs) -> None:
    _request.scoped = False
    _request.state = None


def _forget() -> None:
    _request.state = None
    cache.delete(_CACHE_KEY)


def clear_cache(*args, **kwargs) -> None:
    """Forget the cached confirmations and closures (a signal receiver too: at
    once, and again when the transaction commits, in case a read in between
    cached the uncommitted rows)."""
    _forget()
    if args or kwargs:
        transaction.on_commit(_forget)


def _db_state() -> _State:
    """The two tables, through Django's cache: shared by the processes when the
    cache is, cleared by a save or delete, and expiring after
    ``ICIHUB_GULF_CACHE_SECONDS`` in any case; read once a request."""
    scoped = getattr(_request, "scoped", False)
    if scoped and isinstance(state := getattr(_request, "state", None), _State):
        return state
    state = _shared_state()
    if scoped:
        _request.state = state
    return state


def _shared_state() -> _State:
    state = cache.get(_CACHE_KEY)
    if isinstance(state, _State):
        return state
    from .models import Closure, IslamicDate

    state = _State(
        islamic={
            (row.hijri_year, row.event): (row.shift_days, row.confirmed)
            for row in IslamicDate.objects.all()
        },
        closures=list(
            Closure.objects.order_by("start", "end", "pk").values_list(
                "pk", "name", "name_ar", "start", "end", "hard"
            )
        ),
    )
    cache.set(_CACHE_KEY, state, getattr(settings, "ICIHUB_GULF_CACHE_SECONDS", 30))
    return state


def connect_signals() -> None:
    from django.core.signals import request_finished, request_started
    from django.db.models.signals import post_delete, post_save

    from .models import Closure, IslamicDate

    request_started.connect(_request_started, dispatch_uid="gulf-request-started")
    request_finished.connect(_request_finished, dispatch_uid="gulf-request-finished")
    for model in (Closure, IslamicDate):
        post_save.connect(clear_cache, sender=model, dispatch_uid=f"gulf-cache-{model.__name__}")
        post_delete.connect(
            clear_cache, sender=model, dispatch_uid=f"gulf-cache-del-{model.__name__}"
        )


def closures(start: date, end: date) -> list[Blocked]:
    return [
        Blocked(
            start=c_start,
            end=c_end,
            kind="closure",
            name=localized(name, name_ar),
            countries=(),
            estimated=False,
            hard=hard,
            closure_id=pk,
        )
        for pk, name, name_ar, c_start, c_end, hard in _db_state().closures
        if c_start <= end and start <= c_end
    ]


# -- all blocks ----------------------------------------------------------------------


def _order(block: Blocked) -> tuple:
    return (block.start, block.end, KINDS.index(block.kind), block.name)


def _year_blocks(year: int) -> list[Blocked]:
    return (
        country_holidays(year)
        + islamic_periods(year)
        + closures(date(year, 1, 1), date(year, 12, 31))
    )


def blocked_periods(start: date, end: date) -> list[Blocked]:
    """Every block overlapping [start, end], sorted by start."""
    if end < start:
        start, end = end, start
    found: dict[tuple, Blocked] = {}
    for year in range(start.year, end.year + 1):
        for block in _year_blocks(year):
            if block.overlaps(start, end):
                # An Islamic period across New Year is found in both years.
                found.setdefault((block.kind, block.start, block.end, block.name), block)
    return sorted(found.values(), key=_order)


def blocks_by_day(start: date, end: date) -> dict[date, list[Blocked]]:
    """Each day of [start, end] that some block covers, with its blocks."""
    days: dict[date, list[Blocked]] = defaultdict(list)
    for block in blocked_periods(start, end):
        day = max(block.start, start)
        while day <= min(block.end, end):
            days[day].append(block)
            day += timedelta(days=1)
    return dict(days)


# -- sessions ----------------------------------------------------------------------


def _day(d: date) -> str:
    return formats.date_format(d, "l j F Y")


def describe(block: Blocked) -> str:
    """A block's name, "(estimated)" when it is, and its dates."""
    name = block.name
    if block.estimated:
        name = pgettext("Islamic date", "%(name)s (estimated)") % {"name": name}
    if block.start == block.end:
        when = formats.date_format(block.start, "j F Y")
    else:
        when = gettext("%(start)s – %(end)s") % {
            "start": formats.date_format(block.start, "j F Y"),
            "end": formats.date_format(block.end, "j F Y"),
        }
    return f"{name}, {when}"


def session_problems(
    start: date | None, end: date | None = None, blocks: list[Blocked] | None = None
) -> list[str]:
    """Human sentences (translated) about a session held from ``start`` to ``end``:
    it starts or ends on a non-working day, it overlaps a blocked period. Pass
    ``blocks`` (from :func:`blocked_periods` over a wider range) to check many
    sessions against one computation."""
    if start is None:
        return []
    end = end or start
    if end < start:
        return []
    if blocks is None:
        blocks = blocked_periods(start, end)
    problems = []
    week = working_days()
    hard = [b for b in blocks if b.hard]

    def non_working(d: date) -> bool:
        return d.weekday() not in week or any(b.contains(d) for b in hard)

    if non_working(start):
        problems.append(gettext("Starts on a non-working day (%(day)s).") % {"day": _day(start)})
    if end != start and non_working(end):
        problems.append(gettext("Ends on a non-working day (%(day)s).") % {"day": _day(end)})
    for block in blocks:
        if not block.overlaps(start, end):
            continue
        if block.hard:
            problems.append(gettext("Overlaps %(block)s.") % {"block": describe(block)})
        else:
            problems.append(
                gettext("Overlaps %(block)s (advisory period).") % {"block": describe(block)}
            )
    return problems
