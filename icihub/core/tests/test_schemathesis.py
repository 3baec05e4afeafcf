"""Fuzzing the API with schemathesis (issue 6, item 4).

Schemathesis reads the OpenAPI document of a live server
(``/api/v1/openapi.json``, pytest-django's ``live_server``: a real HTTP server
in a thread) and sends every operation generated requests, as NATO staff and
as the coordinator of Qatar, with their bearer tokens, against the world of
``matrix_data`` (rows of Kuwait and of Qatar). Every answer must:

* not be a server error (5xx);
* have a status code the document declares for the operation, the declared
  content type, and a body that validates against the declared schema;
* for a schema-violating request (negative mode), be a 4xx.

``test_the_other_countrys_rows_answer_404`` adds the access model: every
operation addressing one of Kuwait's rows by id, called with a request the
schema accepts, answers 404 to the coordinator of Qatar and 200 to the
coordinator of Kuwait (so the ids are real).

The run is bounded and reproducible: ``ICIHUB_FUZZ_EXAMPLES`` examples per
operation and mode (default 2), Hypothesis derandomized, no example database,
no shrinking. Exclusions and their reasons: docs/testing.md, "Fuzzing the API".
"""

from __future__ import annotations

import json
import os

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from icihub.testing import ApiClient

from .api_types import reachable_types
from .matrix_data import build_world

MAX_EXAMPLES = int(os.environ.get("ICIHUB_FUZZ_EXAMPLES", "2"))

# Operations the fuzzer does not call, with the reason (docs/testing.md).
EXCLUDED = {
    # would revoke the very token the run authenticates with (ids 1.. are the
    # world's tokens): every later answer would be a 401
    "DELETE /api/v1/tokens/{token_id}": "revokes the fuzzer's own token",
    # an administrator's change of an account (role, country, active): the
    # staff account could deactivate or demote the fuzzing accounts
    "PATCH /api/v1/users/{user_id}": "may deactivate or demote the fuzzing accounts",
    # locks a year's figures for good (a snapshot cannot be removed); random
    # years would litter the table. Covered by the reports app's tests.
    "POST /api/v1/reports/snapshots": "locks a year's figures irreversibly",
}

POSITIVE_CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


NEGATIVE_CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
    negative_data_rejection,
]

SETTINGS = hypothesis.settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def world(live_server, settings):
    # the fuzzer sends a few thousand requests a minute with one token
    settings.ICIHUB_API_RATE_TOKEN = 0
    settings.ICIHUB_API_RATE_ANON = 0
    settings.ICIHUB_VERIFY_RATE = 0  # the public certificate check's own limit
    return build_world()


@pytest.fixture
def api_schema(live_server):
    return schemathesis.openapi.from_url(live_server.url + "/api/v1/openapi.json")


def hypothesis_run(strategy, checks, settings, statuses: list | None = None) -> None:
    """Call and validate the cases ``strategy`` generates (``settings`` bound
    their number); record the status codes in ``statuses``."""

    @settings
    @hypothesis.given(case=strategy)
    def run(case):
        response = case.call_and_validate(checks=checks)
        if statuses is not None:
            statuses.append(response.status_code)

    run()


def operations(schema):
    for result in schema.get_all_operations():
        op = result.ok()
        if op.label not in EXCLUDED:
            yield op


def fuzz(schema, token: str) -> tuple[list[str], int]:
    """Run every operation in both modes; returns the failures and the number
    of operations run."""
    headers = {"Authorization": f"Bearer {token}"}
    failures = []
    count = 0
    for op in operations(schema):
        count += 1
        for mode, checks in (
            (GenerationMode.POSITIVE, POSITIVE_CHECKS),
            (GenerationMode.NEGATIVE, NEGATIVE_CHECKS),
        ):
            strategy = op.as_strategy(generation_mode=mode, headers=headers)
            try:
                hypothesis_run(strategy, checks, SETTINGS)
            except hypothesis.errors.Unsatisfiable:
                pass  # no schema-violating request exists for this operation
            except (Exception, BaseExceptionGroup) as exc:
                failures.append(f"{op.label} ({mode.value}): {exc}")
    return failures, count


@pytest.mark.parametrize("role", ["nato", "coord_qat"])
def test_fuzz_every_operation(world, api_schema, role):
    failures, count = fuzz(api_schema, world.tokens[role])
    assert count >= 150, f"only {count} operations in the document"
    assert not failures, f"{len(failures)} failures\n\n" + "\n\n".join(failures)


# -- the access model: the other country's rows answer 404 ------------------------------------

