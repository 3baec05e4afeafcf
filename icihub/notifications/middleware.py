"""Remembers the language of a signed-in user's requests: the language of
their e-mails until they choose one (:func:`.services.language_for`)."""

from __future__ import annotations

from django.utils.translation import get_language

from .services import remember_language

SESSION_KEY = "notifications_language"


class RememberLanguageMiddleware:
    """After ``LocaleMiddleware`` and ``AuthenticationMiddleware``. Writes only
    when the language differs from the one this session last recorded."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        session = getattr(request, "session", None)
        if session is not None and user is not None and user.is_authenticated:
            language = getattr(request, "LANGUAGE_CODE", None) or get_language()
            if session.get(SESSION_KEY) != language:
                remember_language(user, language)
                session[SESSION_KEY] = language
        return response
