"""Who may act on programmes (programmes/permissions.py), role by role."""

import pytest
from django.contrib.auth.models import AnonymousUser

from icihub.core.access import SYSTEM
from icihub.programmes import permissions

pytestmark = pytest.mark.django_db


def allowed(every_role, predicate) -> set[str]:
    return {name for name, user in every_role.items() if predicate(user)}


def test_nato_and_the_coordinators_create_programmes_and_file_requests(every_role):
    expected = {"admin", "nato_staff", "coordinator_kwt", "coordinator_qat"}
    assert allowed(every_role, permissions.can_create_programme) == expected
    assert allowed(every_role, permissions.can_file_request) == expected
    for predicate in (permissions.can_create_programme, permissions.can_file_request):
        assert predicate(SYSTEM)
        assert not predicate(AnonymousUser())


def test_nato_roles(every_role):
    assert allowed(every_role, permissions.is_nato) == {"admin", "nato_staff"}
    assert permissions.is_nato(SYSTEM)
