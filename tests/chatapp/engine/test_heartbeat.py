import asyncio
from datetime import timedelta

import pytest
from django.utils import timezone

from chatapp.engine import heartbeat
from chatapp.engine.heartbeat import Partial
from chatapp.models import Message
from tests.chatapp import factories

pytestmark = pytest.mark.django_db(transaction=True)


def streaming_reply(user, text: str = "") -> Message:
    _, answer = factories.exchange(factories.conversation(user), "q", text)
    answer.state = Message.State.STREAMING
    answer.save()
    return answer


def test_save_writes_every_partial_in_one_go_and_moves_updated_at(user):
    replies = [streaming_reply(user) for _ in range(3)]
    long_ago = timezone.now() - timedelta(minutes=5)
    Message.objects.filter(pk__in=[r.pk for r in replies]).update(updated_at=long_ago)
    partials = [Partial(r.pk, f"text {i} ünï", f"why {i}") for i, r in enumerate(replies)]

    assert heartbeat.save(partials) == 3

    for i, reply in enumerate(replies):
        reply.refresh_from_db()
        assert (reply.text, reply.reasoning) == (f"text {i} ünï", f"why {i}")
        assert reply.updated_at > long_ago


def test_save_never_overwrites_a_response_that_has_ended(user):
    ended = streaming_reply(user)
    ended.text, ended.state = "the whole answer", Message.State.COMPLETE
    ended.save()

    assert heartbeat.save([Partial(ended.pk, "the wh", "")]) == 0

    ended.refresh_from_db()
    assert ended.text == "the whole answer"


def test_save_splits_large_sets_into_batches(user, monkeypatch):
    monkeypatch.setattr(heartbeat, "BATCH", 2)
    replies = [streaming_reply(user) for _ in range(5)]
    assert heartbeat.save([Partial(r.pk, str(i), "") for i, r in enumerate(replies)]) == 5
    saved = Message.objects.filter(pk__in=[r.pk for r in replies]).values_list("text", flat=True)
    assert sorted(saved) == ["0", "1", "2", "3", "4"]


async def saved_text(pk, text: str) -> None:
    """Wait until the row holds `text` (the heartbeat's save is the event)."""
    for _ in range(2000):
        if (await Message.objects.aget(pk=pk)).text == text:
            return
        await asyncio.sleep(0.01)  # noqa: ASYNC110 - the database is what changes
    raise AssertionError(f"never saved {text!r}")


class Growing:
    def __init__(self, reply: Message) -> None:
        self.reply, self.text = reply, ""

    def partial(self) -> Partial:
        return Partial(self.reply.pk, self.text, "")


async def test_the_heartbeat_saves_its_members_each_interval_until_they_leave(user, monkeypatch):
    monkeypatch.setattr(heartbeat, "INTERVAL", 0.05)
    reply = await asyncio.to_thread(streaming_reply, user)
    member = Growing(reply)
    beat = heartbeat.heartbeat()
    beat.join(member)
    for text in ("one", "one two"):
        member.text = text
        await saved_text(reply.pk, text)
    beat.leave(member)
    member.text = "one two three"
    await asyncio.sleep(0.2)
    assert (await Message.objects.aget(pk=reply.pk)).text == "one two"
