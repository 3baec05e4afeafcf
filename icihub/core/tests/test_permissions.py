"""Who may act (core/permissions.py) and the SYSTEM actor (core/access.py):
the generic predicates, role by role, and SYSTEM through visible_to,
get_visible, the check_* functions and the audit trail."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from icihub.core import audit
from icihub.core.access import (
    SYSTEM,
    Role,
    check_change,
    check_create,
    get_visible,
    is_system,
    require_role,
)
from icihub.core.models import ApiToken, AuditEntry, User
from icihub.core.permissions import (
    acts_for,
    countries_for,
    country_choices,
    is_coordinator,
    is_staff_or_coordinator,
    may_create,
    outside_own_country,
    own_country,
)
from icihub.partners.models import Country

pytestmark = pytest.mark.django_db

STAFF = ("admin", "nato_staff", "centre_staff")
NEITHER = ("instructor", "participant")


@pytest.fixture
def kwt():
    return Country.objects.get(iso3="KWT")


@pytest.fixture
def qat():
    return Country.objects.get(iso3="QAT")


def test_staff_and_the_system_act_for_every_country(every_role, kwt, qat):
    for name in STAFF:
        assert countries_for(every_role[name]) is None, name
        assert acts_for(every_role[name], kwt) and acts_for(every_role[name], qat.pk), name
    assert countries_for(SYSTEM) is None
    assert acts_for(SYSTEM, kwt) and acts_for(SYSTEM, qat.pk)


def test_a_coordinator_acts_for_their_own_country_only(every_role, kwt, qat):
    coordinator = every_role["coordinator_kwt"]
    assert countries_for(coordinator) == {kwt.pk}
    assert acts_for(coordinator, kwt) and acts_for(coordinator, kwt.pk)
    assert not acts_for(coordinator, qat) and not acts_for(coordinator, qat.pk)
    assert acts_for(every_role["coordinator_qat"], qat)
    assert not acts_for(every_role["coordinator_qat"], kwt)
    assert outside_own_country(coordinator, qat) and not outside_own_country(coordinator, kwt)


def test_the_other_roles_and_visitors_act_for_no_country(every_role, kwt):
    for name in NEITHER:
        assert countries_for(every_role[name]) == frozenset(), name
        assert not acts_for(every_role[name], kwt), name
        # the coordinators' rule leaves them to their role check
        assert not outside_own_country(every_role[name], kwt), name
    assert countries_for(AnonymousUser()) == frozenset()
    assert not acts_for(AnonymousUser(), kwt)
    assert countries_for(None) == frozenset()


def test_an_inactive_coordinator_acts_for_nobody(kwt):
    from icihub.testing import make_user

    coordinator = make_user("coordinator", country="KWT", username="gone")
    coordinator.is_active = False
    assert not acts_for(coordinator, kwt)
    assert not is_staff_or_coordinator(coordinator)


def test_staff_or_coordinator(every_role):
    expected = {*STAFF, "coordinator_kwt", "coordinator_qat"}
    assert {n for n, u in every_role.items() if is_staff_or_coordinator(u)} == expected
    assert {n for n, u in every_role.items() if is_coordinator(u)} == {
        "coordinator_kwt",
        "coordinator_qat",
    }
    assert is_staff_or_coordinator(SYSTEM) and not is_coordinator(SYSTEM)
    assert not is_staff_or_coordinator(AnonymousUser())


def test_country_choices_offer_a_coordinator_their_own_country(every_role, kwt):
    everything = Country.objects.order_by("name")
    assert list(country_choices(every_role["coordinator_kwt"], everything)) == [kwt]
    # whatever the list given: their country even when it is not in it
    others = Country.objects.exclude(pk=kwt.pk)
    assert list(country_choices(every_role["coordinator_kwt"], others)) == [kwt]
    for name in (*STAFF, *NEITHER):
        assert country_choices(every_role[name], others) is others, name
    assert country_choices(SYSTEM, others) is others
    assert own_country(every_role["coordinator_kwt"]) == kwt
    assert own_country(every_role["centre_staff"]) is None
    assert own_country(SYSTEM) is None


def test_may_create_asks_the_policy_with_the_coordinators_country(every_role):
    from icihub.training.models import Participant

    # Participant: staff write, a coordinator writes their own country's rows
    allowed = {n for n, u in every_role.items() if may_create(u, Participant)}
    assert allowed == {*STAFF, "coordinator_kwt", "coordinator_qat"}
    assert may_create(SYSTEM, Participant)
    assert not may_create(AnonymousUser(), Participant)


# -- the SYSTEM actor --------------------------------------------------------------------


def test_system_is_no_user_and_nothing_else_is_the_system(every_role):
    assert is_system(SYSTEM)
    assert not any(is_system(u) for u in every_role.values())
    assert not is_system(None) and not is_system(AnonymousUser())
    assert not SYSTEM.is_authenticated and SYSTEM.pk is None and str(SYSTEM) == "system"


def test_system_sees_and_changes_every_row(every_role):
    from icihub.core import services

    tokens = [services.create_token(SYSTEM, u)[0] for u in every_role.values()]
    assert ApiToken.objects.visible_to(SYSTEM).count() == ApiToken.objects.count()
    assert ApiToken.objects.editable_by(SYSTEM).count() == ApiToken.objects.count()
    assert User.objects.visible_to(SYSTEM).count() == User.objects.count()
    for token in tokens:
        assert get_visible(ApiToken, SYSTEM, pk=token.pk) == token
        check_change(SYSTEM, token)  # no 404, no 403
    check_create(SYSTEM, ApiToken)
    require_role(SYSTEM, Role.ADMIN)
    # an anonymous visitor (or None) is not the system
    assert not ApiToken.objects.visible_to(None).exists()
    with pytest.raises(PermissionDenied):
        require_role(None, Role.ADMIN)


def test_the_systems_writes_are_audited_without_a_user(kwt):
    from icihub.core import services

    with audit.acting(via=audit.VIA_CLI, label="cli:root"):
        user = services.create_user(SYSTEM, username="made-by-system", role="participant")
    entry = AuditEntry.objects.filter(
        content_type__model="user", object_id=str(user.pk), action="create"
    ).get()
    assert entry.actor is None
    assert entry.actor_label == "cli:root"
    assert entry.via == audit.VIA_CLI
