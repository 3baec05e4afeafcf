"""The year page (public; staff edit the Islamic dates and closures from it), the
closure forms, and the warnings on training's session page and calendar."""

from __future__ import annotations

import datetime as dt
import importlib
import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from icihub.gulf import calendar, services
from icihub.gulf.models import Closure, IslamicDate
from icihub.testing import assert_constant_queries, client_for
from icihub.training.tests import factories

D = dt.date
YEAR = "/calendar/year/2027/"


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


# -- the year page --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_public_reads_the_year():
    response = Client().get(YEAR)
    assert response.status_code == 200
    html = text_of(response)
    assert "Gulf calendar 2027" in html
    assert "Ramadan" in html and "1 Ramadan 1448 AH" in html  # Hijri beside Gregorian
    assert "Liberation Day" in html and "KWT" in html
    assert html.count('class="gulf-month"') == 12
    assert 'data-date="2027-02-08"' in html
    # nothing to edit for a visitor
    assert "islamic-form" not in html and "add-closure" not in html


@pytest.mark.django_db
def test_the_index_shows_this_year():
    """The navigation's entry answers this year's page itself (no redirect)."""
    from django.utils import timezone

    response = Client().get("/calendar/")
    assert response.status_code == 200
    assert response.context["year"] == timezone.localdate().year


@pytest.mark.django_db
def test_a_year_out_of_the_tables_is_not_found():
    assert Client().get("/calendar/year/1800/").status_code == 404


@pytest.mark.django_db
def test_the_year_page_in_arabic_is_right_to_left_with_arabic_hijri_months():
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
    html = text_of(client.get(YEAR))
    assert 'dir="rtl"' in html and 'lang="ar"' in html
    assert "رمضان" in html
    assert "اليوم الوطني" in html  # Kuwait's National Day, in Arabic


@pytest.mark.django_db
def test_coordinators_read_but_are_offered_no_edit(kwt_coordinator):
    html = text_of(client_for(kwt_coordinator).get(YEAR))
    assert "Ramadan" in html
    assert "islamic-form" not in html and "add-closure" not in html


@pytest.mark.django_db
def test_staff_shift_ramadan_from_the_year_page(centre_staff):
    client = client_for(centre_staff)
    html = text_of(client.get(YEAR))
    assert "islamic-form" in html and "add-closure" in html
    url = reverse("gulf:islamic_set", args=[1448, "ramadan"])
    response = client.post(
        url, {"ramadan-1448-shift_days": "1", "ramadan-1448-note": "moon not sighted"}
    )
    assert response.status_code == 302
    row = IslamicDate.objects.get(hijri_year=1448, event="ramadan")
    assert (row.shift_days, row.confirmed, row.note) == (1, False, "moon not sighted")
    html = text_of(client.get(YEAR))
    assert 'data-date="2027-02-08"' in html
    assert re.search(r'<td class="[^"]*\bramadan\b[^"]*"[^>]*data-date="2027-02-09"', html)
    assert not re.search(r'<td class="[^"]*\bramadan\b[^"]*"[^>]*data-date="2027-02-08"', html)


@pytest.mark.django_db
def test_a_bad_shift_shows_the_form_error_and_changes_nothing(centre_staff):
    response = client_for(centre_staff).post(
        reverse("gulf:islamic_set", args=[1448, "ramadan"]), {"ramadan-1448-shift_days": "5"}
    )
    assert response.status_code == 400
    assert "errorlist" in response.content.decode()
    assert not IslamicDate.objects.exists()


@pytest.mark.django_db
def test_a_coordinator_cannot_shift(kwt_coordinator):
    response = client_for(kwt_coordinator).post(
        reverse("gulf:islamic_set", args=[1448, "ramadan"]), {"ramadan-1448-shift_days": "1"}
    )
    assert response.status_code == 403
    assert not IslamicDate.objects.exists()


@pytest.mark.django_db
def test_staff_add_edit_and_delete_a_closure(nato_staff):
    client = client_for(nato_staff)
    assert client.get(reverse("gulf:closure_create")).status_code == 200
    response = client.post(
        reverse("gulf:closure_create"),
        {"name": "NATO summer break", "start": "2027-07-25", "end": "2027-08-26", "hard": "on"},
    )
    assert response.status_code == 302
    closure = Closure.objects.get()
    assert "NATO summer break" in text_of(client.get(YEAR))
    response = client.post(
        reverse("gulf:closure_edit", args=[closure.pk]),
        {"name": "Summer break", "start": "2027-07-25", "end": "2027-08-19"},
    )
    assert response.status_code == 302
    closure.refresh_from_db()
    assert (closure.name, closure.end, closure.hard) == ("Summer break", D(2027, 8, 19), False)
    response = client.post(reverse("gulf:closure_delete", args=[closure.pk]))
    assert response.status_code == 302
    assert not Closure.objects.exists()


@pytest.mark.django_db
def test_a_closure_form_with_the_end_before_the_start_shows_the_error(centre_staff):
    response = client_for(centre_staff).post(
        reverse("gulf:closure_create"), {"name": "Bad", "start": "2027-08-02", "end": "2027-08-01"}
    )
    assert response.status_code == 200
    assert "The last day cannot be before the first day." in response.content.decode()
    assert not Closure.objects.exists()


@pytest.mark.django_db
def test_coordinators_cannot_add_closures(kwt_coordinator):
    client = client_for(kwt_coordinator)
    assert client.get(reverse("gulf:closure_create")).status_code == 403
    response = client.post(
        reverse("gulf:closure_create"), {"name": "X", "start": "2027-08-02", "end": "2027-08-02"}
    )
    assert response.status_code == 403
    assert not Closure.objects.exists()


