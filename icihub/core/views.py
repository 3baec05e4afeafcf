"""Pages of the shared kernel: sign-in, sources, record history, users,
the audit trail and API tokens."""

from __future__ import annotations

import time

from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse, reverse_lazy
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from . import security, selectors, services
from .access import STAFF_ROLES, Marking, Role, get_visible, require_role
from .filters import AuditFilters, SourceFilters, UserFilters
from .forms import (
    LOCKED_MESSAGE,
    WRONG_CODE_MESSAGE,
    CodeForm,
    EndSessionsForm,
    EnrolForm,
    LoginForm,
    TokenCreateForm,
    UserCreateForm,
    UserRoleForm,
    add_service_errors,
)
from .listing import Filter, ListPage
from .middleware import client_ip
from .models import ApiToken, AuditEntry, Source, User
from .viewkit import safe_next


class LoginView(auth_views.LoginView):
    """The password step. An account with an authenticator is not signed in
    yet: it goes on to the code step (:func:`two_factor_verify`)."""

    template_name = "core/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        next_url = self.get_success_url()
        if security.has_2fa(user):
            self.request.session.cycle_key()
            self.request.session[security.SESSION_PENDING] = {
                "user": user.pk,
                "backend": getattr(user, "backend", ""),
                "at": time.time(),
                "next": next_url,
            }
            return redirect(reverse("core:two_factor_verify"))
        auth_login(self.request, user)
        security.clear_failures(user.get_username())
        if security.requires_2fa(user):
            return redirect(reverse("core:two_factor_setup") + "?" + urlencode({"next": next_url}))
        return redirect(next_url)


class LogoutView(auth_views.LogoutView):
    template_name = "core/logged_out.html"


def _safe_next(request, url: str | None) -> str:
    return safe_next(request, resolve_url(settings.LOGIN_REDIRECT_URL), url)


def two_factor_verify(request):
    """The second step of signing in (a code after the password), or, for a
    signed-in session that has not passed it yet, the step-up before anything
    else. A wrong code counts as a failed sign-in (lockout)."""
    pending = request.session.get(security.SESSION_PENDING)
    user = None
    if request.user.is_authenticated:
        if security.is_verified(request) or not security.has_2fa(request.user):
            return redirect(_safe_next(request, request.GET.get("next")))
        user = request.user
        next_url = request.GET.get("next") or request.POST.get("next")
    elif pending and time.time() - pending.get("at", 0) <= security.PENDING_SECONDS:
        user = User.objects.filter(pk=pending.get("user"), is_active=True).first()
        next_url = pending.get("next")
    if user is None:
        request.session.pop(security.SESSION_PENDING, None)
        messages.info(request, _("Sign in again."))
        return redirect("core:login")
    ip = client_ip(request)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if security.is_locked(user.get_username(), ip):
            form.add_error(None, LOCKED_MESSAGE)
        else:
            method = security.verify_second_factor(user, form.cleaned_data["code"], ip=ip)
            if method:
                if not request.user.is_authenticated:
                    request.session.pop(security.SESSION_PENDING, None)
                    user.backend = pending.get("backend") or settings.AUTHENTICATION_BACKENDS[0]
                    auth_login(request, user)
                else:
                    request.session.cycle_key()
                security.mark_verified(request)
                security.clear_failures(user.get_username())
                if method == "recovery":
                    messages.warning(
                        request,
                        _(
                            "You signed in with a recovery code; it cannot be used again. "
                            "Create new codes on your security page when few are left."
                        ),
                    )
                return redirect(_safe_next(request, next_url))
            if security.record_failure(user.get_username(), ip, stage="2fa"):
                request.session.pop(security.SESSION_PENDING, None)
                form.add_error(None, LOCKED_MESSAGE)
            else:
                form.add_error("code", WRONG_CODE_MESSAGE)
    return render(request, "core/two_factor_verify.html", {"form": form, "account": user})


