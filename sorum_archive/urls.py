from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("personvern/", include("triage.privacy")),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its init script from ?script, so the page runs under a CSP without unsafe-inline.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/", include("triage.api_urls")),
    path("channels/", include("channels.urls")),
    path("journal/eksport/", include("journal.export.urls")),
    path("journal/fiks/", include("journal.fiks.urls")),
    path("gjestebok/", include("channels.guestbook_urls")),
    path("journal/", include("journal.urls")),
    path("noark5v5/api/", include("journal.noark_api.urls")),
    path("offentlig-journal/", include("journal.public_urls")),
    path("dashboard/", include("triage.urls_dashboard")),
    path("", include("triage.urls")),
]
