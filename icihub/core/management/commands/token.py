"""icihub token: API bearer tokens.

    icihub token create USERNAME [--days N] [--name NAME]   prints the token once
    icihub token list [USERNAME]
    icihub token revoke PREFIX

Only the token's SHA-256 hash is stored; the raw token is printed once."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from icihub.core import services
from icihub.core.access import SYSTEM

from ._common import command_errors, user_by_name, write_table


class Command(BaseCommand):
    help = "Create, list and revoke API bearer tokens."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
        create = sub.add_parser("create", help="Issue a token and print it once.")
        create.add_argument("username")
        create.add_argument("--days", type=int, default=None, help="Lifetime (1-366 days).")
        create.add_argument("--name", default="", help="A label to recognise the token by.")

        listing = sub.add_parser("list", help="List tokens (of one user, or all).")
        listing.add_argument("username", nargs="?")

        revoke = sub.add_parser("revoke", help="Revoke a token by its prefix (or the token).")
        revoke.add_argument("prefix")

    def handle(self, *args, **options):
        getattr(self, options["action"])(options)

    def create(self, options):
        user = user_by_name(options["username"])
        with command_errors():
            token, raw = services.create_token(
                SYSTEM, user, name=options["name"], days=options["days"]
            )
        self.stderr.write(
            f"Token for {user.username}, valid until {timezone.localtime(token.expires_at):%Y-%m-%d %H:%M %Z} "
            "(shown once; only its hash is stored):"
        )
        self.stdout.write(raw)

    def list(self, options):
        from icihub.core.models import ApiToken

        qs = ApiToken.objects.select_related("user").order_by("user__username", "-created_at")
        if options.get("username"):
            qs = qs.filter(user=user_by_name(options["username"]))
        now = timezone.now()
        header = ("PREFIX", "USER", "NAME", "CREATED", "EXPIRES", "STATE", "LAST USED")
        rows = []
        for t in qs:
            if t.revoked_at:
                state = "revoked"
            elif t.expires_at <= now:
                state = "expired"
            else:
                state = "valid"
            rows.append(
                (
                    t.prefix,
                    t.user.username,
                    t.name,
                    f"{t.created_at:%Y-%m-%d}",
                    f"{t.expires_at:%Y-%m-%d}",
                    state,
                    f"{t.last_used_at:%Y-%m-%d %H:%M}" if t.last_used_at else "",
                )
            )
        write_table(self.stdout, header, rows)
        self.stdout.write(f"{len(rows)} token(s)")

    def revoke(self, options):
        from icihub.core.models import ApiToken, hash_token

        given = options["prefix"].strip()
        if len(given) < 8:
            raise CommandError(_("Give at least 8 characters of the token's prefix."))
        qs = ApiToken.objects.select_related("user").filter(prefix__startswith=given[:12])
        if len(given) > 12:
            qs = qs.filter(key_hash=hash_token(given))
        tokens = list(qs[:2])
        if not tokens:
            raise CommandError(_("No token with prefix “%(prefix)s”.") % {"prefix": given[:12]})
        if len(tokens) > 1:
            raise CommandError(
                _("Several tokens start with “%(prefix)s”: give more of it.") % {"prefix": given}
            )
        token = tokens[0]
        if token.revoked_at is not None:
            self.stdout.write(
                f"Token {token.prefix}… of {token.user.username} was already revoked."
            )
            return
        with command_errors():
            services.revoke_token(SYSTEM, token)
        self.stdout.write(
            self.style.SUCCESS(f"Token {token.prefix}… of {token.user.username} revoked.")
        )
