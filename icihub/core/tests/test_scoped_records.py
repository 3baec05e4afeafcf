"""A record read through SQL compiled once per reader's rights
(``core.access.Scope``, ``core.precompiled.PrecompiledRecord``,
``apikit.ValuesOut.record``; issue 11) answers what the ORM answers for that
reader, whoever reads and whatever their rights become: the kept statement is
named by the rights themselves, never by the reader."""

from __future__ import annotations

from unittest import mock

import pytest
from django.db.models import Exists, F, OuterRef, Q

from icihub.core.access import Scope, role_of, visible
from icihub.core.models import Role
from icihub.core.precompiled import STAND_IN_KEY, PrecompiledRecord
from icihub.partners.models import Country
from icihub.testing import ApiClient
from icihub.training import services
from icihub.training.api.nominations import NOMINATION_ROWS, _nomination_record
from icihub.training.models import Nomination, Session
from icihub.training.tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def nominations(centre_staff, kwt_coordinator, qat_coordinator):
    course = factories.make_course(centre_staff, "NIRC-T-SCOPE")
    session = factories.make_session(course, centre_staff, quotas={"KWT": 2, "QAT": 2})
    made = [
        services.nominate(kwt_coordinator, session, factories.make_participant(centre_staff)),
        services.nominate(
            qat_coordinator, session, factories.make_participant(centre_staff, "QAT", n=2)
        ),
    ]
    return made


def _orm_rows(user, pk) -> list[dict]:
    """The record's rows as the ORM reads them for the user (no scope, nothing kept)."""
    return list(_nomination_record_for_user(user, pk).order_by().values(*NOMINATION_ROWS.values))


def _nomination_record_for_user(user, pk):
    from icihub.training.api.nominations import _nominations

    return visible(_nominations(user), user).filter(pk=pk)


def _kept(build) -> PrecompiledRecord:
    return PrecompiledRecord(
        lambda scope, key: build(scope, key).order_by().values(*NOMINATION_ROWS.values)
    )


def test_a_scope_is_not_a_user_and_reads_only_the_models_it_was_given(kwt_coordinator):
    scope = Scope(kwt_coordinator, Nomination)
    with pytest.raises(TypeError):
        role_of(scope)
    with pytest.raises(TypeError):
        scope.country_id
    with pytest.raises(LookupError):
        Session.objects.visible_to(scope)
    assert Nomination.objects.visible_to(scope).count() == (
        Nomination.objects.visible_to(kwt_coordinator).count()
    )


def test_the_key_is_the_rights_not_the_reader(
    nato_staff, administrator, kwt_coordinator, qat_coordinator, participant_user
):
    def key(user):
        return Scope(user, Nomination, Session).key

    assert key(kwt_coordinator) == key(kwt_coordinator)
    assert key(kwt_coordinator) != key(qat_coordinator)
    assert key(kwt_coordinator) != key(participant_user)
    # staff and administrators see every nomination: one predicate, one statement
    assert key(nato_staff) == key(administrator)
    # a predicate holding a model instance, a column or a subquery (not plain
    # values) is never kept
    kuwait = Country.objects.get(iso3="KWT")
    policy = Nomination.access_policy
    for extra in (
        Q(country=kuwait),
        Q(country_id=F("participant__country_id")),
        Q(Exists(Session.objects.filter(pk=OuterRef("session_id"), is_public=True))),
    ):
        with mock.patch.object(policy, "extra_q", lambda user, extra=extra: extra):
            assert key(participant_user) is None, extra


def test_every_role_reads_through_the_kept_statement_what_the_orm_reads(every_role, nominations):
    read = _kept(_nomination_record)
    compiled = mock.patch.object(read, "_compile", wraps=read._compile)
    keys = [n.pk for n in nominations] + [max(n.pk for n in nominations) + 1]
    seen_some = set()
    with compiled as spy:
        for name, user in every_role.items():
            scope = Scope(user, Nomination)
            for pk in keys:
                got = read.rows(scope, pk)
                assert got == _orm_rows(user, pk), (name, pk)
                if got:
                    seen_some.add(name)
    # compiled once per distinct set of rights, not once per read
    assert spy.call_count == len({Scope(u, Nomination).key for u in every_role.values()})
    assert {"admin", "nato_staff", "centre_staff", "coordinator_kwt", "coordinator_qat"} <= (
        seen_some
    )


def test_a_reader_whose_rights_change_reads_through_another_statement(kwt_coordinator, nominations):
    kuwaiti, qatari = nominations
    api = ApiClient(kwt_coordinator)
    assert api.get(f"training/nominations/{kuwaiti.pk}").status_code == 200
    assert api.get(f"training/nominations/{qatari.pk}").status_code == 404
    # moved to Qatar: Kuwait's nomination is gone, Qatar's is there
    kwt_coordinator.country = Country.objects.get(iso3="QAT")
    kwt_coordinator.save()
    assert api.get(f"training/nominations/{kuwaiti.pk}").status_code == 404
    assert api.get(f"training/nominations/{qatari.pk}").json()["country"] == "QAT"
    # no longer a coordinator: neither
    kwt_coordinator.role = Role.PARTICIPANT
    kwt_coordinator.save()
    assert api.get(f"training/nominations/{qatari.pk}").status_code == 404


def test_a_scope_without_a_key_reads_through_the_orm(participant_user, nominations):
    read = _kept(_nomination_record)
    kuwait = Country.objects.get(iso3="KWT")
    policy = Nomination.access_policy
    with mock.patch.object(policy, "extra_q", lambda user: Q(country=kuwait)):
        scope = Scope(participant_user, Nomination)
        with mock.patch.object(read, "_compile") as spy:
            got = read.rows(scope, nominations[0].pk)
        assert not spy.called
        assert got == _orm_rows(participant_user, nominations[0].pk)
        assert got and got[0]["country__iso3"] == "KWT"


