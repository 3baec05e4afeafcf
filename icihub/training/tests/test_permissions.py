"""Who may act in training (training/permissions.py), role by role."""

import pytest
from django.contrib.auth.models import AnonymousUser

from icihub.core.access import SYSTEM
from icihub.training import permissions, services
from icihub.training.models import Session

from . import factories

pytestmark = pytest.mark.django_db

STAFF = {"admin", "nato_staff", "centre_staff"}
COORDINATORS = {"coordinator_kwt", "coordinator_qat"}


def allowed(every_role, predicate, *args) -> set[str]:
    return {name for name, user in every_role.items() if predicate(user, *args)}


def test_a_coordinator_nominates_only_their_own_countrys_people(every_role, kuwaitis, qataris):
    kuwaiti, qatari = kuwaitis[0], qataris[0]
    assert allowed(every_role, permissions.can_nominate_person, kuwaiti) == {
        *STAFF,
        "coordinator_kwt",
    }
    assert allowed(every_role, permissions.can_nominate_person, qatari) == {
        *STAFF,
        "coordinator_qat",
    }
    # NATO staff are staff: they nominate anyone, as the access matrix says
    assert permissions.can_nominate_person(every_role["nato_staff"], qatari)
    assert permissions.can_nominate_person(SYSTEM, qatari)
    assert not permissions.can_nominate_person(AnonymousUser(), kuwaiti)


def test_the_service_asks_the_same_predicate(session, qataris, every_role):
    from django.core.exceptions import PermissionDenied, ValidationError

    with pytest.raises(ValidationError):
        services.check_can_nominate(every_role["coordinator_kwt"], session, qataris[0])
    with pytest.raises(PermissionDenied):
        services.check_can_nominate(every_role["instructor"], session, qataris[0])
    services.check_can_nominate(every_role["coordinator_qat"], session, qataris[0])
    services.check_can_nominate(every_role["nato_staff"], session, qataris[0])
    services.check_can_nominate(SYSTEM, session, qataris[0])


def test_nominating_to_a_session_needs_the_role_and_an_open_session(
    every_role, session, course, centre_staff
):
    assert allowed(every_role, permissions.can_nominate, session) == STAFF | COORDINATORS
    assert permissions.can_nominate(SYSTEM, session)
    planned = factories.make_session(course, centre_staff, state=Session.State.PLANNED)
    assert allowed(every_role, permissions.can_nominate, planned) == set()
    assert not permissions.can_nominate(SYSTEM, planned)


def test_staff_decide_on_active_nominations(every_role, session, kuwaitis):
    nomination = services.nominate(every_role["coordinator_kwt"], session, kuwaitis[0])
    assert allowed(every_role, permissions.can_decide) == STAFF
    assert allowed(every_role, permissions.can_decide, nomination) == STAFF
    assert permissions.can_decide(SYSTEM, nomination)
    services.withdraw(every_role["coordinator_kwt"], nomination, reason="ill")
    nomination.refresh_from_db()
    assert allowed(every_role, permissions.can_decide, nomination) == set()


def test_recording_importing_and_linking_people(every_role):
    assert allowed(every_role, permissions.can_record_people) == STAFF | COORDINATORS
    assert allowed(every_role, permissions.can_import_people) == STAFF | COORDINATORS
    assert allowed(every_role, permissions.can_link_account) == STAFF
    assert allowed(every_role, permissions.nominates) == STAFF | COORDINATORS
    for predicate in (
        permissions.can_record_people,
        permissions.can_import_people,
        permissions.can_link_account,
        permissions.nominates,
    ):
        assert predicate(SYSTEM), predicate.__name__
        assert not predicate(AnonymousUser()), predicate.__name__
