"""Outgoing mail: SMTP with LibreChat's EMAIL_* options, handed to Celery as plain data."""

from __future__ import annotations

import ssl
from functools import cached_property
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.core.mail.backends.smtp import EmailBackend


class _NamedContext(ssl.SSLContext):
    """Verifies the server as EMAIL_ENCRYPTION_HOSTNAME rather than the host dialled."""

    tls_hostname = ""

    def wrap_socket(self, sock, *args: Any, server_hostname: str | None = None, **kwargs: Any):
        name = self.tls_hostname or server_hostname
        return super().wrap_socket(sock, *args, server_hostname=name, **kwargs)


class SMTPBackend(EmailBackend):
    """Django's SMTP backend with EMAIL_ALLOW_SELFSIGNED and EMAIL_ENCRYPTION_HOSTNAME."""

    @cached_property
    def ssl_context(self) -> ssl.SSLContext:
        context = _NamedContext(ssl.PROTOCOL_TLS_CLIENT)
        context.tls_hostname = settings.EMAIL_TLS_HOSTNAME
        if settings.EMAIL_ALLOW_SELFSIGNED:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        else:
            context.load_default_certs()
        return context


def to_payload(message: EmailMessage) -> dict[str, Any]:
    """A rendered message as JSON-safe data for the Celery task."""
    alternatives = getattr(message, "alternatives", [])
    return {
        "subject": message.subject,
        "body": message.body,
        "from_email": message.from_email,
        "to": list(message.to),
        "html": next((content for content, kind in alternatives if kind == "text/html"), None),
    }


def deliver(payload: dict[str, Any]) -> None:
    """Send one message over SMTP now (called by the task, never by a view)."""
    message = EmailMultiAlternatives(
        payload["subject"],
        payload["body"],
        payload["from_email"],
        payload["to"],
        connection=SMTPBackend(fail_silently=False),
    )
    if payload.get("html"):
        message.attach_alternative(payload["html"], "text/html")
    message.send()
