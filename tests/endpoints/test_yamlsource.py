"""endpoints.yamlsource: broken YAML named by line, duplicate keys, CONFIG_PATH as a URL."""

from __future__ import annotations

import http.server
import socket
import threading
from collections.abc import Iterator

import pytest

from endpoints.problems import ConfigError
from endpoints.yamlsource import parse, read


def only_error(text: str) -> str:
    with pytest.raises(ConfigError) as caught:
        parse(text, "c.yaml")
    (problem,) = caught.value.problems
    return str(problem)


def test_positions_of_nested_keys_and_items() -> None:
    document = parse(
        "version: 1\nendpoints:\n  custom:\n    - name: a\n      apiKey: k\n", "c.yaml"
    )
    assert document.positions[("endpoints", "custom", 0, "apiKey")] == (5, 7)
    assert document.position(("endpoints", "custom", 0, "models", "default")) == (4, 7)


def test_tab_indentation_is_one_error_with_its_line() -> None:
    message = only_error("version: 1\nendpoints:\n\topenAI: {}\n")
    assert message == (
        "error: c.yaml:3:1: invalid YAML: a tab character: YAML indentation must use spaces"
    )


def test_bad_indentation_is_one_error_with_its_line() -> None:
    message = only_error("version: 1\nendpoints:\n  openAI:\n    streamRate: 1\n   bad: 2\n")
    assert message == (
        "error: c.yaml:5:4: invalid YAML: expected <block end>, but found '<block mapping start>'"
        " (while parsing a block mapping)"
    )


def test_duplicate_key_is_an_error_naming_both_lines() -> None:
    document = parse("version: 1\ncache: true\ncache: false\n", "c.yaml")
    (problem,) = document.problems
    assert str(problem) == "error: c.yaml:3:1: cache: duplicate key (first at line 2)"


def test_missing_file_reads_as_none(tmp_path) -> None:
    assert read(str(tmp_path / "absent.yaml")) is None


@pytest.fixture
def http_server() -> Iterator[str]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
            if self.path != "/librechat.yaml":
                self.send_error(404)
                return
            body = b"version: 1.3.14\n"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_config_path_url_is_fetched(http_server: str) -> None:
    assert read(f"{http_server}/librechat.yaml") == "version: 1.3.14\n"


def test_failing_url_is_one_error(http_server: str) -> None:
    with pytest.raises(ConfigError) as caught:
        read(f"{http_server}/missing.yaml")
    (problem,) = caught.value.problems
    assert str(problem) == (
        f"error: {http_server}/missing.yaml: CONFIG_PATH could not be fetched: HTTP 404"
    )


def test_unreachable_url_is_one_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again: nothing listens there
    with pytest.raises(ConfigError) as caught:
        read(f"http://127.0.0.1:{port}/librechat.yaml")
    (problem,) = caught.value.problems
    assert str(problem) == (
        f"error: http://127.0.0.1:{port}/librechat.yaml: CONFIG_PATH could not be fetched "
        "(timeout 10s): [Errno 111] Connection refused"
    )


def test_a_config_at_a_url_loads(http_server: str) -> None:
    from endpoints.config import load

    config = load(f"{http_server}/librechat.yaml", {"GOOGLE_KEY": "g"}, required=True)
    assert (config.source, list(config.endpoints)) == (f"{http_server}/librechat.yaml", ["google"])
