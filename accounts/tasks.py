"""Celery tasks of the accounts app: they only wrap plain functions."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from accounts import mail


# OSError covers smtplib's errors and refused connections: retried with backoff.
@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_email(payload: dict[str, Any]) -> None:
    mail.deliver(payload)