# Path parameters naming one of Kuwait's rows, per operation path (object keys
# of ``matrix_data.World``). Every operation of these paths (read, write,
# transition) is called by Qatar's coordinator.
KUWAIT_ROWS = {
    "/api/v1/training/participants/{pk}": {"pk": "participant_kwt"},
    "/api/v1/training/nominations/{pk}": {"pk": "nomination_open_kwt"},
    "/api/v1/training/nominations/{pk}/accept": {"pk": "nomination_open_kwt"},
    "/api/v1/training/nominations/{pk}/reject": {"pk": "nomination_open_kwt"},
    "/api/v1/training/nominations/{pk}/withdraw": {"pk": "nomination_open_kwt"},
    "/api/v1/training/nominations/{pk}/substitute": {"pk": "nomination_open_kwt"},
    "/api/v1/training/certificates/{pk}": {"pk": "certificate_kwt"},
    "/api/v1/training/certificates/{pk}/pdf": {"pk": "certificate_kwt"},
    "/api/v1/training/certificates/{pk}/revoke": {"pk": "certificate_kwt"},
    "/api/v1/programmes/{pk}": {"pk": "programme_kwt"},
    "/api/v1/programmes/{pk}/submit": {"pk": "programme_kwt"},
    "/api/v1/programmes/{pk}/return": {"pk": "programme_kwt"},
    "/api/v1/programmes/{pk}/agree": {"pk": "programme_kwt"},
    "/api/v1/programmes/{pk}/activate": {"pk": "programme_kwt"},
    "/api/v1/programmes/{pk}/close": {"pk": "programme_kwt"},
    "/api/v1/programmes/{pk}/objectives": {"pk": "programme_kwt"},
    "/api/v1/programmes/{pk}/versions": {"pk": "programme_kwt"},
    "/api/v1/programmes/{pk}/versions/{number}": {"pk": "programme_kwt", "number": "version_kwt"},
    "/api/v1/programmes/{pk}/diff": {"pk": "programme_kwt"},
    "/api/v1/programmes/{pk}/execution": {"pk": "programme_kwt"},
    "/api/v1/programmes/{pk}/matches": {"pk": "programme_kwt"},
    "/api/v1/programmes/objectives/{pk}": {"pk": "objective_kwt"},
    "/api/v1/programmes/objectives/{pk}/goals": {"pk": "objective_kwt"},
    "/api/v1/programmes/goals/{pk}": {"pk": "goal_kwt"},
    "/api/v1/programmes/goals/{pk}/recommendations": {"pk": "goal_kwt"},
    "/api/v1/programmes/goals/{pk}/items": {"pk": "goal_kwt"},
    "/api/v1/programmes/items/{pk}": {"pk": "item_kwt"},
    "/api/v1/programmes/items/{pk}/deliveries": {"pk": "item_kwt"},
    "/api/v1/programmes/deliveries/{pk}": {"pk": "delivery_kwt"},
    "/api/v1/programmes/requests/{pk}": {"pk": "request_kwt"},
    "/api/v1/programmes/requests/{pk}/respond": {"pk": "request_kwt"},
    "/api/v1/programmes/requests/{pk}/close": {"pk": "request_kwt"},
    "/api/v1/dialogue/events/{event_id}": {"event_id": "event_kwt"},
    "/api/v1/dialogue/events/{event_id}/participants": {"event_id": "event_kwt"},
    "/api/v1/dialogue/events/{event_id}/participants/{participant_id}": {
        "event_id": "event_kwt",
        "participant_id": "event_participant_kwt",
    },
    "/api/v1/dialogue/events/{event_id}/attendees": {"event_id": "event_kwt"},
    "/api/v1/dialogue/events/{event_id}/attendees/{attendee_id}": {
        "event_id": "event_kwt",
        "attendee_id": "attendee_kwt",
    },
    "/api/v1/dialogue/events/{event_id}/citations": {"event_id": "event_kwt"},
    "/api/v1/dialogue/events/{event_id}/citations/{citation_id}": {
        "event_id": "event_kwt",
        "citation_id": "event_citation_kwt",
    },
    "/api/v1/dialogue/events/{event_id}/actions": {"event_id": "event_kwt"},
    "/api/v1/dialogue/actions/{action_id}": {"action_id": "action_kwt"},
    # notifications: Kuwait's coordinator's own
    "/api/v1/notifications/{notification_id}/read": {"notification_id": "notification_kwt"},
}


def _kuwait_params(world, path: str) -> dict:
    return {
        name: world[key].number if name == "number" else world[key].pk
        for name, key in KUWAIT_ROWS[path].items()
    }


def _without_control_characters(case) -> bool:
    """No text the boundary refuses before any view (NUL, control characters,
    lone surrogates: ``core.text.forbidden_character``)."""
    from icihub.core.text import forbidden_character

    def clean(value) -> bool:
        if isinstance(value, str):
            return forbidden_character(value) is None
        if isinstance(value, dict):
            return all(clean(k) and clean(v) for k, v in value.items())
        if isinstance(value, (list, tuple)):
            return all(clean(v) for v in value)
        return True

    return clean([case.body, case.query, case.path_parameters, case.headers])


