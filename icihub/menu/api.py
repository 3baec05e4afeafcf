"""REST API of the cooperation menu: activities with search, filters and
facets, areas, and the import (with a dry-run flag) and export of the whole
menu."""

from django.http import HttpResponse
from ninja import Field, File, Form, PatchDict, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import paginate
from ninja.responses import Status

from icihub.core.access import get_visible
from icihub.core.apikit import (
    ERRORS,
    READ_ERRORS,
    Children,
    Cited,
    ErrorOut,
    Id,
    Pagination,
    RecordCitationOut,
    RecordFactOut,
    ValuesOut,
    Year,
    actor,
    citations_out,
    facts_out,
    require_signed_in,
    serve_prebuilt,
)
from icihub.core.text import attach
from icihub.partners.models import Country, Framework

from . import selectors, services
from .models import Activity, Area

router = Router(tags=["menu"])


class OrganisationRef(Schema):
    slug: str
    name: str
    acronym: str


class ActivityOut(Schema):
    id: int
    code: str
    title: str
    title_ar: str
    description: str
    description_ar: str
    areas: list[str]
    format: str
    format_label: str
    provider: OrganisationRef | None = None
    eligible_frameworks: list[str]
    eligible_countries: list[str]
    languages: list[str]
    level: str
    first_year: int | None = None
    last_year: int | None = None
    marking: str
    external_ref: str
    status: str
    provenance: str
    url: str

    @staticmethod
    def resolve_areas(obj) -> list[str]:
        return [x.code for x in obj.areas.all()]

    @staticmethod
    def resolve_format_label(obj) -> str:
        return str(obj.get_format_display())

    @staticmethod
    def resolve_eligible_frameworks(obj) -> list[str]:
        return [x.code for x in obj.eligible_frameworks.all()]

    @staticmethod
    def resolve_eligible_countries(obj) -> list[str]:
        return [x.iso3 for x in obj.eligible_countries.all()]

    @staticmethod
    def resolve_languages(obj) -> list[str]:
        return obj.language_list

    @staticmethod
    def resolve_url(obj) -> str:
        return obj.get_absolute_url()


def _related_codes(model, *order):
    return lambda **_context: model.objects.order_by(*order)


# The list's rows built from values(), as ActivityOut would answer them (issue 11:
# the schema's resolvers made three related managers a row, and pydantic's
# validation of a page of 50 was half of the list's time).
ACTIVITY_ROWS = ValuesOut(
    ActivityOut,
    Activity,
    computed={
        "format_label": lambda a: str(a.get_format_display()),
        "languages": lambda a: a.language_list,
        "url": lambda a: a.get_absolute_url(),
    },
    children={
        "areas": Children(
            "code", "activities", _related_codes(Area, "position", "name"), fixed=True
        ),
        "eligible_frameworks": Children(
            "code", "activities", _related_codes(Framework, "code"), fixed=True
        ),
        "eligible_countries": Children(
            "iso3", "eligible_activities", _related_codes(Country, "iso3"), fixed=True
        ),
    },
)


class ActivityDetailOut(ActivityOut):
    is_course: bool
    citations: list[RecordCitationOut]
    facts: list[RecordFactOut]

    @staticmethod
    def resolve_is_course(obj) -> bool:
        return selectors.is_course(obj)

    @staticmethod
    def resolve_citations(obj) -> list[dict]:
        return citations_out(obj)

    @staticmethod
    def resolve_facts(obj) -> list[dict]:
        return facts_out(obj)


class MenuFilters(Schema):
    q: str = Field("", description="Words to find in titles and descriptions (English or Arabic).")
    area: list[str] = Field([], description="Area codes (several: any of them).")
    format: list[str] = Field([], description="Formats: course, seminar, ...")
    provider: list[str] = Field([], description="Providing organisations (slugs).")
    framework: list[str] = Field([], description="Open to partners of these frameworks (codes).")
    country: list[str] = Field([], description="Open to these countries (ISO alpha-3).")
    year: list[str] = Field([], description="Offered in these years.")
    language: list[str] = Field([], description="Language codes.")
    level: list[str] = Field([], description="Levels.")
    status: list[str] = Field([], description="active (default), retired, or all.")
    sort: str = Field("code", description="code, title, -year or year.")

    def query(self) -> selectors.MenuQuery:
        return selectors.MenuQuery.from_params(self.model_dump())


class FacetValueOut(Schema):
    value: str
    label: str
    count: int
    selected: bool


class FacetOut(Schema):
    name: str
    label: str
    values: list[FacetValueOut]


class FacetsOut(Schema):
    count: int
    total: int
    facets: list[FacetOut]


class AreaOut(Schema):
    code: str
    name: str
    name_ar: str
    description: str
    activity_count: int | None = None


class ActivityIn(Schema):
    code: str
    title: str
    title_ar: str = ""
    description: str = ""
    description_ar: str = ""
    areas: list[str] = []
    format: str
    provider: str | None = None
    eligible_frameworks: list[str] = []
    eligible_countries: list[str] = []
    languages: list[str] = ["en"]
    level: str = ""
    first_year: Year | None = None
    last_year: Year | None = None
    marking: str = "rel_ici"
    external_ref: str = ""


class StatusIn(Schema):
    reason: str = ""


class ImportRowError(Schema):
    row: int
    field: str
    message: str


class ImportRowOut(Schema):
    row: int
    code: str
    action: str
    changes: dict


