"""Pages of the shared kernel: home, sign-in, sources, record history, users,
the audit trail and API tokens."""

from __future__ import annotations

from django.apps import apps
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from . import selectors, services
from .access import STAFF_ROLES, Marking, Role, get_visible, require_role
from .forms import LoginForm, TokenCreateForm, UserCreateForm, UserRoleForm
from .listing import Filter, ListPage
from .models import ApiToken, AuditEntry, Source, User


def home(request):
    """The initiative at a glance. The home page composes what each app offers
    (every part reads through the access model for the signed-in user)."""
    from icihub.dialogue.selectors import latest_events
    from icihub.partners.selectors import initiative_at_a_glance
    from icihub.programmes.selectors import home_panel

    context = initiative_at_a_glance(request.user)
    context["latest_events"] = latest_events(request.user, limit=5)
    context.update(home_panel(request.user))
    return render(request, "core/home.html", context)


class LoginView(auth_views.LoginView):
    template_name = "core/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    template_name = "core/logged_out.html"


# -- sources -----------------------------------------------------------------------

SOURCE_LIST = ListPage(
    template="core/source_list.html",
    results_template="core/_source_results.html",
    search_fields=["title", "publisher", "text", "key"],
    filters=[
        Filter("kind", gettext_lazy("Kind"), "kind", Source.Kind.choices),
        Filter("marking", gettext_lazy("Marking"), "marking", Marking.choices),
    ],
)


def source_list(request):
    return SOURCE_LIST.render(request, Source.objects.visible_to(request.user))


def source_detail(request, key):
    source = get_visible(Source, request.user, key=key)
    rows = selectors.cited_subjects(source, request.user)
    return render(request, "core/source_detail.html", {"source": source, "rows": rows})


# -- history -------------------------------------------------------------------------


def history(request, label, pk):
    """The audit trail of one record, for whoever may see the record."""
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        raise Http404(_("Not found."))
    if not hasattr(model, "access_policy"):
        raise Http404(_("Not found."))
    obj = get_visible(model, request.user, pk=pk)
    entries = (
        AuditEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(model), object_id=str(obj.pk)
        )
        .select_related("actor")
        .order_by("-timestamp", "-id")[:500]
    )
    template = "core/_history.html" if getattr(request, "htmx", False) else "core/history.html"
    return render(request, template, {"object": obj, "entries": entries, "model_label": label})


# -- users (staff) -------------------------------------------------------------------

USER_LIST = ListPage(
    template="core/user_list.html",
    results_template="core/_user_results.html",
    search_fields=["username", "first_name", "last_name", "email"],
    filters=[
        Filter("role", gettext_lazy("Role"), "role", Role.choices),
        Filter(
            "active",
            gettext_lazy("Active"),
            "is_active",
            [("1", gettext_lazy("yes")), ("0", gettext_lazy("no"))],
        ),
    ],
)


@login_required
def user_list(request):
    require_role(request.user, *STAFF_ROLES)
    return USER_LIST.render(
        request, User.objects.visible_to(request.user).select_related("country")
    )


@login_required
def user_create(request):
    require_role(request.user, *STAFF_ROLES)
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.create_user(
                request.user,
                username=data["username"],
                role=data["role"],
                email=data["email"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                country=data["country"],
                password=data["password"] or None,
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error("role", str(exc))
        else:
            messages.success(request, _("Account “%(name)s” created.") % {"name": user.username})
            return redirect("core:user_detail", pk=user.pk)
    return render(request, "core/user_form.html", {"form": form})


@login_required
def user_detail(request, pk):
    user = get_visible(User.objects.select_related("country"), request.user, pk=pk)
    form = None
    if request.user.is_staff_role:
        form = UserRoleForm(
            request.POST or None,
            initial={
                "role": user.role,
                "country": user.country.iso3 if user.country else None,
                "is_active": user.is_active,
            },
        )
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                services.change_role(
                    request.user,
                    user,
                    role=data["role"],
                    country=data["country"],
                    reason=data["reason"],
                )
                if data["is_active"] != user.is_active:
                    services.set_active(
                        request.user, user, data["is_active"], reason=data["reason"]
                    )
            except ValidationError as exc:
                _form_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Account updated."))
                return redirect("core:user_detail", pk=user.pk)
    elif request.method == "POST":
        raise PermissionDenied
    return render(request, "core/user_detail.html", {"account": user, "form": form})


def _form_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


# -- audit trail (staff) ---------------------------------------------------------------

AUDIT_LIST = ListPage(
    template="core/audit_list.html",
    results_template="core/_audit_results.html",
    search_fields=["actor_label", "object_repr", "message", "reason"],
    filters=[
        Filter("action", gettext_lazy("Action"), "action", lambda r: [(a, a) for a in _actions()]),
        Filter(
            "via",
            gettext_lazy("Channel"),
            "via",
            [(v, v) for v in ("ui", "api", "admin", "cli", "system")],
        ),
        Filter("user", gettext_lazy("User name"), "actor_label__iexact", input="text"),
        Filter("object_type", gettext_lazy("Record type"), "content_type__model", input="text"),
        Filter("object_id", gettext_lazy("Record id"), "object_id", input="text"),
        Filter("from", gettext_lazy("From"), "timestamp__date__gte", input="date"),
        Filter("to", gettext_lazy("To"), "timestamp__date__lte", input="date"),
    ],
    per_page=50,
)


def _actions():
    from .audit import Action

    return Action.values


@login_required
def audit_list(request):
    require_role(request.user, *STAFF_ROLES)
    qs = AuditEntry.objects.visible_to(request.user).select_related("actor", "content_type")
    return AUDIT_LIST.render(request, qs)


# -- API tokens (own) ---------------------------------------------------------------------


@login_required
def token_list(request):
    tokens = ApiToken.objects.visible_to(request.user).filter(user=request.user)
    form = TokenCreateForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        try:
            _row, new_token = services.create_token(
                request.user,
                request.user,
                name=form.cleaned_data["name"],
                days=form.cleaned_data["days"],
            )
        except ValidationError as exc:
            _form_errors(form, exc)
    return render(
        request, "core/token_list.html", {"tokens": tokens, "form": form, "new_token": new_token}
    )


@login_required
@require_POST
def token_revoke(request, pk):
    token = get_visible(ApiToken, request.user, pk=pk)
    services.revoke_token(request.user, token)
    messages.success(request, _("Token revoked."))
    return redirect("core:token_list")
