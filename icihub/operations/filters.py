"""The filter of the worker's runs, declared once for the API list endpoint
(``Query[...]``) and the overview page: see ``core.listing.ModelFilters``."""

from __future__ import annotations

from django.db.models import Q
from pydantic import Field

from icihub.core.listing import ModelFilters


class RunFilters(ModelFilters):
    job: str = Field("", max_length=63, description="Only the runs of this job")

    def filter_job(self, value):
        return Q(job=value) if value else Q()
