from django.contrib import admin
from django.urls import include, path

from sangkien.api.urls import api
from sangkien.core.views import favicon, healthz
from sangkien.reports.views import home

# The start page (what needs the signed-in user, from several apps), the health check and
# the icon.
SITE = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon, name="favicon"),
]

handler500 = "sangkien.core.views.server_error"

urlpatterns = [
    path("", include((SITE, "core"))),
    path("accounts/", include("sangkien.accounts.urls")),
    path("auth/", include("sangkien.accounts.social")),
    path("units/", include("sangkien.orgs.urls")),
    path("initiatives/", include("sangkien.initiatives.urls")),
    path("notifications/", include("sangkien.notifications.urls")),
    path("quotas/", include("sangkien.quotas.urls")),
    path("plans/", include("sangkien.plans.urls")),
    path("teams/", include("sangkien.teams.urls")),
    path("stats/", include("sangkien.stats.urls")),
    path("jobs/", include("sangkien.jobs.urls")),
    path("imports/", include("sangkien.imports.urls")),
    path("exports/", include("sangkien.exports.urls")),
    path("reports/", include("sangkien.reports.urls")),
    path("audit/", include("sangkien.audit.urls")),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
# Uploaded files are never served as static files: attachments go through views that check
# who may see them.
