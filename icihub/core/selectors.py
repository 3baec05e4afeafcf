"""Reads of the shared kernel (used by the pages and the API)."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType

from .models import Source


def sources(user):
    """The sources ``user`` may see."""
    return Source.objects.visible_to(user)


def cited_subjects(source: Source, user) -> list[dict]:
    """The citations of ``source`` with the records they are about, keeping only
    citations and records ``user`` may see: ``[{"citation", "subject"}]``.
    One query for the citations and one per kind of cited record."""
    citations = (
        source.citations.visible_to(user)
        .select_related("content_type")
        .order_by("content_type_id", "object_id", "attribute", "id")
    )
    by_type: dict[int, list] = {}
    for citation in citations:
        by_type.setdefault(citation.content_type_id, []).append(citation)
    rows = []
    for type_id, group in by_type.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        if model is None or not hasattr(model, "access_policy"):
            continue
        # the records' names often use their foreign keys (a partnership is
        # "Kuwait – ICI (member)"): fetch those in the same query
        related = [f.name for f in model._meta.concrete_fields if f.many_to_one]
        visible = (
            model._default_manager.visible_to(user)
            .select_related(*related)
            .in_bulk([c.object_id for c in group])
        )
        for citation in group:
            subject = visible.get(citation.object_id)
            if subject is not None:
                citation.source = source  # already known: no query per row
                rows.append({"citation": citation, "subject": subject})
    return rows