@login_required
def two_factor_setup(request):
    """Enrol an authenticator app: scan the QR code (or type the key), confirm
    with a code, keep the recovery codes shown once."""
    user = request.user
    if security.has_2fa(user):
        if not security.is_verified(request):
            return redirect(
                reverse("core:two_factor_verify")
                + "?"
                + urlencode({"next": request.GET.get("next", "")})
            )
        messages.info(request, _("Two-factor authentication is already set up."))
        return redirect("core:account_security")
    device = security.pending_device(user)
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = security.confirm_device(user, form.cleaned_data["code"], ip=client_ip(request))
        if codes is not None:
            request.session.cycle_key()
            security.mark_verified(request)
            return render(
                request,
                "core/recovery_codes.html",
                {"codes": codes, "next": _safe_next(request, request.GET.get("next"))},
            )
        form.add_error("code", _("This code is not right: check the time on your phone."))
    uri = security.provisioning_uri(device)
    return render(
        request,
        "core/two_factor_setup.html",
        {
            "form": form,
            "secret": device.secret,
            "uri": uri,
            "qr": mark_safe(security.qr_svg(uri)),  # noqa: S308 - SVG made by segno here
            "required": security.requires_2fa(user),
        },
    )


@login_required
def account_security(request):
    """The signed-in user's own security page: two-factor status, recovery
    codes, sign out everywhere, password."""
    user = request.user
    end_form = EndSessionsForm()
    code_form = CodeForm()
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "end_sessions":
            end_form = EndSessionsForm(request.POST)
            if end_form.is_valid():
                revoked = security.end_sessions(
                    user, user, revoke_tokens=end_form.cleaned_data["revoke_tokens"]
                )
                auth_logout(request)
                messages.success(
                    request,
                    ngettext(
                        "Every session of your account has ended (%(n)d API token revoked).",
                        "Every session of your account has ended (%(n)d API tokens revoked).",
                        revoked,
                    )
                    % {"n": revoked},
                )
                return redirect("core:login")
        elif action in ("recovery_codes", "disable_2fa"):
            code_form = CodeForm(request.POST)
            if code_form.is_valid():
                ip = client_ip(request)
                if security.verify_second_factor(user, code_form.cleaned_data["code"], ip=ip):
                    if action == "recovery_codes":
                        codes = security.new_recovery_codes(user)
                        return render(
                            request,
                            "core/recovery_codes.html",
                            {"codes": codes, "next": reverse("core:account_security")},
                        )
                    security.remove_2fa(user, user)  # refused when the role requires it
                    auth_logout(request)
                    messages.success(request, _("Two-factor authentication is off. Sign in again."))
                    return redirect("core:login")
                if security.record_failure(user.get_username(), ip, stage="2fa"):
                    auth_logout(request)
                    messages.error(request, LOCKED_MESSAGE)
                    return redirect("core:login")
                code_form.add_error("code", WRONG_CODE_MESSAGE)
    return render(
        request,
        "core/account_security.html",
        {
            "device": security.confirmed_device(user),
            "required": security.requires_2fa(user),
            "recovery_left": security.recovery_codes_left(user),
            "end_form": end_form,
            "code_form": code_form,
            "tokens": ApiToken.objects.filter(user=user, revoked_at__isnull=True).count(),
        },
    )


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "core/password_change.html"
    success_url = reverse_lazy("core:account_security")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("Your password has been changed."))
        return response


