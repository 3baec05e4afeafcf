"""The lists' count: exact up to the cap, the cap above it (one query that
reads at most cap + 1 rows); pages read by ids first are the queryset's."""

from __future__ import annotations

import pytest
from django.test import override_settings

from icihub.core.listing import CappedPaginator, IdsFirst, capped_count
from icihub.core.models import User
from icihub.testing import count_queries, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def users():
    for n in range(7):
        make_user("centre_staff", username=f"counted{n}")
    return User.objects.filter(username__startswith="counted").order_by("-username")


def test_the_count_is_exact_up_to_the_cap_and_the_cap_above(users):
    assert capped_count(users, cap=100) == (7, False)
    assert capped_count(users, cap=7) == (7, False)
    assert capped_count(users, cap=6) == (6, True)
    assert capped_count(users, cap=2) == (2, True)
    with count_queries() as queries:
        capped_count(users.select_related("country"), cap=3)
    assert len(queries) == 1
    assert "LIMIT 4" in queries[0]["sql"] and "JOIN" not in queries[0]["sql"]


def test_the_paginator_counts_up_to_the_setting(users):
    with override_settings(ICIHUB_LIST_COUNT_CAP=5):
        paginator = CappedPaginator(users, 2)
        assert (paginator.count, paginator.capped, paginator.num_pages) == (5, True, 3)
    with override_settings(ICIHUB_LIST_COUNT_CAP=10):
        paginator = CappedPaginator(IdsFirst(users), 2)
        assert (paginator.count, paginator.capped, paginator.num_pages) == (7, False, 4)
        assert [u.username for u in paginator.page(2).object_list] == ["counted4", "counted3"]


def test_pages_read_by_ids_first_are_the_queryset_s(users):
    rows = IdsFirst(users.select_related("country"))
    assert [u.pk for u in rows[1:5]] == [u.pk for u in users[1:5]]
    assert rows[0].pk == users[0].pk
    with count_queries() as queries:
        rows[0:3]
    assert len(queries) == 2
