"""Proof that each raw-SQL baseline of ``run.py`` reads what its endpoint answers
(issue 11): for every baseline of ``raw_baselines.py`` and both roles (NATO staff
``nato``, Kuwait's coordinator ``kuwait``), the endpoint's JSON through Django's
test client and the baseline's JSON are compared -- the ids and order of every
list, the counts, the length of every nested list, every value both answer (a
time to the millisecond the API writes, a decimal as a number) and every field
the endpoint answers, except those it derives without the database (labels,
URLs, a partial date's display and bounds), which a baseline may leave out.

    .venv/bin/python benchmarks/raw_check.py <database> [--extra]

``database`` is a SQLite file or a PostgreSQL URL holding the dataset of
``dataset.py``. The endpoints' paths are ``run.py``'s (``api_reads``: the
OpenAPI document, the rows of its ``World``). The sample records leave most
nested lists empty and most optional links null; ``--extra`` checks again
after writing them: the users of a nomination, a participant and a request,
a request's links, a programme's signature, overdue follow-up actions, a
dialogue event released to its partner only, citations of an activity (one
of a source NATO keeps to itself), and the record of every event with
attendees. Everything, the API tokens too, is written in one transaction that
is rolled back: the database is left as it was.

Prints one line per read and role, ``ok`` or its differences; exit status 1
when any differs, or when a baseline has no endpoint (or a role), or a read
of ``READS`` has no baseline. ``run.py`` may call ``check(world)`` first."""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import decimal
import json
import logging
import os
import re

import dataset
from raw_baselines import raw_baselines

ROLES = ("staff", "coordinator")
# The reads that have a baseline (the main list and detail endpoints): one
# dropped from raw_baselines.py fails the check.
READS = (
    "API /api/v1/training/nominations",
    "API /api/v1/training/nominations/{pk}",
    "API /api/v1/training/participants",
    "API /api/v1/training/participants/{pk}",
    "API /api/v1/training/sessions",
    "API /api/v1/training/sessions/{pk}",
    "API /api/v1/training/courses",
    "API /api/v1/training/courses/{pk}",
    "API /api/v1/training/instructors",
    "API /api/v1/menu/activities",
    "API /api/v1/menu/activities/{pk}",
    "API /api/v1/dialogue/events",
    "API /api/v1/dialogue/events/{event_id}",
    "API /api/v1/programmes",
    "API /api/v1/programmes/requests",
    "API /api/v1/programmes/requests/{pk}",
)
EVENT = "API /api/v1/dialogue/events/{event_id}"
# Fields the endpoint derives without the database: a baseline may leave them out.
DERIVED = frozenset(
    {"url", "format_label", "role_label", "display", "precision", "earliest", "latest"}
)
SHOWN = 10  # differences printed for one read


# -- comparing two answers -------------------------------------------------------------


def differences(app, raw, where: str = "") -> list[str]:
    """Where the baseline's answer ``raw`` differs from the endpoint's ``app``."""
    if isinstance(app, dict) and isinstance(raw, dict):
        found = []
        for key, value in app.items():
            if key in raw:
                found += differences(value, raw[key], f"{where}.{key}")
            elif key not in DERIVED:
                found.append(f"{generic(where)}.{key}: not in the baseline")
        found += [
            f"{generic(where)}.{key}: only in the baseline"
            for key in sorted(raw.keys() - app.keys())
        ]
        return found
    if isinstance(app, list) and isinstance(raw, list):
        app_ids, raw_ids = ids(app), ids(raw)
        if app_ids != raw_ids:
            return [
                f"{where}: ids {short(app_ids)} in the endpoint, {short(raw_ids)} in the baseline"
            ]
        if len(app) != len(raw):
            return [f"{where}: {len(app)} entries in the endpoint, {len(raw)} in the baseline"]
        return [
            d
            for i, pair in enumerate(zip(app, raw, strict=True))
            for d in differences(*pair, f"{where}[{i}]")
        ]
    if isinstance(app, dict | list) or isinstance(raw, dict | list) or not same(app, raw):
        return [
            f"{where or 'the answer'}: {short(app)} in the endpoint, {short(raw)} in the baseline"
        ]
    return []


def generic(where: str) -> str:
    """A field's place in any item of a list (``.items[].country``)."""
    return re.sub(r"\[\d+\]", "[]", where)


