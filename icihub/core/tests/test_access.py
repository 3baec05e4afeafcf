"""The access model (core/access.py): markings per role, coordinator scoping by
country, own rows, editing, creating, 404 for the invisible and 403 for the
visible-but-not-yours."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from icihub.core import access, services
from icihub.core.access import (
    STAFF_ROLES,
    SYSTEM,
    Marking,
    Policy,
    Role,
    check_change,
    check_create,
    get_visible,
    markings_visible_to,
    most_restrictive,
)
from icihub.core.models import ApiToken, Source, User
from icihub.testing import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def marked_sources():
    """One source per marking (besides the public reference sources)."""
    rows = {}
    for marking in Marking:
        rows[marking.value] = Source.objects.create(
            key=f"test-{marking.value.replace('_', '-')}",
            title=f"{marking.label} paper",
            publisher="Test",
            marking=marking,
        )
    return rows


EXPECTED_MARKINGS = {
    None: {"public"},
    "participant": {"public", "rel_ici"},
    "instructor": {"public", "rel_ici"},
    "coordinator_kwt": {"public", "rel_ici"},
    "centre_staff": {"public", "rel_ici", "rel_partner"},
    "nato_staff": {"public", "rel_ici", "rel_partner", "nato"},
    "admin": {"public", "rel_ici", "rel_partner", "nato"},
}


@pytest.mark.parametrize("who", list(EXPECTED_MARKINGS))
def test_markings_each_role_sees(who, every_role, marked_sources):
    user = AnonymousUser() if who is None else every_role[who]
    assert set(markings_visible_to(user)) == EXPECTED_MARKINGS[who]
    test_keys = {s.key for s in marked_sources.values()}
    seen = set(
        Source.objects.visible_to(user).filter(key__in=test_keys).values_list("marking", flat=True)
    )
    assert seen == EXPECTED_MARKINGS[who]


def test_an_inactive_account_sees_only_public_rows(nato_staff, marked_sources):
    nato_staff.is_active = False
    nato_staff.save()
    assert access.role_of(nato_staff) is None
    keys = {s.key for s in marked_sources.values()}
    seen = set(
        Source.objects.visible_to(nato_staff).filter(key__in=keys).values_list("marking", flat=True)
    )
    assert seen == {"public"}


def test_most_restrictive_marking():
    assert most_restrictive([]) == Marking.PUBLIC
    assert most_restrictive(["public", "rel_partner", "rel_ici"]) == Marking.REL_PARTNER
    assert most_restrictive(["nato", "public"]) == Marking.NATO


# A country-scoped policy, exercised on user rows (User has a ``country``):
# the mechanism is the same for every model that declares ``country=``.
COUNTRY_POLICY = Policy(
    read_all=STAFF_ROLES,
    country="country",
    coordinator_writes=True,
    write_all=frozenset({Role.ADMIN}),
)


@pytest.fixture
def country_rows(kuwait, qatar):
    return {
        "kwt": make_user("participant", username="p-kwt", country="KWT"),
        "qat": make_user("participant", username="p-qat", country="QAT"),
    }


def _names(qs, rows):
    return set(qs.filter(pk__in=[r.pk for r in rows.values()]).values_list("username", flat=True))


def test_a_coordinator_sees_and_changes_only_their_countrys_rows(
    kwt_coordinator, qat_coordinator, centre_staff, participant_user, country_rows
):
    qs = User.objects.all()
    assert _names(COUNTRY_POLICY.visible(qs, kwt_coordinator), country_rows) == {"p-kwt"}
    assert _names(COUNTRY_POLICY.visible(qs, qat_coordinator), country_rows) == {"p-qat"}
    assert _names(COUNTRY_POLICY.visible(qs, centre_staff), country_rows) == {"p-kwt", "p-qat"}
    assert _names(COUNTRY_POLICY.visible(qs, participant_user), country_rows) == set()
    assert _names(COUNTRY_POLICY.visible(qs, AnonymousUser()), country_rows) == set()

    assert _names(COUNTRY_POLICY.editable(qs, kwt_coordinator), country_rows) == {"p-kwt"}
    # staff read everything but only write_all roles change it
    assert _names(COUNTRY_POLICY.editable(qs, centre_staff), country_rows) == set()


def test_a_coordinator_creates_only_for_their_own_country(
    kwt_coordinator, kuwait, qatar, centre_staff, administrator
):
    assert COUNTRY_POLICY.can_create(kwt_coordinator, country_id=kuwait.pk)
    assert not COUNTRY_POLICY.can_create(kwt_coordinator, country_id=qatar.pk)
    assert not COUNTRY_POLICY.can_create(kwt_coordinator, country_id=None)
    assert COUNTRY_POLICY.can_create(administrator, country_id=qatar.pk)
    assert not COUNTRY_POLICY.can_create(centre_staff, country_id=qatar.pk)
    assert not COUNTRY_POLICY.can_create(AnonymousUser(), country_id=kuwait.pk)


def test_own_rows_api_tokens(every_role):
    tokens = {name: services.create_token(SYSTEM, user)[0] for name, user in every_role.items()}
    for name, user in every_role.items():
        seen = set(ApiToken.objects.visible_to(user).values_list("pk", flat=True))
        if name == "admin":
            assert seen == {t.pk for t in tokens.values()}
        else:
            assert seen == {tokens[name].pk}
        assert set(ApiToken.objects.editable_by(user).values_list("pk", flat=True)) == seen


def test_user_rows_staff_see_all_others_only_themselves(every_role):
    everyone = {u.pk for u in every_role.values()}
    for name, user in every_role.items():
        seen = set(
            User.objects.visible_to(user).filter(pk__in=everyone).values_list("pk", flat=True)
        )
        if user.role in STAFF_ROLES:
            assert seen == everyone, name
        else:
            assert seen == {user.pk}, name


def test_sources_editable_by_nato_roles_only(every_role):
    public = Source.objects.get(key="seed-000")
    for name, user in every_role.items():
        editable = Source.objects.editable_by(user).filter(pk=public.pk).exists()
        assert editable == (user.role in {Role.ADMIN, Role.NATO_STAFF}), name
    assert not Source.objects.editable_by(AnonymousUser()).exists()


def test_get_visible_answers_404_for_what_the_user_may_not_see(
    kwt_coordinator, nato_staff, participant_user, marked_sources
):
    secret = marked_sources["nato"]
    assert get_visible(Source, nato_staff, key=secret.key) == secret
    with pytest.raises(Http404):
        get_visible(Source, kwt_coordinator, key=secret.key)
    with pytest.raises(Http404):
        get_visible(User, participant_user, pk=nato_staff.pk)
    with pytest.raises(Http404):
        get_visible(User, nato_staff, pk="not-a-number")
    assert get_visible(User, participant_user, pk=participant_user.pk) == participant_user


def test_check_change_403_when_visible_404_when_not(
    centre_staff, kwt_coordinator, nato_staff, marked_sources
):
    public = marked_sources["public"]
    with pytest.raises(PermissionDenied):
        check_change(centre_staff, public)  # sees it, may not change it
    with pytest.raises(Http404):
        check_change(kwt_coordinator, marked_sources["nato"])  # does not even see it
    check_change(nato_staff, marked_sources["nato"])  # no exception


def test_check_create(centre_staff, nato_staff):
    check_create(nato_staff, Source)
    with pytest.raises(PermissionDenied):
        check_create(centre_staff, Source)
    with pytest.raises(PermissionDenied):
        check_create(AnonymousUser(), Source)


def test_a_coordinator_must_have_a_country_in_the_database(kuwait):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="nowhere", role=Role.COORDINATOR, country=None)
