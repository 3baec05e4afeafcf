"""The Gulf calendar module: the holiday source, the Umm al-Qura dates, staff's
shifts and confirmations, the Centre's closures, the working week, and the
sentences about a session's dates.

Expected dates are written out here (from the Umm al-Qura tables and Kuwait's
law on public holidays), or taken straight from the two packages, never from
the code under test."""

from __future__ import annotations

import contextlib
import datetime as dt

import holidays
import pytest
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import override_settings
from django.utils import translation
from hijridate import Hijri

from icihub.core.models import AuditEntry
from icihub.gulf import calendar, services
from icihub.gulf.models import Closure, IslamicDate
from icihub.testing import count_queries, database_cache

D = dt.date
YEAR_2027 = (D(2027, 1, 1), D(2027, 12, 31))


def kinds_on(day: dt.date) -> set[str]:
    return {b.kind for b in calendar.blocked_periods(day, day)}


def block(kind: str, year: int = 2027) -> calendar.Blocked:
    (found,) = [b for b in calendar.blocked_periods(*YEAR_2027) if b.kind == kind]
    return found


# -- the holiday source ----------------------------------------------------------------------


@pytest.mark.django_db
def test_kuwait_national_and_liberation_days_2027_are_blocked():
    blocks = calendar.blocked_periods(D(2027, 2, 25), D(2027, 2, 26))
    kuwaiti = [b for b in blocks if b.kind == "holiday" and "KWT" in b.countries]
    assert {(b.start, b.end) for b in kuwaiti} == {
        (D(2027, 2, 25), D(2027, 2, 25)),
        (D(2027, 2, 26), D(2027, 2, 26)),
    }
    assert all(b.hard and not b.estimated for b in kuwaiti)
    assert not calendar.is_working_day(D(2027, 2, 25))  # a Thursday, but National Day
    assert kinds_on(D(2027, 2, 24)) == {"ramadan"}  # the Wednesday before: no holiday


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("code", "iso3"),
    [("KW", "KWT"), ("BH", "BHR"), ("QA", "QAT"), ("AE", "ARE"), ("SA", "SAU"), ("OM", "OMN")],
)
def test_every_public_holiday_of_the_package_is_covered(code, iso3):
    """Each holiday the holidays package lists for the country is inside a block for
    that country (a holiday block, or for the Eids our own Eid block)."""
    source = holidays.country_holidays(code, years=2027, language="en_US")
    blocks = calendar.blocked_periods(*YEAR_2027)
    for day, name in source.items():
        covering = [b for b in blocks if b.contains(day) and iso3 in b.countries]
        assert covering, f"{iso3} {day} {name} is not blocked"
        if "Eid" in name or "Arafah" in name:
            # The package's own Eid days are not repeated as holidays: one block moves.
            continue
        assert any(b.kind == "holiday" for b in covering), f"{iso3} {day} {name}"


@pytest.mark.django_db
def test_the_eids_are_not_also_holiday_blocks():
    eid_days = [D(2027, 3, 9), D(2027, 3, 10), D(2027, 5, 16)]
    for day in eid_days:
        assert "holiday" not in kinds_on(day), day


@pytest.mark.django_db
def test_holiday_names_follow_the_language():
    with translation.override("ar"):
        (national,) = [
            b
            for b in calendar.blocked_periods(D(2027, 2, 25), D(2027, 2, 25))
            if b.kind == "holiday"
        ]
    assert national.name == "اليوم الوطني"
    with translation.override("en"):
        (national,) = [
            b
            for b in calendar.blocked_periods(D(2027, 2, 25), D(2027, 2, 25))
            if b.kind == "holiday"
        ]
    assert national.name == "National Day"


@override_settings(ICIHUB_GULF_COUNTRIES=["KW"])
@pytest.mark.django_db
def test_the_countries_are_a_setting():
    countries = {c for b in calendar.blocked_periods(*YEAR_2027) for c in b.countries}
    assert countries == {"KWT"}
    assert "holiday" not in kinds_on(D(2027, 12, 18))  # Qatar's National Day


# -- Ramadan and the Eids ------------------------------------------------------------------------


