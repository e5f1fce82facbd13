"""Template helpers of the sign-in pages."""

from __future__ import annotations

from typing import Any

from django import template

from accounts import registration

register = template.Library()


@register.filter
def in_social_order(providers: list[Any]) -> list[Any]:
    """allauth's providers as `registration.socialLogins` orders and filters them."""
    by_id = {provider.id: provider for provider in providers}
    return [by_id[name] for name in registration.social_order(by_id, registration.social_logins())]
