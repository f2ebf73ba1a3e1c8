"""The `regard` command: a thin front over Django management commands.

`regard demo|serve|worker|createagent|migrate|export|import|tasks|mail ...`; anything else is
passed to Django's management commands as is.
"""

from __future__ import annotations

import os
import sys

NO_PREFLIGHT = {"help", "--help", "-h", "version", "--version", "check", "makemigrations"}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "regard.settings")
    from regard.config import ConfigError

    try:
        import django

        django.setup()
        if argv and argv[0] in {"version", "--version"}:
            from regard import __version__

            print(f"regard {__version__}")
            return 0
        if not argv or argv[0] not in NO_PREFLIGHT:
            from regard.system.preflight import preflight

            preflight()
    except ConfigError as exc:
        print(f"regard: {exc}", file=sys.stderr)
        return 2

    from django.core.management import execute_from_command_line

    if argv and argv[0] == "import":
        argv[0] = "import_data"
    execute_from_command_line(["regard", *argv] if argv else ["regard", "help"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
