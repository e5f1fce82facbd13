"""Celery tasks: each one only wraps a plain function (titles, moderation, temporary)."""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task
from django.utils import timezone

from chatapp import channelchecks, moderation, temporary, titles
from chatapp.files import cleanup
from endpoints.adapters.base import ProviderError

log = logging.getLogger(__name__)
TITLE_RETRIES = 3


@shared_task(ignore_result=False)
def moderate(text: str) -> dict[str, Any]:
    return moderation.classify(text)


@shared_task(bind=True, max_retries=TITLE_RETRIES)
def generate_title(self, conversation_id: str, user_text: str, answer: str) -> None:
    """A title; provider failures are retried with exponential backoff, then logged."""
    try:
        titles.generate(conversation_id, user_text, answer)
    except ProviderError as error:
        if not error.retryable or self.request.retries >= TITLE_RETRIES:
            log.warning("no title for conversation %s: %s", conversation_id, error.user_message)
            return
        wait = error.retry_after or 2 ** (self.request.retries + 1)
        log.info("title for %s failed (%s); retrying in %gs", conversation_id, error, wait)
        raise self.retry(countdown=wait) from error


@shared_task
def delete_expired_chats() -> int:
    """Celery beat's periodic clean-up of temporary chats (chatapp.temporary)."""
    return temporary.sweep(timezone.now())


@shared_task
def delete_unattached_files() -> int:
    """Celery beat's removal of uploads never attached to a message (chatapp.files.cleanup)."""
    return cleanup.sweep(timezone.now())


@shared_task
def check_channels() -> int:
    """Celery beat's check of every endpoint's keys, every CHANNEL_TEST_FREQUENCY minutes
    (chatapp.channelchecks)."""
    return channelchecks.run()
