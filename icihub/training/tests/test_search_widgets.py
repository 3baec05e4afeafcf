"""Long choice lists as search boxes: the session page's instructor and the
nomination page's substitute are chosen by typing (htmx asks a search view),
not from a <select> holding every row; the form still posts an id."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from icihub.partners.models import Country, Organisation
from icihub.testing import client_for
from icihub.training import services
from icihub.training.models import Assignment, Instructor
from icihub.training.views.search import LIMIT

pytestmark = pytest.mark.django_db


def make_instructor(actor, name, **extra):
    return services.create_instructor(
        actor,
        {
            "full_name": name,
            "organisation": Organisation.objects.get(slug="nato-school"),
            "country": Country.objects.get(iso3="ITA"),
            **extra,
        },
    )


def offered(response) -> list[str]:
    assert response.status_code == 200
    return re.findall(r'type="radio" name="\w+" value="(\d+)"', response.content.decode())


def test_the_session_page_offers_a_search_box_not_every_instructor(session, centre_staff):
    bianchi = make_instructor(centre_staff, "Marco Bianchi")
    make_instructor(centre_staff, "Giulia Rossi")
    page = client_for(centre_staff).get(session.get_absolute_url()).content.decode()
    url = reverse("training:session_instructor_search", args=[session.pk])
    assert f'hx-get="{url}"' in page
    assert '<select name="instructor"' not in page
    assert "Giulia Rossi" not in page and f'value="{bianchi.pk}"' not in page


def test_the_instructor_search_offers_the_active_instructors_matching(session, centre_staff):
    bianchi = make_instructor(centre_staff, "Marco Bianchi")
    make_instructor(centre_staff, "Giulia Rossi")
    retired = make_instructor(centre_staff, "Bianca Verdi")
    Instructor.objects.filter(pk=retired.pk).update(is_active=False)
    client = client_for(centre_staff)
    url = reverse("training:session_instructor_search", args=[session.pk])
    assert offered(client.get(url, {"q": "bian"})) == [str(bianchi.pk)]
    assert offered(client.get(url, {"q": "b"})) == []  # one letter: nothing yet
    assert offered(client.get(url, {"q": "nobody"})) == []
    for i in range(LIMIT + 2):
        make_instructor(centre_staff, f"Many Smith {i:02}")
    response = client.get(url, {"q": "smith"})
    assert len(offered(response)) == LIMIT
    assert "type more" in response.content.decode()


def test_an_instructor_id_from_elsewhere_is_a_form_error(session, centre_staff):
    client = client_for(centre_staff)
    assign = reverse("training:session_assign", args=[session.pk])
    response = client.post(assign, {"instructor": "999999", "role": "lead"}, follow=True)
    assert "Choose an instructor and a role." in response.content.decode()
    assert not Assignment.objects.filter(session=session).exists()
    bianchi = make_instructor(centre_staff, "Marco Bianchi")
    client.post(assign, {"instructor": str(bianchi.pk), "role": "lead"})
    assert Assignment.objects.filter(session=session, instructor=bianchi).exists()


def test_the_substitute_search_offers_the_coordinators_own_people_only(
    session, kuwaitis, qataris, kwt_coordinator, qat_coordinator, centre_staff
):
    nomination = services.nominate(kwt_coordinator, session, kuwaitis[0])
    services.nominate(kwt_coordinator, session, kuwaitis[1])
    url = reverse("training:nomination_substitute_search", args=[nomination.pk])
    page = client_for(kwt_coordinator).get(nomination.get_absolute_url()).content.decode()
    assert f'hx-get="{url}"' in page and '<select name="participant"' not in page
    # every Kuwaiti shares "kwt" in the family name; Qataris are never offered
    expected = sorted(str(p.pk) for p in kuwaitis[2:])  # not the two nominated
    assert sorted(offered(client_for(kwt_coordinator).get(url, {"q": "kwt"}))) == expected
    assert sorted(offered(client_for(centre_staff).get(url, {"q": "kwt"}))) == expected
    assert offered(client_for(kwt_coordinator).get(url, {"q": "qat"})) == []
    # Qatar's coordinator does not see the nomination
    assert client_for(qat_coordinator).get(url, {"q": "kwt"}).status_code == 404


def test_a_substitute_id_from_another_country_changes_nothing(
    session, kuwaitis, qataris, kwt_coordinator
):
    nomination = services.nominate(kwt_coordinator, session, kuwaitis[0])
    client = client_for(kwt_coordinator)
    substitute = reverse("training:nomination_substitute", args=[nomination.pk])
    response = client.post(substitute, {"participant": str(qataris[0].pk)}, follow=True)
    assert "Choose the substitute." in response.content.decode()
    nomination.refresh_from_db()
    assert nomination.participant_id == kuwaitis[0].pk
