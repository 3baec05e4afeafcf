"""The nomination picker (issue 14): a search scoped to the people the user may
nominate, an ordered list posted as participant ids (the order is the
priority), people recorded in place, the plain-form fallback; and the rank
table (a rank without its NATO code takes the table's, or is an error)."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from icihub.partners.models import Country
from icihub.testing import assert_constant_queries, client_for
from icihub.training import imports, ranks, services
from icihub.training.models import Nomination, Participant
from icihub.training.views.nominations import SEARCH_LIMIT

from . import factories

pytestmark = pytest.mark.django_db


def offered(response) -> list[int]:
    assert response.status_code == 200
    return [int(pk) for pk in re.findall(r'data-picker-result data-id="(\d+)"', response.text)]


def listed(response) -> list[int]:
    return [int(pk) for pk in re.findall(r'data-picker-item data-id="(\d+)"', response.text)]


def search_url(session):
    return reverse("training:session_nominate_search", args=[session.pk])


def nominate_url(session):
    return reverse("training:session_nominate", args=[session.pk])


# -- the search ---------------------------------------------------------------------------


def test_the_search_offers_only_the_coordinators_own_people(
    session, kuwaitis, qataris, kwt_coordinator, qat_coordinator, centre_staff
):
    kwt = client_for(kwt_coordinator)
    assert sorted(offered(kwt.get(search_url(session), {"q": "kwt"}))) == sorted(
        p.pk for p in kuwaitis
    )
    # Qatar's people, searched by their name, by their e-mail: never offered
    assert offered(kwt.get(search_url(session), {"q": "qat"})) == []
    assert offered(kwt.get(search_url(session), {"q": qataris[0].family_name})) == []
    qat = client_for(qat_coordinator)
    assert sorted(offered(qat.get(search_url(session), {"q": "al"}))) == sorted(
        p.pk for p in qataris
    )
    # staff search everyone
    staff = offered(client_for(centre_staff).get(search_url(session), {"q": "al"}))
    assert sorted(staff) == sorted(p.pk for p in kuwaitis + qataris)


def test_the_search_leaves_out_the_nominated_the_listed_and_answers_short_queries(
    session, kuwaitis, kwt_coordinator
):
    services.nominate(kwt_coordinator, session, kuwaitis[0])
    client = client_for(kwt_coordinator)
    found = offered(client.get(search_url(session), {"q": "kwt", "p": [kuwaitis[1].pk]}))
    assert sorted(found) == sorted(p.pk for p in kuwaitis[2:])
    response = client.get(search_url(session), {"q": "k"})
    assert offered(response) == [] and "Type at least 2 letters" in response.text
    assert "No one matches." in client.get(search_url(session), {"q": "zzzz"}).text


def test_the_search_is_limited_and_says_so(session, centre_staff, kwt_coordinator):
    for n in range(SEARCH_LIMIT + 3):
        factories.make_participant(centre_staff, "KWT", n + 10, family_name=f"Al-Many{n:02}")
    response = client_for(kwt_coordinator).get(search_url(session), {"q": "many"})
    assert len(offered(response)) == SEARCH_LIMIT
    assert "type more" in response.text


def test_the_search_of_an_unseen_session_is_404_and_of_a_non_nominator_403(
    session, nato_staff, kwt_coordinator, participant_user, kuwaitis
):
    nato_only = factories.make_course(nato_staff, "NIRC-T-002", marking="nato")
    hidden = factories.make_session(nato_only, nato_staff)
    assert client_for(kwt_coordinator).get(search_url(hidden), {"q": "kwt"}).status_code == 404
    assert client_for(participant_user).get(search_url(session), {"q": "kwt"}).status_code == 403


# -- nominating the list ------------------------------------------------------------------


def test_the_page_is_a_picker_not_a_table_of_everyone(session, kuwaitis, kwt_coordinator):
    page = client_for(kwt_coordinator).get(nominate_url(session)).text
    assert f'hx-get="{search_url(session)}"' in page
    assert "data-picker-search" in page and "training/picker.js" in page
    assert kuwaitis[0].family_name not in page  # nobody listed before a search
    assert "0 selected" in page and "2 seats free in your quota" in page


def test_the_list_is_nominated_in_its_order(session, kuwaitis, kwt_coordinator):
    order = [kuwaitis[2], kuwaitis[0], kuwaitis[3]]
    response = client_for(kwt_coordinator).post(
        nominate_url(session),
        {"participant": [p.pk for p in order], "reason": "Our first choices"},
    )
    assert response.status_code == 302
    made = {n.participant_id: n for n in Nomination.objects.filter(session=session)}
    assert [made[p.pk].priority for p in order] == [1, 2, 3]
    assert [made[p.pk].status for p in order] == ["nominated", "nominated", "waitlisted"]
    assert made[kuwaitis[2].pk].reason == "Our first choices"


def test_an_empty_list_or_another_countrys_person_nominates_nobody(
    session, kuwaitis, qataris, kwt_coordinator
):
    client = client_for(kwt_coordinator)
    response = client.post(nominate_url(session), {"participant": []})
    assert response.status_code == 200 and "Add at least one person" in response.text
    response = client.post(nominate_url(session), {"participant": [kuwaitis[0].pk, qataris[0].pk]})
    assert response.status_code == 200
    assert "cannot be nominated by you" in response.text
    assert qataris[0].family_name not in response.text  # not shown back either
    assert listed(response) == [kuwaitis[0].pk]
    assert not Nomination.objects.exists()


def test_a_refused_person_is_named_beside_them_and_nobody_is_nominated(
    session, kuwaitis, centre_staff
):
    """All or nothing: one person already nominated (by someone else meanwhile)
    and the list is shown again with the message beside that person."""
    client = client_for(centre_staff)
    page = client.get(nominate_url(session), {"p": [kuwaitis[0].pk, kuwaitis[1].pk]})
    assert listed(page) == [kuwaitis[0].pk, kuwaitis[1].pk]
    services.nominate(centre_staff, session, kuwaitis[1])
    response = client.post(nominate_url(session), {"participant": [kuwaitis[0].pk, kuwaitis[1].pk]})
    assert response.status_code == 200
    assert "Nobody was nominated" in response.text
    item = re.search(
        rf'<li class="picker-item has-error" data-picker-item data-id="{kuwaitis[1].pk}".*?</li>',
        response.text,
        re.S,
    )
    assert item and "Already nominated to this session." in item.group(0)
    assert Nomination.objects.filter(session=session).count() == 1


def test_without_javascript_the_list_is_carried_added_to_and_reordered(
    session, kuwaitis, kwt_coordinator
):
    client = client_for(kwt_coordinator)
    a, b, c = kuwaitis[:3]
    page = client.get(nominate_url(session), {"q": "kwt", "p": [a.pk]})
    assert sorted(offered(page)) == sorted(p.pk for p in kuwaitis[1:])  # results, not a
    assert re.search(rf'name="add" value="{b.pk}"', page.text)
    assert listed(client.get(nominate_url(session), {"p": [a.pk], "add": b.pk})) == [a.pk, b.pk]
    moved = client.get(nominate_url(session), {"p": [a.pk, b.pk, c.pk], "move": f"up:{c.pk}"})
    assert listed(moved) == [a.pk, c.pk, b.pk]
    moved = client.get(nominate_url(session), {"p": [a.pk, b.pk], "move": f"down:{a.pk}"})
    assert listed(moved) == [b.pk, a.pk]
    gone = client.get(nominate_url(session), {"p": [a.pk, b.pk], "move": f"remove:{a.pk}"})
    assert listed(gone) == [b.pk]
    # the posted form carries each listed person once, in order
    assert re.findall(r'name="participant" value="(\d+)"', moved.text) == [str(b.pk), str(a.pk)]


# -- recording a person in place ----------------------------------------------------------


def person_data(**extra):
    data = {
        "new-given_name": "Bader",
        "new-family_name": "Al-Hajri",
        "new-country": "KWT",
        "new-service": "navy",
        "new-rank": "Commander",
        "new-rank_code": "",
        "new-email": "bader.alhajri@navy.example",
    }
    data.update(extra)
    return data


def test_a_new_person_is_recorded_and_added_to_the_list(session, kuwaitis, kwt_coordinator):
    url = reverse("training:session_nominate_person", args=[session.pk])
    client = client_for(kwt_coordinator)
    response = client.post(url, person_data(), headers={"HX-Request": "true"})
    assert response.status_code == 200
    person = Participant.objects.get(family_name="Al-Hajri")
    assert person.rank_code == "OF-4"  # a navy commander, from the rank table
    assert listed(response) == [person.pk]
    assert response["HX-Retarget"] == "[data-picker-list]"
    assert "picker-person-added" in response["HX-Trigger-After-Settle"]
    # without JavaScript: back to the picker with the list and the new person
    response = client.post(
        url, person_data(**{"new-family_name": "Al-Enezi", "new-email": "", "p": [kuwaitis[0].pk]})
    )
    other = Participant.objects.get(family_name="Al-Enezi")
    assert response.status_code == 302
    assert listed(client.get(response.url)) == [kuwaitis[0].pk, other.pk]


def test_the_inline_form_shows_the_services_errors(session, kuwaitis, kwt_coordinator):
    url = reverse("training:session_nominate_person", args=[session.pk])
    client = client_for(kwt_coordinator)
    response = client.post(
        url, person_data(**{"new-rank": "Grand vizier"}), headers={"HX-Request": "true"}
    )
    assert response.status_code == 200 and 'id="picker-new"' in response.text
    assert "The rank table does not know" in response.text
    # a duplicate of a recorded person is refused and pointed to
    duplicate = person_data(
        **{
            "new-given_name": kuwaitis[0].given_name,
            "new-family_name": kuwaitis[0].family_name,
            "new-email": "",
        }
    )
    response = client.post(url, duplicate, headers={"HX-Request": "true"})
    assert f"participant #{kuwaitis[0].pk}" in response.text
    # a coordinator cannot record another country's person
    response = client.post(
        url, person_data(**{"new-country": "QAT"}), headers={"HX-Request": "true"}
    )
    assert "Select a valid choice" in response.text
    assert not Participant.objects.filter(family_name="Al-Hajri").exists()


# -- the rank table -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rank", "service", "code"),
    [
        ("Captain", "army", "OF-2"),
        ("Captain", "navy", "OF-5"),
        ("capt.", "police", "OF-2"),
        ("Lieutenant", "navy", "OF-2"),
        ("Lieutenant", "army", "OF-1"),
        ("Lt Col", "army", "OF-4"),
        ("Group captain", "air_force", "OF-5"),
        ("Field marshal", "army", "OF-10"),
        ("Sergeant major", "national_guard", "OR-9"),
        ("Private", "army", "OR-1"),
        ("العقيد الركن", "army", "OF-5"),
        ("عقيد بحري", "navy", "OF-5"),
        ("ملازم أول", "army", "OF-1"),
        ("مساعد أول", "army", "OR-9"),
        ("رائد طيار", "air_force", "OF-3"),
        ("Colonel", "ministry", "OF-5"),
        ("Dr.", "ministry", "CIV"),
        ("Grand vizier", "army", None),
        ("", "army", None),
    ],
)
def test_the_rank_table(rank, service, code):
    assert ranks.code_for(rank, service) == code


def test_every_rank_code_of_the_table_is_a_model_choice():
    codes = {code for rows in ranks.BRANCHES.values() for code, _en, _ar in rows}
    assert codes <= set(Participant.RankCode.values)
    assert {f"OF-{i}" for i in range(1, 11)} | {f"OR-{i}" for i in range(1, 10)} <= codes


def test_the_service_takes_a_rank_code_from_the_table_or_refuses(centre_staff):
    kwt = Country.objects.get(iso3="KWT")
    base = {"country": kwt, "service": "air_force"}
    made = services.create_participant(
        centre_staff, {**base, "given_name": "Ali", "family_name": "One", "rank": "Squadron leader"}
    )
    assert made.rank_code == "OF-3"
    civilian = services.create_participant(
        centre_staff, {**base, "given_name": "Ali", "family_name": "Two", "rank_code": ""}
    )
    assert civilian.rank_code == "CIV"  # no rank: a civilian
    given = services.create_participant(
        centre_staff,
        {**base, "given_name": "Ali", "family_name": "Three", "rank": "Odd", "rank_code": "OR-4"},
    )
    assert given.rank_code == "OR-4"  # a code given is kept
    with pytest.raises(ValidationError) as caught:
        services.create_participant(
            centre_staff, {**base, "given_name": "Ali", "family_name": "Four", "rank": "Odd"}
        )
    assert "rank" in caught.value.message_dict
    # an update changing the rank without a code takes the new rank's code
    services.update_participant(centre_staff, made, {"rank": "Wing commander"})
    made.refresh_from_db()
    assert made.rank_code == "OF-4"
    with pytest.raises(ValidationError):
        services.update_participant(centre_staff, made, {"rank": "Odd"})


def test_the_api_refuses_an_unknown_rank_without_a_code(centre_staff):
    from icihub.testing import ApiClient

    api = ApiClient(centre_staff)
    body = {"given_name": "Ali", "family_name": "Api", "country": "KWT", "service": "army"}
    response = api.post("/api/v1/training/participants", {**body, "rank": "Grand vizier"})
    assert response.status_code == 400, response.content
    assert "The rank table does not know" in response.text
    response = api.post("/api/v1/training/participants", {**body, "rank": "Major"})
    assert response.status_code == 201 and response.json()["rank_code"] == "OF-3"


def test_the_import_takes_the_rank_tables_code_or_reports_the_row(session, kwt_coordinator):
    header = "given_name,family_name,country,service,rank,rank_code\n"
    rows = imports.read_table(
        "people.csv",
        (
            header + "Nasser,Al-Enezi,KWT,army,Colonel,\n"
            "Bader,Al-Hajri,KWT,navy,Grand vizier,\n"
            "Omar,Al-Said,KWT,ministry,,\n"
            "Fahad,Al-Azmi,KWT,army,Marshal,OF10\n"
        ).encode(),
    )
    result = imports.run(kwt_coordinator, rows, default_session=session)
    errors = {row.line: row.errors for row in result.errors}
    assert list(errors) == [3]
    assert "The rank table does not know “Grand vizier”" in errors[3][0]
    rows = [rows[0], rows[2], rows[3]]
    result = imports.run(kwt_coordinator, rows, default_session=session, commit=True)
    assert result.committed
    codes = dict(Participant.objects.values_list("family_name", "rank_code"))
    assert codes == {"Al-Enezi": "OF-5", "Al-Said": "CIV", "Al-Azmi": "OF-10"}


# -- queries ------------------------------------------------------------------------------


def test_the_search_and_the_picker_read_a_constant_number_of_queries(
    session, centre_staff, kwt_coordinator
):
    client = client_for(kwt_coordinator)
    made: list[Participant] = []

    def grow():
        for _ in range(3):
            made.append(
                factories.make_participant(
                    centre_staff, "KWT", len(made) + 10, family_name=f"Al-Grow{len(made):02}"
                )
            )

    grow()
    assert_constant_queries(lambda: client.get(search_url(session), {"q": "grow"}), grow)
    assert_constant_queries(
        lambda: client.get(nominate_url(session), {"q": "grow", "p": [p.pk for p in made]}),
        grow,
    )


def test_a_rank_shows_in_the_pages_language():
    assert ranks.in_language("Major", "army", "ar") == "رائد"
    assert ranks.in_language("العقيد الركن", "army", "en") == "Colonel"
    assert ranks.in_language("Commander", "navy", "ar") == "مقدم بحري"
    assert ranks.in_language("Grand vizier", "army", "ar") == "Grand vizier"
