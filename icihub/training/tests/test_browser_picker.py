"""The nomination picker in Debian's Chromium (Playwright): a coordinator finds
people among a few hundred by typing, chooses with the arrow keys, adds with
Enter, reorders and removes with the keyboard, records someone in place and
nominates the list in its order."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from icihub.core.tests.test_browser_accessibility import (
    AXE_JS,
    FAILING_IMPACTS,
    FAILING_RULES,
    RUN_AXE,
)
from icihub.partners.models import Country
from icihub.testing import login
from icihub.training.models import Nomination, Participant

from . import factories

pytestmark = pytest.mark.browser


def bulk_people(iso3: str, n: int, *, prefix: str) -> list[Participant]:
    """``n`` people of one country in one INSERT (the services would take long)."""
    country = Country.objects.get(iso3=iso3)
    people = []
    for i in range(n):
        person = Participant(
            given_name=f"{prefix}{i:03}",
            family_name=f"Al-{prefix}{i:03}",
            country=country,
            service="army",
            rank="Major",
            rank_code="OF-3",
        )
        person.prepare()
        people.append(person)
    return Participant.objects.bulk_create(people)


def test_a_coordinator_nominates_from_hundreds_with_the_keyboard(
    browser_page, live_server, course, centre_staff, kwt_coordinator
):
    session = factories.make_session(course, centre_staff, capacity=10, quotas={"KWT": 2})
    bulk_people("KWT", 300, prefix="Crowd")
    bulk_people("QAT", 40, prefix="Qatari")
    targets = [
        factories.make_participant(centre_staff, "KWT", n, given_name=g, family_name=f)
        for n, (g, f) in enumerate(
            [("Zayed", "Al-Qabandi"), ("Mishal", "Al-Ajmi"), ("Hamad", "Al-Rashidi")], start=1
        )
    ]
    if AXE_JS.exists():  # `make axe-core` installs it
        browser_page.context.add_init_script(path=str(AXE_JS))
    page = login(
        browser_page,
        live_server,
        kwt_coordinator,
        next_path=f"/training/sessions/{session.pk}/nominate/",
    )
    search = page.locator("[data-picker-search]")
    count = page.locator("[data-picker-count]")
    assert count.inner_text() == "0 selected"
    assert count.get_attribute("aria-live") == "polite"

    # Another country's people are never offered, however they are searched.
    search.fill("Qatari00")
    page.locator("[data-picker-none]").wait_for()
    assert page.locator("[data-picker-result]").count() == 0

    # Arrow keys choose among the results; Enter adds the chosen one.
    search.fill("Crowd01")  # Crowd010…Crowd019
    page.locator("[data-picker-result]").nth(9).wait_for()
    search.press("ArrowDown")
    search.press("ArrowDown")
    chosen = page.locator("[data-picker-result].is-active")
    assert chosen.get_attribute("aria-selected") == "true"
    assert search.get_attribute("aria-activedescendant") == chosen.get_attribute("id")
    assert search.get_attribute("role") == "combobox"
    assert search.get_attribute("aria-expanded") == "true"
    assert page.locator("[data-picker-options]").get_attribute("role") == "listbox"
    assert chosen.get_attribute("role") == "option"
    assert chosen.locator("button").count() == 0  # no button inside an option
    crowd_id = int(chosen.get_attribute("data-id"))
    search.press("Enter")
    assert count.inner_text() == "1 selected"
    assert page.evaluate("document.activeElement.id") == "picker-q"  # focus stays to type on

    # Typing a name then Enter adds the first match.
    for person in targets:
        search.fill(person.family_name)
        page.locator(f'[data-picker-result][data-id="{person.pk}"]').wait_for()
        search.press("Enter")
        page.locator(f'[data-picker-item][data-id="{person.pk}"]').wait_for()
    expect(count).to_have_text("4 selected")  # updated once htmx settles
    items = page.locator("[data-picker-item]")

    def order():
        return [int(i) for i in items.evaluate_all("els => els.map(e => e.dataset.id)")]

    assert order() == [crowd_id] + [p.pk for p in targets]
    if AXE_JS.exists():  # the picker with results and a list: no serious violation
        search.fill("Crowd02")
        page.locator("[data-picker-result]").nth(3).wait_for()
        found = [
            v
            for v in page.evaluate(RUN_AXE)
            if v["impact"] in FAILING_IMPACTS or v["id"] in FAILING_RULES
        ]
        assert found == []
    # The first two hold Kuwait's two seats; the others would wait.
    assert items.nth(1).locator("[data-picker-seat]").inner_text() == "seat"
    assert items.nth(2).locator("[data-picker-seat]").inner_text() == "waiting list"

    # Reorder with the keyboard: Al-Rashidi up twice, then remove the crowd member.
    up = page.locator(f'[data-picker-item][data-id="{targets[2].pk}"] [data-picker-move="up"]')
    up.focus()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.dataset.pickerMove") == "up"  # focus kept
    page.keyboard.press("Enter")
    page.locator(f'[data-picker-item][data-id="{crowd_id}"] [data-picker-move="remove"]').focus()
    page.keyboard.press("Enter")
    assert count.inner_text() == "3 selected"
    assert order() == [targets[2].pk, targets[0].pk, targets[1].pk]

    # Someone not yet recorded: recorded in place and added at the end.
    page.locator("details.picker-new summary").click()
    page.fill("#id_new-given_name", "Bader")
    page.fill("#id_new-family_name", "Al-Hajri")
    page.select_option("#id_new-service", "navy")
    page.fill("#id_new-rank", "Commander")
    page.click("[data-picker-create]")
    page.locator('[data-picker-item]:has-text("Al-Hajri")').wait_for()
    bader = Participant.objects.get(family_name="Al-Hajri")
    assert bader.rank_code == "OF-4"
    expect(count).to_have_text("4 selected")  # updated once htmx settles
    assert page.input_value("#id_new-given_name") == ""  # the form is ready for the next

    page.click("#submit-nominations")
    page.wait_for_url(re.compile(rf"/training/sessions/{session.pk}/$"))
    made = {
        n.participant_id: (n.priority, n.status) for n in Nomination.objects.filter(session=session)
    }
    assert made == {
        targets[2].pk: (1, "nominated"),
        targets[0].pk: (2, "nominated"),
        targets[1].pk: (3, "waitlisted"),
        bader.pk: (4, "waitlisted"),
    }
