"""The types the API documents, for the tests that read the document's
schemas (enumeration names, schema-name uniqueness)."""

from __future__ import annotations

import typing


def reachable_types() -> list:
    """Every type reachable from the API's operations: request and response
    models, their fields' annotations and the arguments of those, each model
    walked once. A type alias (a named enumeration) is listed, not opened."""
    from pydantic import BaseModel
    from typing_extensions import TypeAliasType

    from icihub.api import api

    found: list = []
    walked: set = set()

    def walk(tp):
        found.append(tp)
        if isinstance(tp, TypeAliasType):
            return
        for arg in typing.get_args(tp):
            walk(arg)
        if isinstance(tp, type) and issubclass(tp, BaseModel) and tp not in walked:
            walked.add(tp)
            for field in tp.model_fields.values():
                walk(field.annotation)

    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                for model in (operation.response_models or {}).values():
                    walk(model)
                for model in operation.models:
                    walk(model)
    return found
