from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from accounts.admin import usage_dashboard
from chatapp import api, mcpviews, views
from chatapp.files import pages as file_pages
from chatapp.files import views as files
from chatapp.gateway import views as gateway
from chatapp.library import views as library
from chatapp.search import views as search_views

api_patterns = [
    path("conversations", api.conversation_list, name="conversation-list"),
    path("conversations/import", api.conversation_import, name="conversation-import"),
    path("conversations/<str:conversation_id>", api.conversation_detail, name="conversation"),
    path("conversations/<str:conversation_id>/fork", api.conversation_fork, name="fork"),
    path("conversations/<str:conversation_id>/shares", api.conversation_shares, name="shares"),
    path("conversations/<str:conversation_id>/export", api.conversation_export, name="export"),
    path("shares/<str:token>", api.share_revoke, name="share-revoke"),
    path("search", search_views.search_api, name="search"),
    path("files", files.file_list, name="files"),
    path("files/<str:file_id>", files.file_detail, name="file"),
    path("files/<str:file_id>/content", files.file_content, name="file-content"),
]

chat_patterns = [
    path("c/<uuid:conversation_id>", views.chat, name="conversation"),
    path("c/<uuid:conversation_id>/thread", views.thread, name="thread"),
    path("c/<uuid:conversation_id>/rename", views.conversation_rename, name="rename"),
    path("c/<uuid:conversation_id>/archive", views.conversation_archive, name="archive"),
    path("c/<uuid:conversation_id>/delete", views.conversation_delete, name="delete"),
    path("c/<uuid:conversation_id>/share", views.conversation_share, name="share"),
    path("c/<uuid:conversation_id>/tags", views.conversation_tags, name="tags"),
    path("bookmarks", views.bookmark_save, name="bookmark-create"),
    path("bookmarks/<int:tag_id>", views.bookmark_save, name="bookmark-update"),
    path("bookmarks/<int:tag_id>/delete", views.bookmark_delete, name="bookmark-delete"),
    path("conversations", views.conversation_list, name="conversations"),
    path("shares", views.shared_links, name="shared-links"),
    path("shares/<str:token>/revoke", views.shared_link_revoke, name="shared-link-revoke"),
    path("settings/chat", views.chat_settings, name="settings"),
    path("files", file_pages.file_page, name="files"),
    path("files/<str:file_id>/delete", file_pages.file_delete, name="file-delete"),
    path("avatar", file_pages.avatar, name="avatar"),
    path("avatar/remove", file_pages.avatar_remove, name="avatar-remove"),
    path("keys", views.key_list, name="keys"),
    path("web-search/keys", views.web_search_keys, name="web-search-keys"),
    path("keys/<str:endpoint>", views.user_key, name="key"),
    path("mcp", mcpviews.mcp_values, name="mcp"),
    path("mcp/<str:server>", mcpviews.mcp_save, name="mcp-save"),
    path("presets", views.preset_save, name="preset-create"),
    path("presets/<int:preset_id>", views.preset_save, name="preset-update"),
    path("presets/<int:preset_id>/delete", views.preset_delete, name="preset-delete"),
    path("c/<uuid:conversation_id>/project", library.conversation_project, name="move"),
    path("prompts", library.prompt_list, name="prompts"),
    path("prompts/new", library.prompt_edit, name="prompt-create"),
    path("prompts/menu", library.prompt_menu, name="prompt-menu"),
    path("prompts/<str:group_id>", library.prompt_edit, name="prompt"),
    path("prompts/<str:group_id>/fill", library.prompt_fill, name="prompt-fill"),
    path("prompts/<str:group_id>/delete", library.prompt_delete, name="prompt-delete"),
    path(
        "prompts/<str:group_id>/versions/<str:version_id>/production",
        library.prompt_production,
        name="prompt-production",
    ),
    path("projects", library.project_list, name="projects"),
    path("projects/<str:project_id>", library.project_edit, name="project"),
    path("projects/<str:project_id>/delete", library.project_delete, name="project-delete"),
    # After the UUID routes: LibreChat's /c/new and non-UUID ids (chatapp/importer/links.py).
    path("c/<str:legacy_id>", views.librechat_conversation, name="librechat-conversation"),
]

# The /v1 API (chatapp/gateway): OpenAI's and Anthropic's paths, as their SDKs call them.
v1_patterns = [
    path("models", gateway.models, name="models"),
    path("chat/completions", gateway.chat_completions, name="chat-completions"),
    path("messages", gateway.messages, name="messages"),
]

urlpatterns = [
    path("", views.chat, name="home"),
    path("", include((chat_patterns, "chat"))),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("health", views.health, name="health"),
    path("metrics", views.metrics_view, name="metrics"),
    path("share/<str:token>", views.shared, name="shared"),
    path("share/<str:token>/files/<str:file_id>", views.shared_file, name="shared-file"),
    path("api/", include((api_patterns, "api"))),
    path("v1/", include((v1_patterns, "v1"))),
    path("", include("accounts.urls")),
    path("admin/usage/", admin.site.admin_view(usage_dashboard), name="admin-usage"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]
