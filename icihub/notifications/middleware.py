"""Remembers the language of a signed-in user's requests: the language of
their e-mails until they choose one (:func:`.services.language_for`)."""

from __future__ import annotations

from django.contrib.auth import SESSION_KEY as SIGNED_IN
from django.utils.translation import get_language

from .services import remember_language

SESSION_KEY = "notifications_language"


class RememberLanguageMiddleware:
    """After ``LocaleMiddleware`` and ``AuthenticationMiddleware``. Writes only
    when the language differs from the one this session last recorded, and only
    for a user signed in through the session (the pages): an API call with a
    token has no session to keep, and must not create one."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        session = getattr(request, "session", None)
        if (
            session is not None
            and SIGNED_IN in session
            and user is not None
            and user.is_authenticated
        ):
            language = getattr(request, "LANGUAGE_CODE", None) or get_language()
            if session.get(SESSION_KEY) != language:
                remember_language(user, language)
                session[SESSION_KEY] = language
        return response
