"""icihub user: manage accounts and roles from the command line.

    icihub user create USERNAME --role ROLE [--country KWT] [--email E]
                       [--first-name F] [--last-name L] [--password-stdin]
    icihub user list [--role ROLE] [--country KWT] [--inactive]
    icihub user set-role USERNAME --role ROLE [--country KWT] [--reason R]
    icihub user deactivate USERNAME [--reason R]
    icihub user activate USERNAME [--reason R]
    icihub user set-password USERNAME --password-stdin
    icihub user unlock USERNAME [--reason R]       lift a sign-in lockout
    icihub user sign-out USERNAME [--revoke-tokens] [--reason R]
                                                   end every session of the account
    icihub user reset-2fa USERNAME [--reason R]    remove the authenticator (lost phone)
    icihub user otp-code USERNAME                  the code the account's authenticator
                                                   shows now (server operators only:
                                                   demo accounts, support)

Every write goes through ``icihub.core.services`` (validation, one transaction,
audit with channel "cli"); bad input exits non-zero and writes nothing."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from icihub.core import services
from icihub.core.access import SYSTEM

from ._common import (
    command_errors,
    country_by_code,
    read_password,
    role_choices,
    user_by_name,
    write_table,
)


class Command(BaseCommand):
    help = "Create, list and change user accounts and roles."
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
        roles = ", ".join(role_choices())

        create = sub.add_parser("create", help="Create an account.")
        create.add_argument("username")
        create.add_argument("--role", required=True, help=f"One of: {roles}.")
        create.add_argument("--country", help="ISO 3166 code; required for a coordinator.")
        create.add_argument("--email", default="")
        create.add_argument("--first-name", dest="first_name", default="")
        create.add_argument("--last-name", dest="last_name", default="")
        create.add_argument(
            "--password-stdin",
            dest="password_stdin",
            action="store_true",
            help="Read the password from the first line of standard input "
            "(without it the account cannot sign in until a password is set).",
        )

        listing = sub.add_parser("list", help="List accounts.")
        listing.add_argument("--role", help=f"One of: {roles}.")
        listing.add_argument("--country", help="ISO 3166 code.")
        listing.add_argument("--inactive", action="store_true", help="Only deactivated accounts.")

        set_role = sub.add_parser(
            "set-role", aliases=["set_role"], help="Change an account's role."
        )
        set_role.add_argument("username")
        set_role.add_argument("--role", required=True, help=f"One of: {roles}.")
        set_role.add_argument("--country", help="ISO 3166 code; required for a coordinator.")
        set_role.add_argument("--reason", default="")

        for name, text in (("deactivate", "Deactivate"), ("activate", "Reactivate")):
            p = sub.add_parser(name, help=f"{text} an account.")
            p.add_argument("username")
            p.add_argument("--reason", default="")

        set_password = sub.add_parser(
            "set-password", aliases=["set_password"], help="Set an account's password."
        )
        set_password.add_argument("username")
        set_password.add_argument(
            "--password-stdin", dest="password_stdin", action="store_true", required=True
        )

        unlock = sub.add_parser("unlock", help="Lift the sign-in lockout of an account.")
        unlock.add_argument("username")
        unlock.add_argument("--reason", default="")

        sign_out = sub.add_parser(
            "sign-out", aliases=["sign_out"], help="End every session of an account."
        )
        sign_out.add_argument("username")
        sign_out.add_argument(
            "--revoke-tokens",
            dest="revoke_tokens",
            action="store_true",
            help="Revoke its API tokens too.",
        )
        sign_out.add_argument("--reason", default="")

        reset = sub.add_parser(
            "reset-2fa",
            aliases=["reset_2fa"],
            help="Remove an account's authenticator and recovery codes (it enrols again).",
        )
        reset.add_argument("username")
        reset.add_argument("--reason", default="")

        otp = sub.add_parser(
            "otp-code",
            aliases=["otp_code"],
            help="Print the current code of an account's authenticator (operators only).",
        )
        otp.add_argument("username")

    def handle(self, *args, **options):
        action = options["action"].replace("_", "-")
        handler = {
            "create": self.create,
            "list": self.list,
            "set-role": self.set_role,
            "deactivate": self.deactivate,
            "activate": self.activate,
            "set-password": self.set_password,
            "unlock": self.unlock,
            "sign-out": self.sign_out,
            "reset-2fa": self.reset_2fa,
            "otp-code": self.otp_code,
        }[action]
        handler(options)

    # -- actions ---------------------------------------------------------------------

    def _role(self, role: str) -> str:
        if role not in role_choices():
            raise CommandError(
                _("Unknown role “%(role)s”: choose one of %(roles)s.")
                % {"role": role, "roles": ", ".join(role_choices())}
            )
        return role

    def create(self, options):
        role = self._role(options["role"])
        country = country_by_code(options.get("country"))
        password = read_password(options) if options["password_stdin"] else None
        with command_errors():
            user = services.create_user(
                SYSTEM,
                username=options["username"],
                role=role,
                country=country,
                email=options["email"],
                first_name=options["first_name"],
                last_name=options["last_name"],
                password=password,
            )
        where = f" for {user.country.iso3}" if user.country else ""
        self.stdout.write(
            self.style.SUCCESS(f"Created {user.username} ({user.role_label}{where}).")
        )
        if password is None:
            self.stdout.write("No password set: use `icihub user set-password` before signing in.")

    def list(self, options):
        from icihub.core.models import User

        qs = User.objects.select_related("country").order_by("username")
        if options.get("role"):
            qs = qs.filter(role=self._role(options["role"]))
        if options.get("country"):
            qs = qs.filter(country=country_by_code(options["country"]))
        if options.get("inactive"):
            qs = qs.filter(is_active=False)
        rows = [
            (
                u.username,
                u.role,
                u.country.iso3 if u.country else "",
                "yes" if u.is_active else "no",
                u.get_full_name(),
                u.email,
            )
            for u in qs
        ]
        header = ("USERNAME", "ROLE", "COUNTRY", "ACTIVE", "NAME", "E-MAIL")
        write_table(self.stdout, header, rows)
        self.stdout.write(f"{len(rows)} account(s)")

    def set_role(self, options):
        user = user_by_name(options["username"])
        role = self._role(options["role"])
        country = country_by_code(options.get("country"))
        with command_errors():
            services.change_role(SYSTEM, user, role=role, country=country, reason=options["reason"])
        where = f" for {user.country.iso3}" if user.country else ""
        self.stdout.write(self.style.SUCCESS(f"{user.username} is now {user.role_label}{where}."))

    def _set_active(self, options, active: bool):
        user = user_by_name(options["username"])
        with command_errors():
            services.set_active(SYSTEM, user, active, reason=options["reason"])
        state = "active" if active else "deactivated"
        self.stdout.write(self.style.SUCCESS(f"{user.username} is {state}."))

    def deactivate(self, options):
        self._set_active(options, False)

    def activate(self, options):
        self._set_active(options, True)

    def set_password(self, options):
        user = user_by_name(options["username"])
        password = read_password(options)
        with command_errors():
            services.set_password(SYSTEM, user, password)
        self.stdout.write(self.style.SUCCESS(f"Password of {user.username} set."))

    def unlock(self, options):
        from icihub.core import security

        user = user_by_name(options["username"])
        removed = security.unlock(SYSTEM, username=user.username, reason=options["reason"])
        self.stdout.write(
            self.style.SUCCESS(f"Sign-in of {user.username} unlocked ({removed} failures cleared).")
        )

    def sign_out(self, options):
        from icihub.core import security

        user = user_by_name(options["username"])
        revoked = security.end_sessions(
            SYSTEM, user, revoke_tokens=options["revoke_tokens"], reason=options["reason"]
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Every session of {user.username} ended ({revoked} API tokens revoked)."
            )
        )

    def reset_2fa(self, options):
        from icihub.core import security

        user = user_by_name(options["username"])
        if not security.remove_2fa(SYSTEM, user, reason=options["reason"]):
            self.stdout.write(f"{user.username} had no authenticator; sessions ended anyway.")
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Authenticator of {user.username} removed; it enrols again at its next sign-in."
            )
        )

    def otp_code(self, options):
        from icihub.core import audit, security

        user = user_by_name(options["username"])
        try:
            code = security.current_code(user)
        except LookupError:
            raise CommandError(_("%(name)s has no authenticator.") % {"name": user.username})
        audit.log_event(
            audit.Action.TWO_FACTOR,
            user,
            message="current code read on the server (icihub user otp-code)",
            data={"event": "code_read"},
        )
        self.stdout.write(code)
