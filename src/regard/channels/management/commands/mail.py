"""`regard mail import|serve|fetch|reprocess|system`: the e-mail channel from the command line."""

from __future__ import annotations

import signal
import threading
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from rich.progress import Progress

from regard.channels.email.imap import collect, watch
from regard.channels.email.inbound import accept_stream, process_raw
from regard.channels.email.smtp import start_receiver
from regard.channels.email.sources import UnreadableSource, read_messages
from regard.channels.models import Mailbox, RawMessage, RawState


class Command(BaseCommand):
    help = "Import, receive (SMTP/LMTP), collect (IMAP) and re-process e-mail."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="Import .eml, mbox and Maildir paths")
        imp.add_argument("paths", nargs="+")
        imp.add_argument("--enqueue", action="store_true", help="Let the workers process them")
        imp.add_argument(
            "--live",
            action="store_true",
            help="Treat as just delivered (acknowledgements, routing)",
        )
        serve = sub.add_parser("serve", help="Receive mail over SMTP (or LMTP)")
        serve.add_argument("--host", default="127.0.0.1")
        serve.add_argument("--port", type=int, default=2525)
        serve.add_argument("--lmtp", action="store_true")
        fetch = sub.add_parser("fetch", help="Collect from the IMAP mailboxes")
        fetch.add_argument("--mailbox", help="Only this mailbox (by name)")
        fetch.add_argument(
            "--watch", action="store_true", dest="keep_watching", help="Keep collecting (IDLE/poll)"
        )
        again = sub.add_parser("reprocess", help="Process failed raw messages again")
        again.add_argument("ids", nargs="*", type=int, help="Default: every failed one")
        sub.add_parser("system", help="List system mail: bounces and reports kept aside")

    def handle(self, *args, action, **options):
        getattr(self, f"do_{action}")(**options)

    def do_import(self, paths, enqueue, live, **options):
        counts = {"imported": 0, "duplicates": 0, "flagged": 0}
        flagged = []
        with Progress(transient=True, disable=options["verbosity"] == 0) as progress:
            bar = progress.add_task("Importing", total=None)
            for path in paths:
                mails = ((data, f"import:{label}") for label, data in read_messages(Path(path)))
                process = "task" if enqueue else "now"
                try:
                    for batch, found in accept_stream(mails, process=process, live=live):
                        for (_data, source), accepted in zip(batch, found, strict=True):
                            label = source.removeprefix("import:")
                            raw = accepted.raw
                            if not accepted.created:
                                counts["duplicates"] += 1
                            elif raw.state in (RawState.FAILED, RawState.QUARANTINED):
                                counts["flagged"] += 1
                                flagged.append(f"{label}: {raw.error.splitlines()[0][:200]}")
                            else:
                                counts["imported"] += 1
                        progress.advance(bar, len(batch))
                except UnreadableSource as exc:
                    raise CommandError(str(exc)) from None
        for line in flagged:
            self.stdout.write(f"flagged {line}")
        self.stdout.write(
            f"imported {counts['imported']}, duplicates {counts['duplicates']}, "
            f"flagged {counts['flagged']}"
        )

    def do_serve(self, host, port, lmtp, **options):
        controller = start_receiver(host, port, lmtp=lmtp)
        kind = "LMTP" if lmtp else "SMTP"
        self.stdout.write(f"Receiving mail over {kind} on {host}:{port} (Ctrl+C stops)")
        stopped = threading.Event()
        signal.signal(signal.SIGTERM, lambda *a: stopped.set())
        signal.signal(signal.SIGINT, lambda *a: stopped.set())
        stopped.wait()
        controller.stop()

    def do_fetch(self, mailbox, keep_watching, **options):
        mailboxes = Mailbox.objects.filter(active=True)
        if mailbox:
            mailboxes = mailboxes.filter(name=mailbox)
        if not mailboxes:
            raise CommandError("no active mailbox configured (add one in the admin)")
        if keep_watching:
            threads = [
                threading.Thread(target=watch, args=(box,), daemon=True) for box in mailboxes
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            return
        for box in mailboxes:
            result = collect(box)
            self.stdout.write(f"{box.name}: stored {result.stored}, duplicates {result.duplicates}")

    def do_reprocess(self, ids, **options):
        raws = RawMessage.objects.filter(state=RawState.FAILED)
        if ids:
            raws = RawMessage.objects.filter(pk__in=ids)
        done = 0
        for raw in raws:
            done += process_raw(raw).state == RawState.PROCESSED
        self.stdout.write(f"processed {done} of {len(raws)}")

    def do_system(self, **options):
        kept = (
            RawMessage.objects.exclude(kind__in=["", "normal", "bulk"])
            .filter(conversation__isnull=True)
            .defer("data")
        )
        for raw in kept[:200]:
            self.stdout.write(
                f"{raw.pk}\t{raw.received_at:%Y-%m-%d %H:%M}\t{raw.kind}\t{raw.external_id}"
            )
        failed = RawMessage.objects.filter(state__in=[RawState.FAILED, RawState.QUARANTINED])
        for raw in failed.defer("data")[:200]:
            first = raw.error.splitlines()[0] if raw.error else ""
            self.stdout.write(f"{raw.pk}\t{raw.received_at:%Y-%m-%d %H:%M}\t{raw.state}\t{first}")