@pytest.mark.django_db
def test_ramadan_2027_estimated_from_umm_al_qura():
    ramadan = block("ramadan")
    # 1 Ramadan 1448 = 8 February 2027; 1 Shawwal 1448 = 9 March 2027 (Umm al-Qura).
    assert (ramadan.start, ramadan.end) == (D(2027, 2, 8), D(2027, 3, 8))
    assert ramadan.estimated and ramadan.hard and ramadan.hijri_year == 1448
    assert set(ramadan.countries) == {"KWT", "BHR", "QAT", "ARE", "SAU", "OMN"}
    # The same, asked of hijridate directly.
    assert ramadan.start == D(*Hijri(1448, 9, 1).to_gregorian().datetuple())
    assert ramadan.end == D(*Hijri(1448, 10, 1).to_gregorian().datetuple()) - dt.timedelta(days=1)
    fitr, adha = block("eid_al_fitr"), block("eid_al_adha")
    assert (fitr.start, fitr.end) == (D(2027, 3, 9), D(2027, 3, 11))
    assert (adha.start, adha.end) == (D(2027, 5, 15), D(2027, 5, 18))  # Arafah to 12 Dhu al-Hijjah
    assert fitr.estimated and adha.estimated


@pytest.mark.django_db
def test_an_islamic_period_across_new_year_is_found_once():
    # Ramadan 1452 runs from late 2030 into 2031.
    start = D(*Hijri(1452, 9, 1).to_gregorian().datetuple())
    end = D(*Hijri(1452, 10, 1).to_gregorian().datetuple()) - dt.timedelta(days=1)
    assert start.year == 2030 and end.year == 2031
    found = [
        b for b in calendar.blocked_periods(D(2030, 12, 1), D(2031, 1, 31)) if b.kind == "ramadan"
    ]
    assert [(b.start, b.end) for b in found] == [(start, end)]


@pytest.mark.django_db
def test_a_staff_shift_by_one_day_moves_the_block(centre_staff):
    services.set_islamic_date(
        centre_staff, hijri_year=1448, event="ramadan", shift_days=1, reason="moon not sighted"
    )
    ramadan = block("ramadan")
    assert ramadan.start == D(2027, 2, 9)
    assert ramadan.end == D(2027, 3, 8)
    assert ramadan.estimated  # shifted, not confirmed
    assert "ramadan" not in kinds_on(D(2027, 2, 8))

    services.set_islamic_date(
        centre_staff, hijri_year=1448, event="eid_al_fitr", shift_days=1, confirmed=True
    )
    fitr = block("eid_al_fitr")
    assert (fitr.start, fitr.end) == (D(2027, 3, 10), D(2027, 3, 12))
    assert not fitr.estimated
    assert block("ramadan").end == D(2027, 3, 9)  # Ramadan ends on the eve of the Eid
    assert kinds_on(D(2027, 3, 9)) == {"ramadan"}

    row = IslamicDate.objects.get(hijri_year=1448, event="ramadan")
    entry = AuditEntry.objects.filter(object_id=str(row.pk), object_repr__contains="1448").first()
    assert entry is not None and entry.actor == centre_staff
    assert entry.reason == "moon not sighted"


@pytest.mark.django_db
def test_confirming_changes_the_row_not_a_second_one(nato_staff):
    services.set_islamic_date(nato_staff, hijri_year=1448, event="eid_al_adha", shift_days=-1)
    services.set_islamic_date(nato_staff, hijri_year=1448, event="eid_al_adha", confirmed=True)
    assert IslamicDate.objects.filter(hijri_year=1448, event="eid_al_adha").count() == 1
    adha = block("eid_al_adha")
    assert (adha.start, adha.end, adha.estimated) == (D(2027, 5, 15), D(2027, 5, 18), False)
    # Ramadan counts as confirmed only once its start and the Eid al-Fitr are.
    services.set_islamic_date(nato_staff, hijri_year=1448, event="ramadan", confirmed=True)
    assert block("ramadan").estimated
    services.set_islamic_date(nato_staff, hijri_year=1448, event="eid_al_fitr", confirmed=True)
    assert not block("ramadan").estimated


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"hijri_year": 1448, "event": "ramadan", "shift_days": 2}, "shift_days"),
        ({"hijri_year": 1448, "event": "ashura"}, "event"),
        ({"hijri_year": 1600, "event": "ramadan"}, "hijri_year"),
    ],
)
def test_bad_islamic_dates_are_refused_and_change_nothing(centre_staff, kwargs, field):
    with pytest.raises(ValidationError) as caught:
        services.set_islamic_date(centre_staff, **kwargs)
    assert field in caught.value.message_dict
    assert not IslamicDate.objects.exists()


