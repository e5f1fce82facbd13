"""librechat.yaml's `interface.termsOfService`, `privacyPolicy` and `customWelcome`.

The links show on every page; with `termsOfService.modalAcceptance` the chat page
opens a modal (`modalTitle`, `modalContent` in Markdown) until the user accepts,
which is recorded on the user (`User.terms_accepted`, LibreChat's `termsAccepted`),
and no turn runs before that (chatapp/engine/admission.py asks `required`).
"""

from __future__ import annotations

from dataclasses import dataclass

WELCOME_NAME = "{{user.name}}"  # the placeholder LibreChat fills in customWelcome


@dataclass(frozen=True)
class Policy:
    terms_url: str = ""
    terms_new_tab: bool = False
    privacy_url: str = ""
    privacy_new_tab: bool = False
    modal: bool = False
    title: str = ""
    content: str = ""
    welcome: str = ""


def policy() -> Policy:
    """The running configuration's links, terms modal and welcome."""
    from endpoints import config  # accounts reads the config lazily, as balance.py does

    file = config.current().file
    interface = file.interface if file else None
    if interface is None:
        return Policy()
    tos, privacy = interface.termsOfService, interface.privacyPolicy
    return Policy(
        terms_url=(tos and tos.externalUrl) or "",
        terms_new_tab=bool(tos and tos.openNewTab),
        privacy_url=(privacy and privacy.externalUrl) or "",
        privacy_new_tab=bool(privacy and privacy.openNewTab),
        modal=bool(tos and tos.modalAcceptance),
        title=(tos and tos.modalTitle) or "",
        content=(tos and tos.modalContent) or "",
        welcome=interface.customWelcome or "",
    )


def required(user) -> bool:
    """True while `user` must still accept the terms before chatting."""
    return policy().modal and not user.terms_accepted


def accept(user) -> None:
    user.terms_accepted = True
    user.save(update_fields=["terms_accepted"])


def welcome_for(user) -> str:
    """customWelcome with the user's name in place of {{user.name}} ("" when not set)."""
    text = policy().welcome
    name = user.name or user.get_full_name() or user.get_username()
    return text.replace(WELCOME_NAME, name) if text else ""
