"""Courses: the catalogue entries of the Centre."""

from __future__ import annotations

from icihub.core import services as core_services

from ..models import (
    Course,
)

# -- courses ------------------------------------------------------------------------


def _course_format(data: dict, course: Course | None = None) -> dict:
    """A taught course's menu format follows its delivery method (see Course.save)."""
    data = dict(data)
    delivery = data.get("delivery") or (course.delivery if course else Course.Delivery.RESIDENT)
    current = data.get("format") or (course.format if course else "")
    if not current or current in Course.FORMAT_OF_DELIVERY.values():
        data["format"] = Course.FORMAT_OF_DELIVERY[delivery]
    return data


def create_course(actor, data: dict, *, reason: str = "") -> Course:
    """Add a course to the catalogue: one record that is also a menu activity."""
    data = _course_format(data)
    data.setdefault("provenance", Course.Provenance.ENTERED)
    return core_services.create(Course, actor, data, reason=reason)


def update_course(actor, course: Course, data: dict, *, reason: str = "") -> Course:
    return core_services.update(course, actor, _course_format(data, course), reason=reason)
