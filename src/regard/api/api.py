"""The REST API, version 1 (django-ninja); routers of each app are added here."""

from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.security import django_auth

from regard import __version__

api = NinjaAPI(title="Regard API", version="1", urls_namespace="api", auth=django_auth)


@api.get("/health", auth=None)
def health(request: HttpRequest) -> dict:
    return {"status": "ok", "version": __version__}
