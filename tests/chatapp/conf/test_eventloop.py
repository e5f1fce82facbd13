import asyncio

import pytest
import uvloop

from chatapp.conf import eventloop


@pytest.fixture(autouse=True)
def default_policy():
    yield
    asyncio.set_event_loop_policy(None)


def test_asyncio_is_the_default(monkeypatch):
    monkeypatch.delenv("PARLEY_EVENT_LOOP", raising=False)
    assert eventloop.choose() == "asyncio"
    assert not isinstance(asyncio.get_event_loop_policy(), uvloop.EventLoopPolicy)


def test_uvloop_makes_the_loop_daphne_will_run_on(monkeypatch):
    monkeypatch.setenv("PARLEY_EVENT_LOOP", "uvloop")
    assert eventloop.choose() == "uvloop"
    loop = asyncio.new_event_loop()
    try:
        assert isinstance(loop, uvloop.Loop)
    finally:
        loop.close()


def test_an_unknown_loop_names_the_variable_and_the_choices(monkeypatch):
    monkeypatch.setenv("PARLEY_EVENT_LOOP", "trio")
    with pytest.raises(SystemExit, match=r"PARLEY_EVENT_LOOP='trio' is invalid.*uvloop"):
        eventloop.choose()
