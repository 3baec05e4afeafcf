"""An independent checker of the planner's hard constraints.

Written apart from the model and imports nothing from ``icihub.planning``: it
takes a plan as plain dictionaries and the instance as plain dictionaries,
and returns every broken rule. The tests run it on every plan they produce.

instance = {
    "year": 2027,
    "working_days": {6, 0, 1, 2, 3},          # Python weekday numbers
    "blocked": [(date, date), ...],            # inclusive, hard
    "rooms": 1,
    "courses": {key: {"duration", "iterations", "qualified": set, "needed", "min_gap"}},
    "unavailable": {instructor: [(date, date), ...]},
    "fixed": {session key: (start, instructors)},   # must not move
}
plan = [{"key", "course", "start", "end", "instructors": tuple, "existing": bool}, ...]
"""

import datetime as dt
from collections import Counter


def _days(a, b):
    d = a
    while d <= b:
        yield d
        d += dt.timedelta(days=1)


def check(instance, plan):
    errors = []
    blocked_days = set()
    for a, b in instance["blocked"]:
        blocked_days.update(_days(a, b))
    per_course = Counter()
    for s in plan:
        per_course[s["course"]] += 0 if s.get("existing") else 1
        course = instance["courses"].get(s["course"])
        fixed = instance["fixed"].get(s["key"])
        if fixed is not None and (s["start"] != fixed[0] or set(s["instructors"]) != set(fixed[1])):
            errors.append(f"{s['key']}: a fixed session moved")
        if s.get("existing"):
            continue
        if course and (s["end"] - s["start"]).days + 1 != course["duration"] and fixed is None:
            errors.append(f"{s['key']}: wrong length")
        if s["start"].year != instance["year"] or s["end"].year != instance["year"]:
            errors.append(f"{s['key']}: outside the year")
        for d in (s["start"], s["end"]):
            if d.weekday() not in instance["working_days"]:
                errors.append(f"{s['key']}: {d} is not a working day")
        if any(d in blocked_days for d in _days(s["start"], s["end"])):
            errors.append(f"{s['key']}: overlaps a blocked period")
        if course and fixed is None:
            if len(set(s["instructors"])) != course["needed"]:
                errors.append(f"{s['key']}: {len(s['instructors'])} instructors")
            if not set(s["instructors"]) <= set(course["qualified"]):
                errors.append(f"{s['key']}: an unqualified instructor")
    for key, course in instance["courses"].items():
        if per_course[key] != course["iterations"]:
            errors.append(f"course {key}: {per_course[key]} sessions for {course['iterations']}")
    # instructors: never two sessions at once, never while unavailable
    teaching = {}
    for s in plan:
        for i in s["instructors"]:
            for d in _days(s["start"], s["end"]):
                if (i, d) in teaching:
                    errors.append(f"instructor {i}: {teaching[(i, d)]} and {s['key']} on {d}")
                teaching[(i, d)] = s["key"]
            if not s.get("existing"):
                for a, b in instance["unavailable"].get(i, []):
                    if s["start"] <= b and a <= s["end"]:
                        errors.append(f"instructor {i} unavailable during {s['key']}")
    # rooms
    load = Counter()
    for s in plan:
        for d in _days(s["start"], s["end"]):
            load[d] += 1
    for d, n in load.items():
        if n > instance["rooms"]:
            errors.append(f"{d}: {n} sessions, {instance['rooms']} rooms")
    # minimum gaps between iterations of a course
    for key, course in instance["courses"].items():
        mine = sorted((s for s in plan if s["course"] == key), key=lambda s: s["start"])
        for i, a in enumerate(mine):
            for b in mine[i + 1 :]:
                if a.get("existing") and b.get("existing"):
                    continue
                if (b["start"] - a["end"]).days - 1 < course["min_gap"]:
                    errors.append(f"course {key}: {a['key']} and {b['key']} too close")
    return errors
