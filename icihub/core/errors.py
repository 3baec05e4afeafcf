"""Domain exceptions raised by services and mapped to answers by the API,
the views and the CLI. (Validation failures use Django's ValidationError;
"not visible" is Http404; "visible but not yours to change" is PermissionDenied.)"""


class Conflict(Exception):
    """The request contradicts the current state (HTTP 409): a duplicate, a
    seat that is no longer free, a record that moved on in its lifecycle."""

    def __init__(self, message: str, errors: list[dict] | None = None):
        super().__init__(message)
        self.errors = errors or []
