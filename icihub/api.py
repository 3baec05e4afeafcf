"""The REST API root: ``/api/v1/``, OpenAPI 3 at ``/api/v1/openapi.json``,
interactive documentation at ``/api/v1/docs``. Each app contributes the
``router`` of its ``api.py``."""

from __future__ import annotations

from importlib import import_module

from django.utils.translation import get_language
from ninja import NinjaAPI

from icihub.core.apikit import OrjsonRenderer, TokenAuth, install_error_handlers


class IcihubAPI(NinjaAPI):
    """Two changes to django-ninja's defaults, both for stable, cheap documentation
    (and a third where the API is built below: answers are written by orjson,
    ``apikit.OrjsonRenderer``):

    - the OpenAPI document (half a megabyte, seconds of work) is built once per
      process (and per language and URL prefix, in case a description is ever
      translated), not on every request for it; the routes do not change while
      the process runs. Callers must not change it.
    - operation ids stay those of one ``api`` module per app, also where an
      app's API is a package of rooms."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._openapi_schemas: dict[tuple[str, str | None], dict] = {}

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        key = (path_prefix, get_language())
        schema = self._openapi_schemas.get(key)
        if schema is None:
            schema = super().get_openapi_schema(path_prefix=path_prefix)
            self._openapi_schemas[key] = schema
        return schema

    def get_openapi_operation_id(self, operation) -> str:
        """Operation ids name the app's ``api`` module and the function, as ninja does,
        also where an app's API is a package of rooms (``icihub.training.api.sessions``
        keeps the ids ``icihub_training_api_...``): clients' ids do not move with the
        code."""
        module = operation.view_func.__module__
        if ".api." in module:
            module = module.split(".api.")[0] + ".api"
        return f"{module}_{operation.view_func.__name__}".replace(".", "_")


api = IcihubAPI(
    title="icihub API",
    version="1",
    description=(
        "The REST API of icihub. Authenticate with `Authorization: Bearer <token>` "
        "(create one with `icihub token create USERNAME` or on the API tokens page). "
        "Without a token only public data is served. Lists take `limit` (default 50, "
        "at most 1000) and `offset` and answer `{items, count, count_capped}`: `count` is "
        "exact up to 10,000 rows; a longer list answers 10,000 with `count_capped` true "
        "(narrow it with its filters, or page on with `offset`). Errors share one body: "
        "`{detail, code, errors: [{field, message}]}`."
    ),
    auth=TokenAuth(),
    renderer=OrjsonRenderer(),
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
install_error_handlers(api)

# (app, URL prefix, tag) in the order they appear in the documentation.
ROUTERS = [
    ("core", "", "core"),
    ("notifications", "", "notifications"),
    ("partners", "", "partners"),
    ("menu", "", "menu"),
    ("training", "", "training"),
    ("programmes", "", "programmes"),
    ("dialogue", "", "dialogue"),
    ("reports", "", "reports"),
    ("gulf", "", "gulf"),
    ("planning", "", "planning"),
    ("operations", "", "operations"),
]

for app, prefix, _tag in ROUTERS:
    try:
        module = import_module(f"icihub.{app}.api")
    except ModuleNotFoundError as exc:
        if exc.name != f"icihub.{app}.api":
            raise
        continue
    router = getattr(module, "router", None)
    if router is not None:
        api.add_router(prefix, router)
