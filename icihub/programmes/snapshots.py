"""Snapshots of a programme's structure (the content of a version) and the
differences between two of them: objectives, goals and items added, removed
or changed. Rows are matched by their identity, so a renamed goal is
"changed", not "removed and added"."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch

PROGRAMME_FIELDS = ("title", "summary", "kind", "start_year", "end_year")
OBJECTIVE_FIELDS = ("title", "description", "position")
GOAL_FIELDS = ("title", "description", "target", "position", "areas")
ITEM_FIELDS = (
    "activity",
    "activity_title",
    "priority",
    "planned_year",
    "planned_quarter",
    "seats",
    "notes",
)


def build_snapshot(programme) -> dict:
    """The structure of ``programme`` as plain data (constant number of queries)."""
    from icihub.menu.models import Area

    from .models import PartnershipGoal, ProgrammeItem, StrategicObjective

    objectives = (
        StrategicObjective.objects.filter(programme=programme)
        .order_by("position", "pk")
        .prefetch_related(
            Prefetch(
                "goals",
                queryset=PartnershipGoal.objects.order_by("position", "pk").prefetch_related(
                    Prefetch("areas", queryset=Area.objects.order_by("position")),
                    Prefetch(
                        "items",
                        queryset=ProgrammeItem.objects.select_related("activity").order_by(
                            "planned_year", "planned_quarter", "priority", "pk"
                        ),
                    ),
                ),
            )
        )
    )
    return {
        "programme": {name: getattr(programme, name) for name in PROGRAMME_FIELDS},
        "objectives": [
            {
                "id": objective.pk,
                "title": objective.title,
                "description": objective.description,
                "position": objective.position,
                "goals": [
                    {
                        "id": goal.pk,
                        "title": goal.title,
                        "description": goal.description,
                        "target": goal.target,
                        "position": goal.position,
                        "areas": [a.code for a in goal.areas.all()],
                        "items": [
                            {
                                "id": item.pk,
                                "activity": item.activity.code,
                                "activity_title": item.activity.title,
                                "priority": item.priority,
                                "planned_year": item.planned_year,
                                "planned_quarter": item.planned_quarter,
                                "seats": item.seats,
                                "notes": item.notes,
                            }
                            for item in goal.items.all()
                        ],
                    }
                    for goal in objective.goals.all()
                ],
            }
            for objective in objectives
        ],
    }


@dataclass
class Change:
    kind: str  # objective, goal, item
    id: int
    label: str
    parent: str = ""
    fields: dict = field(default_factory=dict)  # name -> {"before", "after"}

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "id": self.id,
            "label": self.label,
            "parent": self.parent,
            "fields": self.fields,
        }


@dataclass
class Diff:
    programme: dict = field(default_factory=dict)
    added: list[Change] = field(default_factory=list)
    removed: list[Change] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.programme or self.added or self.removed or self.changed)

    def of_kind(self, kind: str) -> dict:
        return {
            "added": [c for c in self.added if c.kind == kind],
            "removed": [c for c in self.removed if c.kind == kind],
            "changed": [c for c in self.changed if c.kind == kind],
        }

    def as_dict(self) -> dict:
        return {
            "programme": self.programme,
            **{
                plural: {
                    key: [c.as_dict() for c in changes]
                    for key, changes in self.of_kind(kind).items()
                }
                for kind, plural in (
                    ("objective", "objectives"),
                    ("goal", "goals"),
                    ("item", "items"),
                )
            },
        }


def _flatten(snapshot: dict) -> dict[tuple[str, int], tuple[dict, str]]:
    """(kind, id) -> (row, parent label)."""
    out = {}
    for objective in snapshot.get("objectives", []):
        out[("objective", objective["id"])] = (objective, "")
        for goal in objective.get("goals", []):
            out[("goal", goal["id"])] = (goal, objective["title"])
            for item in goal.get("items", []):
                out[("item", item["id"])] = (item, goal["title"])
    return out


FIELDS = {"objective": OBJECTIVE_FIELDS, "goal": GOAL_FIELDS, "item": ITEM_FIELDS}


def _label(kind: str, row: dict) -> str:
    if kind == "item":
        return f"{row['activity']} – {row.get('activity_title', '')}"
    return row.get("title", "")


def diff(before: dict, after: dict) -> Diff:
    result = Diff()
    for name in PROGRAMME_FIELDS:
        old = before.get("programme", {}).get(name)
        new = after.get("programme", {}).get(name)
        if old != new:
            result.programme[name] = {"before": old, "after": new}
    old_rows, new_rows = _flatten(before), _flatten(after)
    order = {"objective": 0, "goal": 1, "item": 2}
    for key in sorted(set(old_rows) | set(new_rows), key=lambda k: (order[k[0]], k[1])):
        kind, pk = key
        if key not in old_rows:
            row, parent = new_rows[key]
            result.added.append(Change(kind, pk, _label(kind, row), parent))
        elif key not in new_rows:
            row, parent = old_rows[key]
            result.removed.append(Change(kind, pk, _label(kind, row), parent))
        else:
            (old, _p), (new, parent) = old_rows[key], new_rows[key]
            fields = {
                name: {"before": old.get(name), "after": new.get(name)}
                for name in FIELDS[kind]
                if old.get(name) != new.get(name) and name != "activity_title"
            }
            if fields:
                result.changed.append(Change(kind, pk, _label(kind, new), parent, fields))
    return result
