from django.contrib import admin
from django.urls import include, path

from chatapp import api, views

api_patterns = [
    path("conversations", api.conversation_list, name="conversation-list"),
    path("conversations/import", api.conversation_import, name="conversation-import"),
    path("conversations/<str:conversation_id>", api.conversation_detail, name="conversation"),
    path("conversations/<str:conversation_id>/fork", api.conversation_fork, name="fork"),
    path("conversations/<str:conversation_id>/shares", api.conversation_shares, name="shares"),
    path("conversations/<str:conversation_id>/export", api.conversation_export, name="export"),
    path("shares/<str:token>", api.share_revoke, name="share-revoke"),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("health", views.health, name="health"),
    path("share/<str:token>", views.shared, name="shared"),
    path("api/", include((api_patterns, "api"))),
    path("", include("accounts.urls")),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]
