"""`regard export DIR`: write every record to DIR as JSON Lines, with the attachment files."""

from __future__ import annotations

from contextlib import nullcontext

from django.core.management.base import BaseCommand, CommandError

from regard.system.portability import PortabilityError, progress_bar, summary
from regard.system.portability_export import export_dir


class Command(BaseCommand):
    help = (
        "Export every record to DIR (new or empty) as JSON Lines, one file per kind, with "
        "the attachment files and a manifest. See docs/export.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", help="A new or empty folder")

    def handle(self, *args, directory, verbosity, **options):
        try:
            with progress_bar() if verbosity else nullcontext() as progress:
                result = export_dir(directory, progress=progress)
        except PortabilityError as exc:
            raise CommandError(str(exc)) from None
        if verbosity:
            self.stdout.write(
                f"Exported {summary(result.counts, result.attachment_files)} to {result.path}"
            )
        if result.missing_files:
            self.stderr.write(
                f"{len(result.missing_files):,} attachment files were missing from the store, "
                f"so the export lacks them (listed in manifest.json), e.g. "
                f"{result.missing_files[0]}"
            )
