from botocore.eventstream import EventStreamBuffer

from endpoints.mock import eventstream


def test_botocore_decodes_our_frames_and_checks_crcs():
    buffer = EventStreamBuffer()
    buffer.add_data(eventstream.event("contentBlockDelta", b'{"delta":{"text":"hi"}}'))
    buffer.add_data(eventstream.exception("throttlingException", b'{"message":"slow"}'))
    first, second = list(buffer)
    assert first.headers[":event-type"] == "contentBlockDelta"
    assert first.payload == b'{"delta":{"text":"hi"}}'
    assert second.headers[":message-type"] == "exception"
