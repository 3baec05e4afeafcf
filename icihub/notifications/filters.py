"""The filter of the notification list, declared once for the API list
endpoint (``Query[...]``) and the page (``ListPage(filterset=...)``): see
``core.listing.ModelFilters``."""

from __future__ import annotations

from typing import Annotated

from ninja import FilterLookup
from pydantic import Field

from icihub.core.listing import ModelFilters


class NotificationFilters(ModelFilters):
    unread: Annotated[bool | None, FilterLookup("read_at__isnull")] = Field(
        None, description="true: unread only; false: read only"
    )
