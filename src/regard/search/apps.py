from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate


class SearchConfig(AppConfig):
    name = "regard.search"
    label = "search"

    def ready(self) -> None:
        # Index upkeep, not business logic: a later migration that rebuilds a table on SQLite
        # drops its triggers, and this puts them back after every migrate. post_migrate only
        # reaches apps with models, so it listens for the one whose messages it indexes.
        post_migrate.connect(repair_triggers, sender=apps.get_app_config("conversations"))


def repair_triggers(sender, using="default", **kwargs) -> None:
    from django.db import connections

    from regard.search.schema import repair_sqlite_triggers

    repair_sqlite_triggers(connections[using])
