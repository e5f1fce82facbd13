from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from chatapp import bookmarks, presets
from chatapp import sharing as shared_links
from chatapp.files import avatars


def branding(request: HttpRequest) -> dict:
    return {
        "app_title": settings.APP_TITLE,
        "custom_footer": settings.CUSTOM_FOOTER,
        "help_and_faq_url": settings.HELP_AND_FAQ_URL,
        "no_index": settings.NO_INDEX,
        "image_sources": settings.IMAGE_SOURCES,  # Markdown shows other images as links
    }


THEMES = ("system", "light", "dark")


def preferences(request: HttpRequest) -> dict:
    """The theme the browser chose (a cookie), so pages render in it without a flash."""
    theme = request.COOKIES.get("parley_theme", "system")
    return {"theme": theme if theme in THEMES else "system"}


def sharing(request: HttpRequest) -> dict:
    """The shared-link rules (chatapp/sharing.py), worked out only if a template asks."""
    return {"sharing": SimpleLazyObject(shared_links.policy)}


def organising(request: HttpRequest) -> dict:
    """Whether bookmarks are on (`interface.bookmarks`), worked out only if a template asks."""
    return {"bookmarks_on": SimpleLazyObject(bookmarks.enabled)}


def presets_switch(request: HttpRequest) -> dict:
    """Whether presets are on (`interface.presets`), worked out only if a template asks."""
    return {"presets_on": SimpleLazyObject(presets.enabled)}


def avatar(request: HttpRequest) -> dict:
    """Where the signed-in user's avatar is served ("" without one), looked up only if a
    template asks: their own pages and messages show it (chatapp/files/avatars.py)."""
    return {"user_avatar_url": SimpleLazyObject(lambda: avatars.url_for(request.user))}
