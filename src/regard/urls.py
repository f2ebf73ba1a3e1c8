"""Top-level URL map."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from regard.api.api import api

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(template_name="web/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("service/", include("regard.service.urls")),
    path("loyalty/", include("regard.loyalty.urls")),
    path("incidents/", include("regard.incidents.urls")),
    path("contact/", include("regard.channels.web.urls")),
    path("chat/", include("regard.channels.chat.urls")),
    path("portal/", include("regard.portal.urls")),
    path("", include("regard.web.urls")),
]
if settings.INBOUND_WEBHOOKS:
    urlpatterns.insert(0, path("inbound/", include("regard.channels.webhook_urls")))