class PasswordResetView(auth_views.PasswordResetView):
    """Always the same answer, after at least ``ICIHUB_PASSWORD_RESET_SECONDS``
    (sending the e-mail or not takes no visible time): the page reveals
    nothing about whether an account has the address."""

    template_name = "core/password_reset.html"
    email_template_name = "core/password_reset_email.txt"
    subject_template_name = "core/password_reset_subject.txt"
    success_url = reverse_lazy("core:password_reset_done")

    def post(self, request, *args, **kwargs):
        started = time.monotonic()
        response = super().post(request, *args, **kwargs)
        floor = settings.ICIHUB_PASSWORD_RESET_SECONDS
        left = floor - (time.monotonic() - started)
        if left > 0:
            time.sleep(left)
        return response

    def form_valid(self, form):
        from . import audit

        email = form.cleaned_data["email"]
        audit.log_event(
            audit.Action.EVENT,
            None,
            message="password reset requested",
            data={"email_domain": email.rpartition("@")[2][:100]},
            ip=client_ip(self.request),
        )
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "core/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "core/password_reset_confirm.html"
    success_url = reverse_lazy("core:password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        security.clear_failures(form.user.get_username())
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "core/password_reset_complete.html"


# -- sources -----------------------------------------------------------------------

SOURCE_LIST = ListPage(
    template="core/source_list.html",
    results_template="core/_source_results.html",
    filterset=SourceFilters,
    filters=[
        Filter("kind", gettext_lazy("Kind"), choices=Source.Kind.choices),
        Filter("marking", gettext_lazy("Marking"), choices=Marking.choices),
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
    filterset=UserFilters,
    filters=[
        Filter("role", gettext_lazy("Role"), choices=Role.choices),
        Filter(
            "active",
            gettext_lazy("Active"),
            choices=[("1", gettext_lazy("yes")), ("0", gettext_lazy("no"))],
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
            add_service_errors(form, exc)
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
                add_service_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Account updated."))
                return redirect("core:user_detail", pk=user.pk)
    elif request.method == "POST":
        raise PermissionDenied
    context = {"account": user, "form": form}
    if request.user.is_staff_role:
        context.update(
            locked_until=security.locked_until(user.get_username()),
            has_2fa=security.has_2fa(user),
            requires_2fa=security.requires_2fa(user),
        )
    return render(request, "core/user_detail.html", context)


@login_required
@require_POST
def user_security(request, pk):
    """Staff actions on another account's sign-in: unlock, end its sessions,
    reset its two-factor authentication (lost phone). Audited."""
    require_role(request.user, *STAFF_ROLES)
    account = get_visible(User, request.user, pk=pk)
    action = request.POST.get("action")
    reason = request.POST.get("reason", "")[:500]
    if action == "unlock":
        security.unlock(request.user, username=account.get_username(), reason=reason)
        messages.success(request, _("Sign-in unlocked."))
    elif action == "end_sessions":
        security.end_sessions(
            request.user,
            account,
            revoke_tokens=bool(request.POST.get("revoke_tokens")),
            reason=reason,
        )
        messages.success(request, _("Every session of this account has ended."))
    elif action == "reset_2fa":
        if account.pk == request.user.pk:
            raise PermissionDenied(_("Use your own security page."))
        security.remove_2fa(request.user, account, reason=reason)
        messages.success(
            request, _("Two-factor authentication removed: the account enrols again at sign-in.")
        )
    else:
        raise Http404(_("Not found."))
    return redirect("core:user_detail", pk=account.pk)


# -- audit trail (staff) ---------------------------------------------------------------

AUDIT_LIST = ListPage(
    template="core/audit_list.html",
    results_template="core/_audit_results.html",
    search_fields=["actor_label", "object_repr", "message", "reason"],
    filterset=AuditFilters,
    filters=[
        Filter("action", gettext_lazy("Action"), choices=lambda r: [(a, a) for a in _actions()]),
        Filter(
            "via",
            gettext_lazy("Channel"),
            choices=[(v, v) for v in ("ui", "api", "admin", "cli", "system")],
        ),
        Filter("user", gettext_lazy("User name"), input="text"),
        Filter("object_type", gettext_lazy("Record type"), input="text"),
        Filter("object_id", gettext_lazy("Record id"), input="text"),
        Filter("from", gettext_lazy("From"), schema_field="date_from", input="date"),
        Filter("to", gettext_lazy("To"), schema_field="date_to", input="date"),
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
            add_service_errors(form, exc)
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