@pytest.mark.django_db
def test_only_staff_change_islamic_dates(kwt_coordinator, instructor_user):
    for user in (kwt_coordinator, instructor_user, None):
        with pytest.raises(PermissionDenied):
            services.set_islamic_date(user, hijri_year=1448, event="ramadan", shift_days=1)
    assert not IslamicDate.objects.exists()
    assert block("ramadan").start == D(2027, 2, 8)


# -- the Centre's closures ------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_closure_blocks(centre_staff):
    day = D(2027, 8, 2)  # a Monday in no holiday
    assert calendar.is_working_day(day)
    closure = services.create_closure(
        centre_staff,
        {
            "name": "NATO summer break",
            "name_ar": "العطلة الصيفية",
            "start": D(2027, 7, 25),
            "end": D(2027, 8, 26),
        },
    )
    assert not calendar.is_working_day(day)
    (found,) = [b for b in calendar.blocked_periods(day, day) if b.kind == "closure"]
    assert (found.name, found.countries, found.closure_id) == ("NATO summer break", (), closure.pk)
    with translation.override("ar"):
        assert [b.name for b in calendar.blocked_periods(day, day)] == ["العطلة الصيفية"]
    problems = calendar.session_problems(D(2027, 8, 1), D(2027, 8, 5))
    assert any("NATO summer break" in p for p in problems)

    services.update_closure(closure, centre_staff, {"hard": False})
    assert calendar.is_working_day(day)  # advisory: warns, does not block
    assert any("advisory" in p for p in calendar.session_problems(day, day))

    services.delete_closure(Closure.objects.get(pk=closure.pk), centre_staff)
    assert calendar.is_working_day(day)
    assert calendar.session_problems(day, day) == []
    actions = set(
        AuditEntry.objects.filter(
            object_id=str(closure.pk), object_repr__contains="summer"
        ).values_list("action", flat=True)
    )
    assert len(actions) == 3  # created, changed, deleted


