"""ASGI entry point for uvicorn (long-lived streams)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "regard.settings")
application = get_asgi_application()
