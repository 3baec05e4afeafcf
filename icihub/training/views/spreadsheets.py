"""Importing nominations and participants from a spreadsheet; session exports."""

from __future__ import annotations

import secrets
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from icihub.core.access import (
    get_visible,
)
from icihub.core.errors import Conflict
from icihub.core.forms import add_service_errors

from .. import exports, imports, permissions, selectors
from ..forms import (
    ImportForm,
)
from ..models import (
    Session,
)

# -- import ---------------------------------------------------------------------------------


def _import_dir() -> Path:
    """Where an uploaded file waits between the dry run and the commit (named by
    a random token kept in the uploader's session). Files left for a day are
    removed at the next upload."""
    path = Path(settings.DATA_DIR) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _remove_stale_uploads(max_age_seconds: int = 24 * 3600) -> None:
    import time

    limit = time.time() - max_age_seconds
    for stale in _import_dir().glob("*"):
        try:
            if stale.is_file() and stale.stat().st_mtime < limit:
                stale.unlink()
        except OSError:
            continue


@login_required
def import_page(request, pk=None):
    """Upload a CSV/XLSX, see the dry run, then commit (all or nothing)."""
    user = request.user
    if not permissions.can_import_people(user):
        raise PermissionDenied
    session = get_visible(selectors.sessions(user), user, pk=pk) if pk else None
    form = ImportForm()
    result = None
    pending = request.session.get("training_import")
    if request.method == "POST" and request.POST.get("action") == "commit" and pending:
        path = _import_dir() / pending["file"]
        if not path.exists() or pending.get("session") != (session.pk if session else None):
            messages.error(request, _("Upload the file again."))
        else:
            try:
                rows = imports.read_table(pending["name"], path.read_bytes())
                result = imports.run(
                    user, rows, default_session=session, commit=True, source_name=pending["name"]
                )
            except (ValidationError, Conflict) as exc:
                messages.error(request, "; ".join(getattr(exc, "messages", [str(exc)])))
            else:
                if result.committed:
                    path.unlink(missing_ok=True)
                    request.session.pop("training_import", None)
                    messages.success(request, result.summary())
                    return redirect(
                        session.get_absolute_url()
                        if session
                        else reverse("training:participant_list")
                    )
                messages.error(request, _("Nothing was imported: fix the rows with errors."))
    elif request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                if upload.size > settings.ICIHUB_MAX_UPLOAD_BYTES:
                    raise imports.ImportFileError({"file": _("The file is too large.")})
                data = upload.read()
                rows = imports.read_table(upload.name, data)
                result = imports.run(user, rows, default_session=session, commit=False)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                _remove_stale_uploads()
                suffix = ".xlsx" if upload.name.lower().endswith(".xlsx") else ".csv"
                token = secrets.token_hex(16) + suffix
                (_import_dir() / token).write_bytes(data)
                request.session["training_import"] = {
                    "file": token,
                    "name": Path(upload.name).name[:100],
                    "session": session.pk if session else None,
                }
    shown = None
    if result is not None:
        bad = [row for row in result.rows if row.errors]
        good = [row for row in result.rows if not row.errors][:200]
        shown = bad[:500] + good
    return render(
        request,
        "training/import.html",
        {
            "session": session,
            "form": form,
            "result": result,
            "shown": shown,
            "columns": imports.COLUMNS,
            "max_mb": settings.ICIHUB_MAX_UPLOAD_BYTES // (1024 * 1024),
        },
    )


@login_required
def session_export(request, pk, fmt):
    if fmt not in ("csv", "xlsx"):
        raise Http404
    session = get_visible(Session, request.user, pk=pk)
    rows = (
        exports.nomination_row(n)
        for n in selectors.session_nominations(session, request.user).iterator(chunk_size=500)
    )
    return exports.respond(
        request.user,
        f"nominations-{session.reference}",
        exports.NOMINATION_HEADER,
        rows,
        fmt,
        description=f"nominations of {session.reference}",
    )