@contextlib.contextmanager
def _a_request():
    """Between Django's request signals, as the test client sends them: without
    its closing of old connections (the test's transaction holds the connection;
    PostgreSQL would lose it)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        request_started.send(sender=None)
        try:
            yield
        finally:
            request_finished.send(sender=None)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.django_db
def test_a_request_reads_the_tables_once_and_sees_its_own_changes(centre_staff):
    """Within a request the confirmations and closures come from the shared cache
    (a table, as deployed) once; a change made in the request is seen at once."""
    day = D(2027, 8, 2)  # a Monday in no holiday
    with database_cache():
        with _a_request():
            calendar.session_problems(day, day)
            with count_queries() as queries:
                for week in range(10):
                    calendar.session_problems(day + dt.timedelta(weeks=week))
            assert len(queries) == 0
            services.create_closure(
                centre_staff, {"name": "Summer break", "start": day, "end": day}
            )
            assert not calendar.is_working_day(day)
        with count_queries() as queries:
            calendar.session_problems(day)
            calendar.session_problems(day)
        assert len(queries) == 4  # outside a request: the shared cache at each look


@pytest.mark.django_db
def test_a_closure_ending_before_it_starts_is_refused(centre_staff):
    with pytest.raises(ValidationError) as caught:
        services.create_closure(
            centre_staff, {"name": "Bad", "start": D(2027, 8, 2), "end": D(2027, 8, 1)}
        )
    assert "end" in caught.value.message_dict
    assert not Closure.objects.exists()


@pytest.mark.django_db
def test_only_staff_manage_closures(centre_staff, kwt_coordinator, participant_user):
    for user in (kwt_coordinator, participant_user):
        with pytest.raises(PermissionDenied):
            services.create_closure(
                user, {"name": "X", "start": D(2027, 8, 2), "end": D(2027, 8, 2)}
            )
    closure = services.create_closure(
        centre_staff, {"name": "X", "start": D(2027, 8, 2), "end": D(2027, 8, 2)}
    )
    with pytest.raises(PermissionDenied):
        services.delete_closure(closure, kwt_coordinator)
    assert Closure.objects.filter(pk=closure.pk).exists()


# -- the working week ------------------------------------------------------------------------------


def test_the_working_week_is_sunday_to_thursday_by_default():
    assert calendar.working_days() == frozenset({6, 0, 1, 2, 3})


@pytest.mark.django_db
def test_weekends_are_not_working_days():
    assert not calendar.is_working_day(D(2027, 4, 2))  # Friday
    assert not calendar.is_working_day(D(2027, 4, 3))  # Saturday
    assert calendar.is_working_day(D(2027, 4, 4))  # Sunday


@override_settings(ICIHUB_WORKING_WEEK=["mon", "tue", "wed", "thu", "fri"])
@pytest.mark.django_db
def test_the_working_week_is_a_setting():
    assert calendar.working_days() == frozenset({0, 1, 2, 3, 4})
    assert calendar.is_working_day(D(2027, 4, 2))  # Friday
    assert not calendar.is_working_day(D(2027, 4, 4))  # Sunday
    assert calendar.session_problems(D(2027, 4, 5), D(2027, 4, 9)) == []  # Monday to Friday


@override_settings(ICIHUB_WORKING_WEEK=["sun", "someday"])
def test_a_bad_working_week_is_a_configuration_error():
    with pytest.raises(ImproperlyConfigured):
        calendar.working_days()


# -- sessions ------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_session_on_good_days_has_no_problem():
    assert calendar.session_problems(D(2027, 4, 4), D(2027, 4, 8)) == []  # Sun-Thu, April


@pytest.mark.django_db
def test_a_session_starting_on_a_friday_is_told_so():
    problems = calendar.session_problems(D(2027, 4, 2), D(2027, 4, 8))
    assert problems == ["Starts on a non-working day (Friday 2 April 2027)."]


@pytest.mark.django_db
def test_a_session_in_ramadan_is_told_so():
    problems = calendar.session_problems(D(2027, 2, 21), D(2027, 2, 25))
    assert "Ends on a non-working day (Thursday 25 February 2027)." in problems
    assert any(p.startswith("Overlaps Ramadan (estimated)") for p in problems)
    assert any("National Day" in p for p in problems)


@pytest.mark.django_db
def test_many_sessions_against_one_computation():
    blocks = calendar.blocked_periods(*YEAR_2027)
    for start in (D(2027, 2, 21), D(2027, 4, 4), D(2027, 5, 16)):
        end = start + dt.timedelta(days=4)
        assert calendar.session_problems(start, end, blocks) == calendar.session_problems(
            start, end
        )


# -- Hijri dates ------------------------------------------------------------------------------------------


def test_hijri_dates_in_english_and_arabic():
    with translation.override("en"):
        assert calendar.hijri(D(2027, 2, 8)) == "1 Ramadan 1448 AH"
    with translation.override("ar"):
        assert "رمضان" in calendar.hijri(D(2027, 2, 8))
        assert "1448" in calendar.hijri(D(2027, 2, 8))


def test_hijri_out_of_the_tables_range_is_empty():
    assert calendar.hijri(D(1900, 1, 1)) == ""
    assert calendar.hijri_day(D(2100, 1, 1)) is None


@pytest.mark.django_db
def test_the_demo_closes_for_nato_summer_break_and_loads_twice_unchanged():
    from django.utils import timezone

    from icihub.gulf import demo

    demo.load(lambda line: None)
    demo.load(lambda line: None)
    year = timezone.localdate().year
    assert Closure.objects.count() == 2
    assert not calendar.is_working_day(D(year + 1, 8, 10))