def test_a_key_on_a_positive_integer_column_is_kept_too(nato_staff, kwt_coordinator):
    """The stand-in is within every integer field's range: a record's
    citations (``object_id``, a positive integer) are read by the kept
    statement, not built again, and answer what the ORM answers."""
    from django.contrib.contenttypes.models import ContentType

    from icihub.core.models import Citation
    from icihub.partners.models import Country

    kuwait = Country.objects.get(iso3="KWT")
    country_type = ContentType.objects.get_for_model(Country).pk
    built = []

    def build(scope, key):
        built.append(key)
        return Citation.objects.visible_to(scope).filter(
            content_type_id=country_type, object_id=key
        )

    read = PrecompiledRecord(build)
    for user in (nato_staff, kwt_coordinator, nato_staff, kwt_coordinator):
        got = read.rows(Scope(user, Citation), kuwait.pk)
        expected = list(
            Citation.objects.visible_to(user).filter(
                content_type_id=country_type, object_id=kuwait.pk
            )
        )
        assert [c.pk for c in got] == [c.pk for c in expected]
    assert len(built) == 2  # once per set of rights, with the stand-in
    assert kuwait.pk not in built


def test_a_variant_is_kept_apart_and_the_kept_statements_are_bounded(nato_staff, nominations):
    """``variant`` (a value the build reads elsewhere than from the scope)
    names a statement of its own; at most ``MOST`` are kept a connection."""
    status = {"value": Nomination.Status.NOMINATED}

    def build(scope, key):
        return (
            Nomination.objects.visible_to(scope).filter(pk=key, status=status["value"]).values("pk")
        )

    read = PrecompiledRecord(build)
    scope = Scope(nato_staff, Nomination)
    nomination = nominations[0]
    expected = Nomination.objects.get(pk=nomination.pk).status
    other = next(s for s in Nomination.Status.values if s != expected)
    for value in (expected, other, expected):
        status["value"] = value
        assert read.rows(scope, nomination.pk, variant=value) == (
            [{"pk": nomination.pk}] if value == expected else []
        )
    read.MOST = 3
    for n in range(10):
        read.rows(scope, nomination.pk, variant=("filler", n))
    from django.db import DEFAULT_DB_ALIAS, connections

    assert len(read._compiled[connections[DEFAULT_DB_ALIAS]]) == 3


def test_a_record_built_by_a_closure_is_refused(kwt_coordinator, nominations):
    """A closure could carry the reader into the kept SQL without naming it
    in the scope's key: ``ValuesOut.record`` takes only plain functions."""
    from django.core.exceptions import ImproperlyConfigured

    reader = kwt_coordinator

    def build(scope, pk):
        return visible(Nomination.objects.filter(country=reader.country_id), scope).filter(pk=pk)

    with pytest.raises(ImproperlyConfigured):
        NOMINATION_ROWS.record(build, kwt_coordinator, nominations[0].pk, models=(Nomination,))


def test_a_request_record_is_what_the_orm_reads_for_every_role(every_role):
    """The partner request's record (model instances from a kept statement:
    its country, activity and users by ``select_related``, the other columns
    deferred) answers, for every role and request, what ``get_visible`` of the
    same queryset answers, and 404 where that is a 404."""
    from django.http import Http404

    from icihub.core.access import get_visible
    from icihub.core.apikit import render_json
    from icihub.programmes import services as programme_services
    from icihub.programmes.api import _as_answered, _request_answer, request_out
    from icihub.programmes.models import PartnerRequest

    made = [
        programme_services.create_request(
            every_role[who], {"kind": "expert", "subject": f"From {who}"}
        )
        for who in ("coordinator_kwt", "coordinator_qat")
    ]
    made.append(
        programme_services.create_request(
            every_role["nato_staff"],
            {"kind": "expert", "subject": "Staff's", "country": made[0].country},
        )
    )
    answered = 0
    for name, user in every_role.items():
        for request in made:
            try:
                expected = request_out(
                    get_visible(_as_answered(PartnerRequest.objects.all()), user, pk=request.pk)
                )
            except Http404:
                with pytest.raises(Http404):
                    _request_answer(user, request.pk)
                continue
            assert render_json(_request_answer(user, request.pk)) == render_json(expected), name
            answered += 1
    assert 0 < answered < len(every_role) * len(made)


def test_a_page_of_keys_is_read_through_a_statement_per_number_of_keys(every_role, nominations):
    """A list of keys (a page's ids, for ``__in``): a statement per set of
    rights and number of keys, each id once, the ORM's rows."""
    built = []

    def build(scope, keys):
        built.append(keys)
        return (
            Nomination.objects.visible_to(scope)
            .filter(pk__in=keys)
            .order_by("pk")
            .values("pk", "country__iso3")
        )

    read = PrecompiledRecord(build)
    ids = [n.pk for n in nominations]
    missing = max(ids) + 1
    for user in every_role.values():
        scope = Scope(user, Nomination)
        for keys in (ids, [ids[1], ids[0], ids[1]], [missing, *ids], [ids[0]]):
            expected = list(
                Nomination.objects.visible_to(user)
                .filter(pk__in=keys)
                .order_by("pk")
                .values("pk", "country__iso3")
            )
            assert read.rows(scope, keys) == expected
    rights = {Scope(u, Nomination).key for u in every_role.values()} - {None}
    compiled = [keys for keys in built if all(k >= STAND_IN_KEY - 100 for k in keys)]
    # (two keys, three keys, one key: three statements per set of rights)
    assert len(compiled) == 3 * len(rights) > 0