def ids(items: list) -> list | None:
    if items and all(isinstance(item, dict) and "id" in item for item in items):
        return [item["id"] for item in items]
    return None


def same(app, raw) -> bool:
    """Equal values, as JSON writes them: a boolean only to a boolean, a time to
    the millisecond (the API's precision), a decimal's text to the number the
    cursor read (SQLite)."""
    if isinstance(app, bool) or isinstance(raw, bool):
        return type(app) is type(raw) and app == raw
    if app == raw:
        return True
    app_time, raw_time = moment(app), moment(raw)
    if app_time is not None and raw_time is not None:
        return abs(app_time - raw_time) < dt.timedelta(milliseconds=1)
    if isinstance(app, str) and isinstance(raw, int | float):
        try:
            return decimal.Decimal(app) == decimal.Decimal(str(raw))
        except decimal.InvalidOperation:
            return False
    return False


def moment(value) -> dt.datetime | None:
    """A date and time written by the API (``...T...Z``) or by ``str`` of the
    cursor's value (``... ...+00:00``); None for anything else."""
    if not isinstance(value, str) or not re.match(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d", value):
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def short(value) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


# -- the reads -------------------------------------------------------------------------


def check(world) -> list[str]:
    """The differences between the baselines and the endpoints (empty when all
    agree), each named by its read and role."""
    return [f"{label}: {d}" for label, found in compare(world) for d in found]


def compare(world, *, extra: bool = False) -> list[tuple[str, list[str]]]:
    """(read and role, differences) for every baseline; with ``extra``, again
    on the filled records. In one transaction, rolled back."""
    from django.db import transaction
    from django.test import Client

    with transaction.atomic():
        client = Client()
        headers = {"staff": bearer(world.nato), "coordinator": bearer(world.kuwait)}
        paths = endpoints(world, client, headers["staff"])
        baselines = raw_baselines(world)
        problems = coverage(baselines, paths)
        results = [("baselines", problems)] if problems else []
        paths = {name: paths[name] for name, _role in baselines if paths.get(name)}
        results += compare_reads(baselines, paths, client, headers)
        if extra:
            results += compare_filled(world, paths, client, headers)
        transaction.set_rollback(True)
    return results


def bearer(user) -> dict:
    from icihub.core.access import SYSTEM
    from icihub.core.services import create_token

    _row, raw = create_token(SYSTEM, user, name="benchmarks/raw_check.py")
    return {"Authorization": f"Bearer {raw}"}


def endpoints(world, client, headers) -> dict[str, str | None]:
    """Each read's path as run.py fills it (None: no row to read)."""
    import run  # here: run.py may import this module

    return {read["name"]: read["path"] for read in run.api_reads(world, client, headers)}


def coverage(baselines: dict, paths: dict) -> list[str]:
    """A read of READS without a baseline for a role, a baseline that is not a
    read of the API or has no row to read."""
    names = dict.fromkeys([*READS, *(name for name, _role in baselines)])
    problems = [
        f"{name}: no baseline as {role}"
        for name in names
        for role in ROLES
        if (name, role) not in baselines
    ]
    for name in names:
        if name not in paths:
            problems.append(f"{name}: no such read of the API")
        elif paths[name] is None:
            problems.append(f"{name}: no row of the dataset to read")
    return problems


def compare_reads(baselines, paths, client, headers, note="") -> list[tuple[str, list[str]]]:
    results = []
    for name, path in paths.items():
        for role in ROLES:
            if (name, role) not in baselines:
                continue  # told by coverage()
            response = client.get(path, headers=headers[role])
            if response.status_code != 200:
                found = [f"the endpoint answered {response.status_code}"]
            else:
                raw = json.loads(baselines[(name, role)]())
                found = list(dict.fromkeys(differences(response.json(), raw)))
            results.append((f"{name} as {role}{note}", found))
    return results


def compare_filled(world, paths, client, headers) -> list[tuple[str, list[str]]]:
    """After fill(): every read, its dialogue event the one given actions; then
    the record of each other event with attendees."""
    results = []
    events = fill(world)
    for event in events:
        here = copy.copy(world)
        here.event = event
        reads = dict(paths) if event is events[0] else {}
        reads[EVENT] = EVENT.removeprefix("API ").replace("{event_id}", str(event.pk))
        note = f" (filled, event {event.pk})"
        results += compare_reads(raw_baselines(here), reads, client, headers, note)
    return results


def fill(world) -> list:
    """Write, in the caller's transaction, what the sample records leave empty or
    null; returns the events with attendees, first the one given follow-up
    actions and released to its partner only (rel_partner)."""
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    from icihub.core.models import Citation, Source, User
    from icihub.dialogue.models import Event, FollowUpAction
    from icihub.menu.models import Activity
    from icihub.partners.models import Organisation
    from icihub.programmes.models import PartnerRequest, Programme
    from icihub.training.models import Nomination, Participant

    now, today, day = timezone.now(), timezone.localdate(), dt.timedelta(days=1)
    Nomination.objects.filter(pk=world.nomination.pk).update(
        nominated_by=world.kuwait,
        decided_by=world.nato,
        decided_at=now,
        withdrawn_by=User.objects.get(
            username="centre"
        ),  # three users: a column read for another shows
    )
    Participant.objects.filter(pk=world.participant.pk).update(user=world.kuwait)
    PartnerRequest.objects.filter(pk=world.request.pk).update(
        requested_by=world.kuwait,
        responded_by=world.nato,
        activity=world.activity,
        programme=world.programme,
        session=world.session,
        seats=3,
    )
    Programme.objects.filter(pk=world.programme.pk).update(
        agreed_by=world.nato, signed="2016-10", title=""
    )

    with_attendees = Event.objects.filter(attendees__isnull=False).distinct().order_by("pk")
    event = with_attendees.filter(country=world.kwt).first()  # Kuwait's
    Event.objects.filter(pk=event.pk).update(marking="rel_partner")
    # The newest event released to the partners: on the first page of the list.
    newest = Event.objects.filter(marking="rel_ici").order_by("-date", "title", "pk").first()
    organisation = Organisation.objects.order_by("pk").first()
    overdue = today - day
    FollowUpAction.objects.bulk_create(
        [
            FollowUpAction(event=event, description="mine", owner_user=world.kuwait, due=overdue),
            FollowUpAction(event=event, description="theirs", owner_organisation=organisation),
            FollowUpAction(
                event=event,
                description="done",
                owner_organisation=organisation,
                due=today - 5 * day,
                state="done",
                completed_on=today,
            ),
            FollowUpAction(event=newest, description="mine", owner_user=world.kuwait, due=overdue),
            FollowUpAction(
                event=newest, description="theirs", owner_organisation=organisation, due=overdue
            ),
        ]
    )

    first, second, third = Source.objects.order_by("pk")[:3]
    Source.objects.filter(pk=third.pk).update(marking="nato")
    activity = ContentType.objects.get_for_model(Activity)
    Citation.objects.bulk_create(
        Citation(
            content_type=activity,
            object_id=world.activity.pk,
            attribute=attribute,
            kind=kind,
            value=value,
            source=source,
        )
        for attribute, kind, value, source in (
            ("first_year", "date", "2004", first),
            ("first_year", "date", "2004-06", second),
            ("title", "text", "A", first),
            ("title", "text", "B", third),
            ("last_year", "date", "2005", second),
            ("last_year", "date", "2007/2008", third),
        )
    )
    return [event, *with_attendees.exclude(pk=event.pk)]


# -- the command -----------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database", help="a SQLite file or a PostgreSQL URL")
    parser.add_argument(
        "--extra", action="store_true", help="check again with the empty lists filled"
    )
    args = parser.parse_args()
    dataset.configure(args.database)
    os.environ["ICIHUB_PAGE_CACHE_SECONDS"] = "0"  # every read computed
    os.environ["ICIHUB_API_RATE_TOKEN"] = "0"  # no rate limit
    import django

    django.setup()
    import run
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["*"]
    # A 4xx of a list that run.py reads to fill a path is expected, not news.
    logging.getLogger("django.request").setLevel(logging.CRITICAL)
    results = compare(run.World(), extra=args.extra)
    width = max(len(label) for label, _found in results)
    for label, found in results:
        told = f"{len(found)} difference" + "s" * (len(found) > 1) if found else "ok"
        print(f"{label:<{width}}  {told}")
        for line in found[:SHOWN]:
            print(f"    {line}")
        if len(found) > SHOWN:
            print(f"    ... and {len(found) - SHOWN} more")
    failed = sum(1 for _label, found in results if found)
    print(
        f"{len(results) - failed} of {len(results)} equal on {dataset.target_name(args.database)}"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