@pytest.mark.django_db
def test_the_year_page_queries_do_not_grow_with_closures(centre_staff):
    client = client_for(centre_staff)
    counter = iter(range(1, 100))

    def grow():
        n = next(counter)
        services.create_closure(
            centre_staff,
            {"name": f"Closure {n}", "start": D(2027, 7, n), "end": D(2027, 7, n)},
        )
        # A save clears the calendar's cache: refilled once, whatever the rows.
        calendar.blocked_periods(D(2027, 1, 1), D(2027, 1, 1))

    grow()
    assert_constant_queries(lambda: client.get(YEAR), grow, rounds=3)


# -- training's pages ------------------------------------------------------------------------------


@pytest.fixture
def ramadan_session(db, centre_staff):
    course = factories.make_course(centre_staff)
    return factories.make_session(course, centre_staff, start=D(2027, 2, 21))  # Sunday


@pytest.fixture
def april_session(db, centre_staff):
    course = factories.make_course(centre_staff, code="NIRC-T-002")
    return factories.make_session(course, centre_staff, start=D(2027, 4, 4))  # Sun-Thu


@pytest.mark.django_db
def test_a_session_in_ramadan_warns_on_its_page(ramadan_session, april_session, centre_staff):
    client = client_for(centre_staff)
    html = text_of(client.get(reverse("training:session_detail", args=[ramadan_session.pk])))
    assert 'id="gulf-warnings"' in html
    assert "Overlaps Ramadan (estimated)" in html
    html = text_of(client.get(reverse("training:session_detail", args=[april_session.pk])))
    assert 'id="gulf-warnings"' not in html


@pytest.mark.django_db
def test_the_warning_follows_a_closure_added_later(april_session, centre_staff):
    """Existing sessions: the warning is computed when the page is shown."""
    url = reverse("training:session_detail", args=[april_session.pk])
    client = client_for(centre_staff)
    assert 'id="gulf-warnings"' not in text_of(client.get(url))
    services.create_closure(
        centre_staff, {"name": "Building works", "start": D(2027, 4, 6), "end": D(2027, 4, 6)}
    )
    html = text_of(client.get(url))
    assert 'id="gulf-warnings"' in html and "Building works" in html


@pytest.mark.django_db
def test_the_training_calendar_warns(ramadan_session, april_session):
    client = Client()
    html = text_of(client.get(reverse("training:calendar") + "?view=month&month=2027-02"))
    assert "gulf-problem" in html
    assert "⚠ NIRC-T-001" in html
    assert "Liberation Day" in html  # the day's block is shown in its cell
    html = text_of(client.get(reverse("training:calendar") + "?view=month&month=2027-04"))
    assert "NIRC-T-002" in html and "⚠ NIRC-T-002" not in html


@pytest.mark.django_db
def test_the_training_calendar_list_warns(ramadan_session, april_session, monkeypatch):
    # the calendar's room (the package re-exports a view of the same name)
    room = importlib.import_module("icihub.training.views.calendar")
    monkeypatch.setattr(room.timezone, "localdate", lambda *a, **k: D(2027, 1, 10))
    html = text_of(Client().get(reverse("training:calendar") + "?view=list"))
    rows = re.findall(r"<tr[^>]*>.*?</tr>", html)
    ramadan_row = next(r for r in rows if "21 Feb 2027" in r)
    april_row = next(r for r in rows if "4 Apr 2027" in r)
    assert "gulf-problem" in ramadan_row and "Overlaps Ramadan" in ramadan_row
    assert "gulf-problem" not in april_row


@pytest.mark.django_db
def test_the_demo_february_2027_session_warns_of_ramadan(centre_staff, monkeypatch):
    """The demo's open session starts eleven weeks after the day it is loaded: on
    5 December 2026, that is Sunday 21 February 2027, in Ramadan."""
    from django.utils import timezone

    from icihub.core import demo as core_demo
    from icihub.training import demo
    from icihub.training.models import Session

    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: D(2026, 12, 5))
    core_demo.load(lambda line: None)
    demo.load(lambda line: None)
    session = Session.objects.get(start__year=2027, start__month=2)
    html = text_of(
        client_for(centre_staff).get(reverse("training:session_detail", args=[session.pk]))
    )
    assert 'id="gulf-warnings"' in html
    assert "Overlaps Ramadan (estimated)" in html


@pytest.mark.django_db
def test_the_calendar_warnings_add_no_query_per_session(centre_staff):
    course = factories.make_course(centre_staff)
    days = iter([D(2027, 2, 7), D(2027, 2, 14), D(2027, 2, 21), D(2027, 2, 28)])

    def grow():
        factories.make_session(course, centre_staff, start=next(days))

    grow()
    url = reverse("training:calendar") + "?view=month&month=2027-02"
    client = Client()
    assert_constant_queries(lambda: client.get(url), grow, rounds=2)


@pytest.mark.django_db
def test_the_calendar_feed_carries_the_warnings(ramadan_session, april_session):
    from icalendar import Calendar

    response = Client().get(reverse("training:calendar_public"))
    events = {
        str(e["dtstart"].dt): str(e["description"])
        for e in Calendar.from_ical(response.content).walk("VEVENT")
    }
    assert "⚠ Overlaps Ramadan (estimated)" in events["2027-02-21"]
    assert "⚠" not in events["2027-04-04"]
