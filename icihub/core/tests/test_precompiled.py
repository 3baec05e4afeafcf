"""``core.precompiled``: the reads compiled once answer what the ORM answers
(the same rows, fields and related rows, the same converted values), in one
query, with nothing for a value no row has; and the API token and the
session's user, its two uses, still decide who a request is."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.db import connection, connections, models
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from icihub.core.access import SYSTEM
from icihub.core.apikit import TOKEN_BY_HASH
from icihub.core.backends import USER_BY_ID
from icihub.core.models import ApiToken, User, hash_token
from icihub.core.precompiled import Precompiled
from icihub.core.services import create_token
from icihub.core.sqlplan import several_statements_a_trip
from icihub.testing import ApiClient, client_for, make_user

pytestmark = pytest.mark.django_db


def _fields(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def test_a_token_read_once_compiled_is_the_orm_row_with_its_user_and_country():
    user = make_user("coordinator", "KWT")
    row, raw = create_token(SYSTEM, user, name="t")
    ApiToken.objects.filter(pk=row.pk).update(last_used_at=timezone.now())
    expected = ApiToken.objects.select_related("user", "user__country").get(pk=row.pk)
    for _ in range(2):  # compiled on the first call, kept for the second
        with CaptureQueriesContext(connection) as queries:
            got = TOKEN_BY_HASH.first(hash_token(raw))
            assert _fields(got) == _fields(expected)
            assert _fields(got.user) == _fields(expected.user)
            assert _fields(got.user.country) == _fields(expected.user.country)
        assert len(queries) == 1  # the user and the country came with the token
    assert got.expires_at.tzinfo is not None  # converted as the ORM converts
    assert got.user.is_active is True
    assert TOKEN_BY_HASH.first(hash_token(raw + "x")) is None


def test_a_user_without_a_country_comes_back_without_one():
    user = make_user("nato_staff")
    _row, raw = create_token(SYSTEM, user, name="t")
    got = TOKEN_BY_HASH.first(hash_token(raw))
    assert got.user == user and got.user.country is None


def test_the_session_user_is_the_orm_user():
    user = make_user("coordinator", "KWT")
    got = USER_BY_ID.first(user.pk)
    assert _fields(got) == _fields(User.objects.get(pk=user.pk))
    assert USER_BY_ID.first(user.pk + 10_000) is None


def test_a_read_of_more_than_one_value_is_refused():
    read = Precompiled(lambda v: User.objects.filter(username=v, first_name=v))
    with pytest.raises(ValueError):
        read.first("x")


def test_the_backend_is_the_one_in_use_and_refuses_an_inactive_user():
    assert settings.AUTHENTICATION_BACKENDS == ["icihub.core.backends.ModelBackend"]
    user = make_user("coordinator", "KWT")
    client = client_for(user)
    assert client.get("/api/v1/me").json()["username"] == user.username
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert client.get("/api/v1/me").status_code == 401


def test_a_revoked_or_expired_token_is_refused():
    user = make_user("coordinator", "KWT")
    api = ApiClient(user)
    assert api.get("me").json()["username"] == user.username
    tokens = ApiToken.objects.filter(user=user)
    now = timezone.now()
    tokens.update(created_at=now - dt.timedelta(days=2), expires_at=now - dt.timedelta(seconds=1))
    assert api.get("me").status_code == 401
    tokens.update(expires_at=timezone.now() + dt.timedelta(days=1), revoked_at=timezone.now())
    assert api.get("me").status_code == 401


# -- the token read along with the rate counter -----------------------------------


@override_settings(
    ICIHUB_API_RATE_TOKEN=100,
    ICIHUB_API_RATE_WINDOW=60,
    # the cache of a deployment (the tests' own is in memory)
    CACHES={
        "default": {
            "BACKEND": "icihub.operations.cache.DatabaseCache",
            "LOCATION": "icihub_cache",
        }
    },
)
def test_the_rate_counter_carries_the_token_read_on_postgresql():
    """On PostgreSQL with client-side binding (the default; ``.ci/run`` runs this
    file with ICIHUB_DB_PREPARE too) the API's rate count and the request's token
    are one round trip; elsewhere two. Either way the request is who the token says, a
    counted request is counted, and a bad, revoked or expired token is a 401."""
    user = make_user("coordinator", "KWT")
    api = ApiClient(user)
    assert api.get("me").json()["username"] == user.username  # (token's last use written)
    with CaptureQueriesContext(connection) as queries:
        response = api.get("me")
    assert response.status_code == 200 and response.json()["username"] == user.username
    assert response["X-RateLimit-Remaining"] == "98"
    token_reads = [q["sql"] for q in queries if '"core_apitoken"' in q["sql"]]
    assert len(token_reads) == 1
    carried = token_reads[0].lstrip().upper().startswith("INSERT")
    assert carried == several_statements_a_trip(connection)
    assert len(queries) == (1 if carried else 2)
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION="Bearer not-a-token").status_code == 401
    ApiToken.objects.filter(user=user).update(revoked_at=timezone.now())
    refused = api.get("me")
    assert refused.status_code == 401 and refused["X-RateLimit-Remaining"] == "97"


def test_a_read_along_nothing_carried_reads_itself():
    from icihub.core.precompiled import ReadAlong

    user = make_user("coordinator", "KWT")
    row, raw = create_token(SYSTEM, user, name="t")
    along = ReadAlong(TOKEN_BY_HASH, hash_token(raw))
    with CaptureQueriesContext(connection) as queries:
        assert along.first().pk == row.pk
        assert along.first().pk == row.pk  # read once
    assert len(queries) == 1
    assert ReadAlong(TOKEN_BY_HASH, hash_token("nothing")).first() is None


# -- PrecompiledValues: the second queries of a values() answer -------------------


def _sources(n: int):
    from icihub.core.models import Source

    made = [
        Source.objects.create(
            key=f"pv-{i}", title=f"T{i}", publisher="P", published=("2020-03" if i % 2 else None)
        )
        for i in range(n)
    ]
    return [s.pk for s in made]


def _by_pks(ids):
    from icihub.core.models import Source

    # a converted column (the partial date) and the default ordering (NULLs first)
    return Source.objects.filter(pk__in=ids).values_list("pk", "published", "key")


def test_values_compiled_once_per_number_of_ids_are_the_orm_rows():
    from icihub.core.precompiled import PrecompiledValues

    ids = _sources(5)
    read = PrecompiledValues(_by_pks)
    for chosen in ([ids[0]], ids[1:4], ids, [ids[2], ids[2], ids[0]], [ids[1], -5]):
        expected = list(_by_pks(chosen))
        assert expected  # (each read finds rows)
        for _ in range(2):
            with CaptureQueriesContext(connection) as queries:
                assert read.rows(chosen) == expected
            assert len(queries) == 1
    # the field's converter ran: a partial date, not the stored text
    assert not isinstance(expected[0][1], str) and str(expected[0][1]) == "March 2020"
    # compiled once per number of distinct ids: 1, 3, 5, 2 (and 2 again)
    assert sorted(read._compiled[connections["default"]]) == [1, 2, 3, 5]
    assert read.rows([]) == []


def test_values_the_orm_answers_what_cannot_be_precompiled():
    from icihub.core.models import Source
    from icihub.core.precompiled import PrecompiledValues

    ids = _sources(3)
    # beyond MOST ids, and a queryset whose columns are not the named fields
    many = PrecompiledValues(_by_pks)
    many.MOST = 2
    assert many.rows(ids) == list(_by_pks(ids))
    assert 3 not in many._compiled.get(connections["default"], {})
    # an annotation named before the columns: the SQL's columns are not in that order
    annotated = PrecompiledValues(
        lambda chosen: (
            Source.objects.filter(pk__in=chosen).annotate(n=models.Value(1)).values_list("n", "pk")
        )
    )
    assert sorted(annotated.rows(ids[:2])) == [(1, ids[0]), (1, ids[1])]
    assert annotated._compiled[connections["default"]][2] is None


def test_values_with_counts_after_the_columns_are_compiled_and_the_orm_rows():
    from django.contrib.contenttypes.models import ContentType

    from icihub.core.models import Citation, Source
    from icihub.core.precompiled import PrecompiledValues

    ids = _sources(3)
    cited = ContentType.objects.get_for_model(Source)
    for n, source_id in ((2, ids[0]), (1, ids[2])):
        for i in range(n):
            Citation.objects.create(
                source_id=source_id,
                content_type=cited,
                object_id=source_id,
                attribute=f"a{i}",
                value="v",
            )

    def counted(chosen):
        return (
            Source.objects.filter(pk__in=chosen)
            .annotate(n=models.Count("citations"), kept=models.Value(7))
            .values_list("pk", "n", "kept")
        )

    read = PrecompiledValues(counted)
    expected = sorted(counted(ids))
    assert expected == [(ids[0], 2, 7), (ids[1], 0, 7), (ids[2], 1, 7)]
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            assert sorted(read.rows(ids)) == expected
        assert len(queries) == 1
    assert read._compiled[connections["default"]][3] is not None
