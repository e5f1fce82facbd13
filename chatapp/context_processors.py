from django.conf import settings
from django.http import HttpRequest


def branding(request: HttpRequest) -> dict:
    return {
        "app_title": settings.APP_TITLE,
        "custom_footer": settings.CUSTOM_FOOTER,
        "help_and_faq_url": settings.HELP_AND_FAQ_URL,
        "no_index": settings.NO_INDEX,
    }
