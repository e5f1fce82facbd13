"""Who may get an account: librechat.yaml's `registration.allowedDomains`.

As LibreChat's `isEmailDomainAllowed`: the e-mail's domain must equal one of
the listed domains, case-insensitively (a subdomain is another domain); an
absent or empty list allows every address. It is checked where an account is
made (e-mail sign-up; the first sign-in through OpenID, an OAuth provider or
LDAP) and on password reset, never when an existing account signs in.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext_lazy as _

DOMAIN_REFUSED = _(
    "This e-mail address cannot be used on this site: its domain is not one the site "
    "accepts. Please use an address at an accepted domain."
)


def allowed_domains() -> tuple[str, ...]:
    """The running configuration's `registration.allowedDomains` (empty: all allowed)."""
    from endpoints import config  # accounts reads the config lazily, as balance.py does

    file = config.current().file
    registration = file.registration if file else None
    return tuple(registration.allowedDomains or ()) if registration else ()


def domain_allowed(email: str, allowed: Iterable[str] | None = None) -> bool:
    """True when `email`'s domain is listed in `allowed` (default: the running config's)."""
    listed = {d.strip().lower() for d in (allowed_domains() if allowed is None else allowed)}
    listed.discard("")
    if not listed:
        return True
    _local, at, domain = (email or "").strip().rpartition("@")
    return bool(at) and domain.lower() in listed


# LibreChat's default `registration.socialLogins`; providers it does not list come after.
SOCIAL_LOGINS = ("google", "facebook", "openid", "github", "discord", "saml")


def social_logins() -> list[str] | None:
    """The running configuration's `registration.socialLogins` (None: not set)."""
    from endpoints import config

    file = config.current().file
    registration = file.registration if file else None
    listed = registration.socialLogins if registration else None
    return list(listed) if listed is not None else None


def social_order(configured: Iterable[str], listed: list[str] | None) -> list[str]:
    """The configured providers to show, in order: those `listed` (socialLogins) only, in
    its order; without a list, LibreChat's default order, then the others."""
    configured = list(configured)
    if listed is not None:
        return [name for name in dict.fromkeys(listed) if name in configured]
    known = [name for name in SOCIAL_LOGINS if name in configured]
    return known + [name for name in configured if name not in known]
