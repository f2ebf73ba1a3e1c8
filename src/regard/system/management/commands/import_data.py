"""`regard import DIR`: restore an export made by `regard export` into an empty database."""

from __future__ import annotations

from contextlib import nullcontext

from django.core.management.base import BaseCommand, CommandError

from regard.system.portability import PortabilityError, progress_bar, summary
from regard.system.portability_import import import_dir


class Command(BaseCommand):
    help = (
        "Import an export made by `regard export` into an empty, migrated database, keeping "
        "every id. Logins come back without passwords. See docs/export.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", help="A folder written by `regard export`")

    def handle(self, *args, directory, verbosity, **options):
        try:
            with progress_bar() if verbosity else nullcontext() as progress:
                result = import_dir(directory, progress=progress)
        except PortabilityError as exc:
            raise CommandError(str(exc)) from None
        if verbosity:
            self.stdout.write(
                f"Imported {summary(result.counts, result.attachment_files)} from {directory}"
            )
        if result.logins:
            self.stdout.write(
                f"Logins were restored without a password ({', '.join(result.logins)}): "
                "each must set one with `regard changepassword USERNAME` before signing in."
            )
        if result.mailboxes:
            self.stdout.write(
                f"Mailboxes were restored without their password ({', '.join(result.mailboxes)})"
                ": enter it again before mail is collected."
            )
