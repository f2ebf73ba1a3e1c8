"""`regard demo`: fill an empty database with Acme's demo desk, print the logins, then serve."""

from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import BaseCommand
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from regard.demo.generate import DemoExists, generate_demo
from regard.demo.people import AGENTS


def existing_demo_logins() -> list[tuple[str, str, str]]:
    """The demo logins that still work, for a second `regard demo` on the same data."""
    from django.contrib.auth.models import User

    # Checked directly, not through authenticate(): login throttling needs a web request.
    users = {
        u.username: u for u in User.objects.filter(username__in=[a["username"] for a in AGENTS])
    }
    return [
        (a["username"], a["password"], a["role"])
        for a in AGENTS
        if a["username"] in users
        and users[a["username"]].is_active
        and users[a["username"]].check_password(a["password"])
    ]


class Command(BaseCommand):
    help = "Load realistic demo data into an empty database, print the logins, and serve."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--seed", type=int, default=7, help="Same seed, same demo")
        parser.add_argument("--no-serve", action="store_true", help="Load the data and stop")

    def handle(self, *args, port, seed, no_serve, **options):
        call_command("migrate", verbosity=0, interactive=False)
        try:
            summary = self._generate(seed)
        except DemoExists as exc:
            self.stdout.write(str(exc))
            summary = None
            logins = existing_demo_logins()
        else:
            logins = summary.agents
            self.stdout.write(
                f"Loaded {summary.customers} customers, {summary.conversations} conversations "
                f"and {summary.messages} messages."
            )
        self.stdout.write(f"http://127.0.0.1:{port}/")
        for username, password, role in logins:
            self.stdout.write(f"login: {username} password: {password} role: {role}")
        if not no_serve:
            call_command("serve", "--port", str(port))

    def _generate(self, seed: int):
        console = Console(stderr=True)
        with Progress(
            TextColumn("Creating the demo desk"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=not console.is_terminal,
        ) as progress:
            bar = progress.add_task("demo", total=None)
            return generate_demo(
                seed=seed,
                progress=lambda done, total: progress.update(bar, completed=done, total=total),
            )
