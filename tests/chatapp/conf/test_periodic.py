import logging
import threading
import uuid

from chatapp.conf import periodic


def name() -> str:
    return f"test-{uuid.uuid4().hex[:8]}"


def test_a_job_runs_now_and_again_on_its_own_thread():
    runs: list[str] = []
    twice = threading.Event()

    def job() -> None:
        runs.append(threading.current_thread().name)
        if len(runs) == 2:
            twice.set()

    thread = name()
    assert periodic.every(0.01, thread, job, "never")
    assert twice.wait(timeout=30)
    assert runs[:2] == [thread, thread]


def test_one_thread_per_name_in_a_process():
    thread = name()
    started = threading.Event()
    assert periodic.every(3600, thread, started.set, "never")
    assert started.wait(timeout=30)
    assert not periodic.every(3600, thread, started.set, "never")
    assert sum(t.name == thread for t in threading.enumerate()) == 1


def test_a_failing_run_is_logged_and_tried_again(caplog):
    calls = []
    retried = threading.Event()

    def job() -> None:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("database away")
        retried.set()

    with caplog.at_level(logging.ERROR, logger="chatapp.conf.periodic"):
        periodic.every(0.01, name(), job, "sweeping failed")
        assert retried.wait(timeout=30)
    assert [r.getMessage() for r in caplog.records] == ["sweeping failed"]
