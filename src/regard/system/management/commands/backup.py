"""`regard backup DIR`: the database and the attachment files, for disaster recovery."""

from django.core.management.base import BaseCommand, CommandError

from regard.system.backup import BackupError, backup


class Command(BaseCommand):
    help = "Back up the database and every attachment into DIR (new or empty). See docs/backup.md."

    def add_arguments(self, parser):
        parser.add_argument("directory", help="A new or empty folder")

    def handle(self, *args, directory, verbosity, **options):
        try:
            outcome = backup(directory)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        if verbosity:
            records = sum(outcome.counts.values())
            self.stdout.write(
                f"Backed up {records:,} records and {outcome.files:,} attachment files to "
                f"{outcome.path}"
            )