class ImportOut(Schema):
    filename: str
    format: str
    dry_run: bool
    committed: bool
    total: int
    created: int
    updated: int
    unchanged: int
    errors: list[ImportRowError]
    rows: list[ImportRowOut]


@router.get(
    "/menu/activities",
    response={200: list[ActivityOut], **READ_ERRORS},
    summary="Search the cooperation menu",
)
@serve_prebuilt
@paginate(Pagination)
def list_activities(request, filters: Query[MenuFilters]):
    """Visible activities matching the search and filters (active ones unless
    ``status`` says otherwise), in the order asked. Facet counts: ``/menu/facets``."""
    user = actor(request)
    result = selectors.search(user, filters.query(), with_facets=False)
    return ACTIVITY_ROWS.ids_page(result.ids, result.activities(user))


@router.get("/menu/facets", response={200: FacetsOut, **READ_ERRORS}, summary="Facet counts")
def facets(request, filters: Query[MenuFilters]):
    """For each filter, the values and how many activities each would give with
    the other filters in force."""
    result = selectors.search(actor(request), filters.query())
    return {
        "count": result.count,
        "total": result.total,
        "facets": [
            {
                "name": f.name,
                "label": f.label,
                "values": [v.__dict__ for v in f.values],
            }
            for f in result.facets
        ],
    }


# The record as values() rows too: its citations (and their facts) by one query of
# those the caller may see, ``is_course`` in the record's own query.
ACTIVITY_RECORD = ValuesOut(
    ActivityDetailOut,
    Activity,
    paths={"is_course": "is_course"},
    computed=ACTIVITY_ROWS.computed,
    children={
        **ACTIVITY_ROWS.children,
        "citations": Cited(Activity, Cited.CITATIONS),
        "facts": Cited(Activity, Cited.FACTS),
    },
)


@router.get("/menu/activities/{int:pk}", response={200: ActivityDetailOut, **READ_ERRORS})
@serve_prebuilt
def get_activity(request, pk: Id):
    user = actor(request)
    return ACTIVITY_RECORD.record(
        selectors.activity_record,
        user,
        pk,
        models=(Activity,),
        instance=lambda: selectors.activity_detail_queryset(user, pk),
        user=user,
    )


def get_activity_payload(user, pk) -> Activity:
    return selectors.activity_detail(user, pk)


@router.post("/menu/activities", response={201: ActivityDetailOut, **ERRORS})
def create_activity(request, payload: ActivityIn):
    user = require_signed_in(request)
    data = services.resolve_references(payload.model_dump())
    activity = services.create_activity(user, data)
    return Status(201, get_activity_payload(user, activity.pk))


@router.patch("/menu/activities/{int:pk}", response={200: ActivityDetailOut, **ERRORS})
def update_activity(request, pk: Id, payload: PatchDict[ActivityIn]):
    user = require_signed_in(request)
    activity = get_visible(Activity, user, pk=pk)
    data = services.resolve_references(payload)
    services.update_activity(user, activity, data)
    return get_activity_payload(user, pk)


@router.post("/menu/activities/{int:pk}/retire", response={200: ActivityDetailOut, **ERRORS})
def retire_activity(request, pk: Id, payload: StatusIn | None = None):
    user = require_signed_in(request)
    activity = get_visible(Activity, user, pk=pk)
    services.retire_activity(user, activity, reason=payload.reason if payload else "")
    return get_activity_payload(user, pk)


@router.post("/menu/activities/{int:pk}/reinstate", response={200: ActivityDetailOut, **ERRORS})
def reinstate_activity(request, pk: Id, payload: StatusIn | None = None):
    user = require_signed_in(request)
    activity = get_visible(Activity, user, pk=pk)
    services.reinstate_activity(user, activity, reason=payload.reason if payload else "")
    return get_activity_payload(user, pk)


@router.get("/menu/areas", response={200: list[AreaOut], **READ_ERRORS})
@paginate(Pagination)
def list_areas(request):
    return selectors.areas_with_counts(actor(request))


@router.get("/menu/areas/{code}", response={200: AreaOut, **READ_ERRORS})
def get_area(request, code: str):
    return selectors.area_detail(actor(request), code)


@router.post(
    "/menu/import",
    response={200: ImportOut, **ERRORS},
    summary="Import the menu from CSV or XLSX",
)
def import_menu(request, file: File[UploadedFile], dry_run: Form[bool] = False):
    """Upload (multipart, field ``file``) a CSV or XLSX file with the export's
    columns. ``dry_run=true`` checks it and reports what would change; otherwise
    it is applied all or nothing: with any error the answer is 400 with the
    errors (field ``row N.column``) and nothing is written."""
    user = require_signed_in(request)
    report = services.import_menu(user, file, dry_run=dry_run, filename=file.name)
    return report.as_dict()


@router.get(
    "/menu/export",
    response={200: None, 400: ErrorOut, **READ_ERRORS},
    summary="Export the menu as CSV or XLSX",
)
def export_menu(
    request, filters: Query[MenuFilters], download: str = Query("csv", description="csv or xlsx")
):
    """The visible menu (or the activities matching the filters, when any is
    given) as a file. The ``X-Icihub-Marking`` header and the file's banner carry
    the most restrictive marking of its rows."""
    user = actor(request)
    given = {k: v for k, v in filters.model_dump().items() if v and k != "sort"}
    ids = selectors.search(user, filters.query(), with_facets=False).ids if given else None
    result = services.export_menu(user, download, ids=ids)
    response = HttpResponse(result.content, content_type=result.content_type)
    attach(response, result.filename)
    response["X-Icihub-Marking"] = result.marking.value
    return response
