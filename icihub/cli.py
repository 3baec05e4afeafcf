"""The ``icihub`` console script: Django's management commands plus the
project's own (``load-reference``, ``user``, ``token``, ``report`` ...).
Dashes in command names are accepted (``load-reference`` = ``load_reference``)."""

from __future__ import annotations

import getpass
import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "icihub.settings")
    argv = list(sys.argv if argv is None else argv)
    argv[0] = "icihub"
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    import django

    django.setup()
    from icihub.core import audit

    try:
        who = getpass.getuser()
    except Exception:
        who = "unknown"
    audit.set_base(via=audit.VIA_CLI, label=f"cli:{who}")

    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
