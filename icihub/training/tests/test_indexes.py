"""The indexes that serve the lists' default orders exist in the database."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def indexed_columns(table: str) -> list[list[str]]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return [c["columns"] for c in constraints.values() if c["index"]]


def test_the_participants_default_order_is_indexed():
    from icihub.training.models import Participant

    assert Participant._meta.ordering == ["family_name", "given_name", "id"]
    assert ["family_name", "given_name", "id"] in indexed_columns("training_participant")


@pytest.mark.parametrize(
    "table,columns",
    [
        ("training_certificate", ["issued_at", "id"]),
        ("training_evaluation", ["submitted_at", "id"]),
        ("training_trip", ["arrival", "id"]),
        ("training_nomination", ["nominated_at", "id"]),
        ("training_nomination", ["country_id", "nominated_at", "id"]),
        ("training_participant", ["country_id", "family_name", "given_name", "id"]),
        # the home page: what changed last, overall and for a country; a
        # coordinator's counts by state
        ("training_nomination", ["updated_at", "id"]),
        ("training_nomination", ["country_id", "updated_at", "id"]),
        ("training_nomination", ["country_id", "status"]),
    ],
)
def test_the_big_lists_default_orders_are_indexed(table, columns):
    # certificates and evaluations newest first (the index descends), trips by arrival
    assert columns in indexed_columns(table)
