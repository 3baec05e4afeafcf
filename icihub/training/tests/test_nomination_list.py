"""The list of nominations, where the home page's queues say "see all"."""

from __future__ import annotations

import re

import pytest

from icihub.testing import assert_constant_queries, client_for
from icihub.training import services
from icihub.training.models import Nomination

from . import factories

pytestmark = pytest.mark.django_db


def _rows(response) -> set[int]:
    assert response.status_code == 200
    return {int(i) for i in re.findall(r'data-nomination-id="(\d+)"', response.content.decode())}


@pytest.fixture
def nominations(centre_staff, kwt_coordinator, qat_coordinator):
    course = factories.make_course(centre_staff)
    session = factories.make_session(course, centre_staff, capacity=5, quotas={"KWT": 2, "QAT": 2})
    kuwaitis = [factories.make_participant(centre_staff, "KWT", i) for i in range(1, 4)]
    qataris = [factories.make_participant(centre_staff, "QAT", i) for i in range(1, 3)]
    kuwait = services.nominate_many(kwt_coordinator, session, kuwaitis)  # the third waits
    qatar = services.nominate_many(qat_coordinator, session, qataris)
    services.accept(centre_staff, kuwait[0])
    return {"kuwait": kuwait, "qatar": qatar, "session": session}


def test_staff_filter_the_nominations_by_status(centre_staff, nominations):
    client = client_for(centre_staff)
    everyone = {n.pk for n in nominations["kuwait"] + nominations["qatar"]}
    assert _rows(client.get("/training/nominations/")) == everyone
    pending = _rows(client.get("/training/nominations/?status=nominated"))
    assert pending == {nominations["kuwait"][1].pk, *(n.pk for n in nominations["qatar"])}
    waiting = _rows(client.get("/training/nominations/?status=waitlisted"))
    assert waiting == {nominations["kuwait"][2].pk}
    assert (
        'data-count="3"' in client.get("/training/nominations/?status=nominated").content.decode()
    )


def test_a_coordinator_lists_their_countrys_nominations_only(
    kwt_coordinator, qat_coordinator, nominations
):
    kuwait = _rows(client_for(kwt_coordinator).get("/training/nominations/"))
    assert kuwait == {n.pk for n in nominations["kuwait"]}
    # naming another country filters to nothing, it does not reveal it
    assert not _rows(client_for(kwt_coordinator).get("/training/nominations/?country=QAT"))
    assert _rows(client_for(qat_coordinator).get("/training/nominations/")) == {
        n.pk for n in nominations["qatar"]
    }


def test_the_certificate_filter_finds_those_still_without_one(centre_staff, nominations):
    Nomination.objects.filter(pk=nominations["kuwait"][0].pk).update(outcome="completed")
    url = "/training/nominations/?status=accepted&outcome=completed&certificate=missing"
    assert _rows(client_for(centre_staff).get(url)) == {nominations["kuwait"][0].pk}


def test_instructors_and_visitors_have_no_nominations_list(instructor_user, client):
    assert client_for(instructor_user).get("/training/nominations/").status_code == 403
    assert client.get("/training/nominations/").status_code == 302  # to the sign-in page


def test_the_list_reads_a_constant_number_of_queries(centre_staff, nominations):
    client = client_for(centre_staff)
    n = iter(range(10, 100))

    def grow():
        people = [factories.make_participant(centre_staff, "KWT", next(n)) for _ in range(3)]
        services.nominate_many(centre_staff, nominations["session"], people)

    assert_constant_queries(lambda: client.get("/training/nominations/"), grow)
