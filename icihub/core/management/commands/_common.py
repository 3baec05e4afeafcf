"""Helpers shared by the project's management commands (not a command itself:
Django skips modules whose name starts with an underscore)."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import CommandError
from django.http import Http404
from django.utils.translation import gettext as _

from icihub.core.errors import Conflict


def format_validation_error(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        parts = []
        for field, messages in exc.message_dict.items():
            prefix = "" if field == "__all__" else f"{field}: "
            parts.extend(prefix + message for message in messages)
        return "; ".join(parts)
    return "; ".join(exc.messages)


@contextlib.contextmanager
def command_errors():
    """Turn the services' errors into a CommandError (exit status 1, message on
    stderr). Services write in one transaction, so nothing is left behind."""
    try:
        yield
    except ValidationError as exc:
        raise CommandError(format_validation_error(exc))
    except (Conflict, PermissionDenied) as exc:
        raise CommandError(str(exc) or exc.__class__.__name__)
    except Http404 as exc:
        raise CommandError(str(exc) or _("Not found."))


def country_by_code(code: str | None):
    """The country for an ISO 3166 alpha-3 or alpha-2 code (any case), or None."""
    from icihub.core import countries

    try:
        return countries.by_code(code)
    except countries.country_model().DoesNotExist:
        raise CommandError(
            _("Unknown country “%(code)s” (give an ISO 3166 code such as KWT).") % {"code": code}
        )


def user_by_name(username: str):
    from icihub.core.models import User

    try:
        return User.objects.select_related("country").get(username__iexact=username)
    except User.DoesNotExist:
        raise CommandError(_("No user “%(name)s”.") % {"name": username})


def read_password(options) -> str:
    """The first line of standard input (``--password-stdin``)."""
    stream = options.get("stdin") or sys.stdin
    line = stream.readline()
    password = line.rstrip("\r\n")
    if not password:
        raise CommandError(_("No password on standard input."))
    return password


def role_choices() -> list[str]:
    from icihub.core.access import Role

    return list(Role.values)


def write_table(stdout, header: tuple, rows: list[tuple]) -> None:
    """Print ``rows`` as left-aligned columns under ``header``."""
    table = [tuple(str(v) for v in row) for row in [header, *rows]]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    for row in table:
        stdout.write("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())


def write_output(path, content: bytes) -> Path:
    """Write a command's output file; a path that cannot be written is a
    CommandError naming it."""
    path = Path(path)
    try:
        path.write_bytes(content)
    except OSError as exc:
        raise CommandError(_("Cannot write %(path)s: %(error)s") % {"path": path, "error": exc})
    return path
