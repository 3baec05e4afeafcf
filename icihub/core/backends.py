"""The sign-in backend: Django's ``ModelBackend``, but the signed-in user of a
session is read by a query compiled once (:mod:`icihub.core.precompiled`),
since every page a signed-in user opens reads it."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend

from .precompiled import Precompiled

#: The user of a session, as ``ModelBackend.get_user`` reads it (by primary key).
USER_BY_ID = Precompiled(
    lambda pk: get_user_model()._default_manager.filter(pk=pk).order_by(), integer=True
)


class ModelBackend(DjangoModelBackend):
    def get_user(self, user_id):
        user = USER_BY_ID.first(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
