from endpoints.mock.behaviour import Behaviour, Failure, RecordedRequest, Recorder


def test_the_request_log_is_bounded():
    recorder = Recorder(limit=3)
    for index in range(5):
        recorder.add(RecordedRequest("GET", f"/{index}", {}, {}, None))
    assert [r.path for r in recorder.all()] == ["/2", "/3", "/4"]


def test_failures_count_down():
    behaviour = Behaviour(failure=Failure.RATE_LIMIT, failure_count=2)
    taken = [behaviour.take_failure() for _ in range(3)]
    assert taken == [Failure.RATE_LIMIT, Failure.RATE_LIMIT, None]
    assert Behaviour(failure=Failure.SERVER).take_failure() is Failure.SERVER
