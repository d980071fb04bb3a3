from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from sangkien.api.urls import api

urlpatterns = [
    path("", include("sangkien.core.urls")),
    path("accounts/", include("sangkien.accounts.urls")),
    path("units/", include("sangkien.orgs.urls")),
    path("initiatives/", include("sangkien.initiatives.urls")),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