def test_the_other_countrys_rows_answer_404(world, api_schema):
    """Qatar's coordinator addressing Kuwait's rows by id: 404 for every
    operation of those paths, with a request the schema accepts (so the answer
    is the access model's, not a 422), and the answer conforms to the schema.
    Kuwait's coordinator reads the same rows (200): the ids are real."""
    qatar = {"Authorization": f"Bearer {world.tokens['coord_qat']}"}
    kuwait = {"Authorization": f"Bearer {world.tokens['coord_kwt']}"}
    covered, wrong = set(), []
    for op in operations(api_schema):
        if op.path not in KUWAIT_ROWS:
            continue
        covered.add(op.path)
        params = _kuwait_params(world, op.path)
        seen = []

        # Text with a NUL or another control character is refused before any
        # view (422): not a question for the access model
        strategy = op.as_strategy(headers=qatar, path_parameters=params).filter(
            _without_control_characters
        )
        hypothesis_run(
            strategy, POSITIVE_CHECKS, hypothesis.settings(SETTINGS, max_examples=2), seen
        )
        if set(seen) != {404}:
            wrong.append(f"{op.label}: {sorted(set(seen))}")
        if op.method.upper() == "GET":
            own = []
            strategy = op.as_strategy(headers=kuwait, path_parameters=params)
            hypothesis_run(
                strategy, POSITIVE_CHECKS, hypothesis.settings(SETTINGS, max_examples=3), own
            )
            if 200 not in own:
                wrong.append(f"{op.label} as Kuwait's coordinator: {sorted(set(own))}")
    assert covered == set(KUWAIT_ROWS), sorted(set(KUWAIT_ROWS) - covered)
    assert not wrong, "\n".join(wrong)


# -- regressions found by the fuzzer (no server needed) ---------------------------------------


def _models_of_the_api():
    from pydantic import BaseModel

    seen: dict[str, set] = {}
    for tp in reachable_types():
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            seen.setdefault(tp.__name__, set()).add(tp)
    return seen


def test_schema_names_are_unique_in_the_openapi_document():
    """Two schemas of one name are one component of the document: the second
    replaced the first (the training participant was documented as the
    dialogue's event participant, the dialogue's country reference as the
    partners' one, ...). Same name, same shape, or another name."""
    generated = {"NinjaResponseSchema", "QueryParams", "BodyParams", "PathParams"}
    models = _models_of_the_api()
    # The walk reaches every app's schemas (were ninja's internals to change, an
    # empty walk would find no clash): inputs, outputs and the ones nested in them.
    assert len(models) > 150, sorted(models)
    assert {"EventIn", "EventParticipantOut", "ParticipantOut", "RecordCitationOut"} <= set(models)
    clashes = []
    for name, classes in models.items():
        if name in generated or len(classes) == 1:
            continue
        shapes = {json.dumps(c.model_json_schema(), sort_keys=True) for c in classes}
        if len(shapes) > 1:
            clashes.append(f"{name}: {sorted(c.__module__ for c in classes)}")
    assert not clashes, clashes


HUGE = str(2**100)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        f"/api/v1/training/courses/{HUGE}",
        f"/api/v1/training/courses/{HUGE}/evaluation-summary",
        f"/api/v1/dialogue/events/{HUGE}/attendees/1",
        f"/api/v1/training/sessions?year={HUGE}",
        "/api/v1/training/sessions?year=10000",
        f"/api/v1/training/attendance?session={HUGE}",
        f"/api/v1/users?offset={HUGE}",
    ],
)
def test_numbers_beyond_the_database_are_a_422(nato_staff, path):
    """Ids beyond 64 bits overflowed in SQLite's driver, a year beyond 9999 in
    the date lookup, an offset in the query: 500s. Now the parameters' ranges
    are declared (``apikit.Id``, ``Year``, ``Pagination``) and checked."""
    api = ApiClient(nato_staff)
    response = api.delete(path) if "/attendees/" in path else api.get(path)
    assert response.status_code == 422, (path, response.status_code)
    assert response.json()["code"] == "invalid"


@pytest.mark.django_db
def test_a_negative_id_is_a_422_not_a_500(kwt_coordinator):
    response = ApiClient(kwt_coordinator).get("/api/v1/dialogue/events/-3")
    assert response.status_code == 422


@pytest.mark.django_db
@pytest.mark.parametrize("body", ['"x"', "[1]", "5", "true"])
def test_a_body_that_is_not_an_object_is_refused(kwt_coordinator, body):
    """Ninja read a non-object body as ``{}`` when every field is optional:
    POST /tokens with ``"x"`` created a token."""
    from icihub.core.models import ApiToken

    api = ApiClient(kwt_coordinator)
    before = ApiToken.objects.count()
    response = api.client.post(
        "/api/v1/tokens", data=body, content_type="application/json", headers=api.headers
    )
    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"
    assert ApiToken.objects.count() == before


@pytest.mark.django_db
def test_the_menu_export_documents_its_400(nato_staff):
    from icihub.api import api

    response = ApiClient(nato_staff).get("/api/v1/menu/export", {"download": "pdf"})
    assert response.status_code == 400
    document = api.get_openapi_schema(path_prefix="/api/v1")
    assert 400 in document["paths"]["/api/v1/menu/export"]["get"]["responses"]
