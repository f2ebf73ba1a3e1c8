"""`regard restore DIR`: bring a backup back into a fresh instance and check it."""

from django.core.management.base import BaseCommand, CommandError

from regard.system.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restore a backup made by `regard backup` into this fresh (migrated, empty) instance; "
        "record counts and attachment checksums are checked."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", help="A folder written by `regard backup`")

    def handle(self, *args, directory, verbosity, **options):
        try:
            outcome = restore(directory)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        if verbosity:
            records = sum(outcome.counts.values())
            self.stdout.write(
                f"Restored {records:,} records and {outcome.files:,} attachment files from "
                f"{outcome.path}; counts and checksums match the backup."
            )
