"""Both modes' wiring: a message between two consumers through the channel layer."""

import asyncio

import pytest
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.layers import channel_layers
from channels.testing import WebsocketCommunicator


class RoomConsumer(AsyncJsonWebsocketConsumer):
    """Joins group `room`; relays what it receives to the group and back out."""

    async def connect(self) -> None:
        await self.channel_layer.group_add("room", self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        await self.channel_layer.group_discard("room", self.channel_name)

    async def receive_json(self, content: dict) -> None:
        await self.channel_layer.group_send(
            "room", {"type": "room.message", "text": content["text"]}
        )

    async def room_message(self, event: dict) -> None:
        await self.send_json({"text": event["text"]})


async def exchange_between_two_consumers() -> tuple[dict, dict]:
    alice = WebsocketCommunicator(RoomConsumer.as_asgi(), "/ws/room/")
    bob = WebsocketCommunicator(RoomConsumer.as_asgi(), "/ws/room/")
    assert (await alice.connect())[0] and (await bob.connect())[0]
    await alice.send_json_to({"text": "héllo ✓"})
    received = await bob.receive_json_from(timeout=5), await alice.receive_json_from(timeout=5)
    await alice.disconnect()
    await bob.disconnect()
    return received


@pytest.fixture
def reset_layers():
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


@pytest.mark.modes
async def test_in_memory_layer_between_two_consumers(settings, reset_layers):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    assert await exchange_between_two_consumers() == ({"text": "héllo ✓"}, {"text": "héllo ✓"})


async def test_redis_layer_between_two_consumers(settings, reset_layers, redis_uri, redis_prefix):
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [{"address": redis_uri}], "prefix": redis_prefix},
        }
    }
    assert await exchange_between_two_consumers() == ({"text": "héllo ✓"}, {"text": "héllo ✓"})
    await channel_layers["default"].flush()


async def test_redis_layer_receives_after_a_silence(tmp_path, redis_uri, redis_prefix):
    """The production layer: a channel silent for longer than redis-py's 5 s read timeout
    still receives (the list-based layer's blocking pop timed out there)."""
    from channels_redis.pubsub import RedisPubSubChannelLayer

    from tests.chatapp.test_settings import SECRETS, settings_under

    config = settings_under(tmp_path, REDIS_URI=redis_uri, **SECRETS)["layer_config"]
    layer = RedisPubSubChannelLayer(**{**config, "prefix": redis_prefix})
    channel = await layer.new_channel()

    async def send_later() -> None:
        await asyncio.sleep(6)
        await layer.send(channel, {"type": "late.message"})

    sender = asyncio.ensure_future(send_later())
    assert await layer.receive(channel) == {"type": "late.message"}
    await sender
    await layer.flush()
