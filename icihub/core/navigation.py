"""Navigation by module. Each entry names a URL; an entry whose URL does not
exist (yet) is skipped, and an entry is shown only to the roles it lists. The
pages themselves still enforce access: hiding a link is a courtesy, not a rule."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import NoReverseMatch, reverse
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from .access import ALL_ROLES, STAFF_ROLES, Role, role_of

EVERYONE = "everyone"  # anonymous visitors included
SIGNED_IN = ALL_ROLES


@dataclass
class Item:
    label: str
    url_name: str
    roles: object = EVERYONE
    badge: str = ""  # dotted path of a callable(user) -> int shown beside the entry

    def shown_to(self, role) -> bool:
        if self.roles == EVERYONE:
            return True
        return role is not None and role in self.roles


@dataclass
class Module:
    key: str
    label: str
    items: list[Item] = field(default_factory=list)


MODULES = [
    Module(
        "partners",
        _("Partners"),
        [
            Item(_("Countries"), "partners:country_list"),
            Item(_("Frameworks"), "partners:framework_list"),
            Item(_("Partnerships"), "partners:partnership_list"),
            Item(_("Organisations"), "partners:organisation_list"),
            Item(_("People"), "partners:person_list"),
            Item(_("Sources"), "core:source_list"),
        ],
    ),
    Module(
        "menu",
        _("Menu"),
        [
            Item(_("Cooperation menu"), "menu:activity_list"),
            Item(_("Areas of cooperation"), "menu:area_list"),
        ],
    ),
    Module(
        "programmes",
        _("Programmes"),
        [
            Item(
                _("Individual programmes"),
                "programmes:programme_list",
                SIGNED_IN,
                badge="icihub.programmes.selectors.programme_queue_count",
            ),
            Item(
                _("Requests"),
                "programmes:request_list",
                SIGNED_IN,
                badge="icihub.programmes.selectors.unanswered_count",
            ),
        ],
    ),
    Module(
        "training",
        _("Training"),
        [
            Item(_("Course catalogue"), "training:course_list"),
            Item(_("Sessions"), "training:session_list"),
            Item(
                _("Nominations"),
                "training:nomination_list",
                STAFF_ROLES | {Role.COORDINATOR},
                badge="icihub.training.selectors.nominations_to_decide_count",
            ),
            Item(_("Calendar"), "training:calendar"),
            Item(_("Gulf calendar"), "gulf:index"),
            Item(_("Year planner"), "planning:plan_list", STAFF_ROLES | {Role.COORDINATOR}),
            Item(_("My planned sessions"), "planning:my_plan", frozenset({Role.INSTRUCTOR})),
            Item(_("My training"), "training:my_training", frozenset({Role.PARTICIPANT})),
            Item(_("My sessions"), "training:my_sessions", frozenset({Role.INSTRUCTOR})),
            Item(
                _("Participants"),
                "training:participant_list",
                STAFF_ROLES | {Role.COORDINATOR},
            ),
            Item(_("Instructors"), "training:instructor_list", STAFF_ROLES),
            Item(
                _("Certificates"),
                "training:certificate_list",
                STAFF_ROLES,
                badge="icihub.training.selectors.certificates_to_issue_count",
            ),
            Item(_("Check a certificate"), "verify_form"),
        ],
    ),
    Module(
        "dialogue",
        _("Dialogue"),
        [
            Item(_("Dialogue register"), "dialogue:event_list"),
            Item(
                _("Follow-up actions"),
                "dialogue:action_list",
                STAFF_ROLES,
                badge="icihub.dialogue.selectors.actions_due_count",
            ),
            Item(_("Timeline"), "dialogue:timeline"),
        ],
    ),
    Module(
        "reports",
        _("Figures"),
        [
            Item(_("Dashboard"), "reports:dashboard", SIGNED_IN),
            Item(_("Annual report"), "reports:annual", SIGNED_IN),
            Item(_("Public statistics"), "reports:public"),
        ],
    ),
    Module(
        "admin",
        _("Administration"),
        [
            Item(_("Users"), "core:user_list", STAFF_ROLES),
            Item(_("Audit trail"), "core:audit_list", STAFF_ROLES),
            Item(_("Background work"), "operations:overview", STAFF_ROLES),
            Item(_("API tokens"), "core:token_list", SIGNED_IN),
            Item(_("API documentation"), "api:openapi-view"),
            Item(_("Django admin"), "admin:index", frozenset({Role.ADMIN})),
        ],
    ),
]


_url_cache: dict[str, str | None] = {}


def _url(name: str) -> str | None:
    if name not in _url_cache:
        try:
            _url_cache[name] = reverse(name)
        except NoReverseMatch:
            _url_cache[name] = None
    return _url_cache[name]


def modules_for(user) -> list[dict]:
    role = role_of(user)
    result = []
    for module in MODULES:
        items = [
            {"label": item.label, "url": url, "badge": _badge(item, user)}
            for item in module.items
            if item.shown_to(role) and (url := _url(item.url_name))
        ]
        if items:
            badge = sum(i["badge"] or 0 for i in items)
            result.append(
                {"key": module.key, "label": module.label, "items": items, "badge": badge}
            )
    return result


def _badge(item: Item, user) -> int | None:
    if not item.badge or role_of(user) is None:
        return None
    return badge_count(user, item.badge) or None


def badge_count(user, path: str) -> int:
    """The count of the callable ``path`` (``(user) -> int``) for ``user``,
    computed once per request: kept on the user object, which the
    authentication middleware loads afresh for each request, so that the
    navigation and the home page's queues share one COUNT per queue."""
    cache = getattr(user, "_icihub_badges", None)
    if cache is None:
        cache = {}
        user._icihub_badges = cache
    if path not in cache:
        cache[path] = import_string(path)(user)
    return cache[path]
