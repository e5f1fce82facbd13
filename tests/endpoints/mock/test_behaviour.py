from endpoints.mock.behaviour import Behaviour, Countdown, Failure, RecordedRequest, Recorder


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


def test_failures_by_key_come_first_then_the_global_one() -> None:
    behaviour = Behaviour(failure=Failure.SERVER, failure_count=1)
    behaviour.key_failures["sk-a"] = Countdown(Failure.AUTH, 1)
    taken = [behaviour.take_failure(key) for key in ("sk-a", "sk-a", "sk-b", "sk-b")]
    assert taken == [Failure.AUTH, Failure.SERVER, None, None]


def test_the_key_is_read_from_each_wire_formats_header() -> None:
    def sent(headers, query=None):
        return RecordedRequest("POST", "/", query or {}, headers, None).api_key

    assert sent({"authorization": "Bearer sk-o"}) == "sk-o"
    assert sent({"x-api-key": "sk-ant"}) == "sk-ant"
    assert sent({"api-key": "az"}) == "az"
    assert sent({"x-goog-api-key": "g"}) == "g"
    signed = "AWS4-HMAC-SHA256 Credential=AKIATEST/20261202/us-east-1/bedrock/aws4_request, X"
    assert sent({"authorization": signed}) == "AKIATEST"
    assert sent({}, {"key": "q"}) == "q"
