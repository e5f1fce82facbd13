"""The tool loop's limits from `endpoints.agents`."""

import pytest

from endpoints import agents, config


def limits_of(tmp_path, yaml: str) -> agents.ToolLimits:
    path = tmp_path / "librechat.yaml"
    path.write_text('version: "1.3.14"\n' + yaml)
    return agents.tool_limits(config.load(str(path), {}))


def test_the_defaults_are_librechats(tmp_path) -> None:
    assert limits_of(tmp_path, "") == agents.ToolLimits(25, 65_536)


@pytest.mark.parametrize(
    ("block", "expected"),
    [
        ("recursionLimit: 5", 5),
        ("recursionLimit: 50\n    maxRecursionLimit: 30", 30),
        ("maxRecursionLimit: 10", 10),
        ("recursionLimit: 8\n    maxRecursionLimit: 30", 8),
    ],
)
def test_max_recursion_limit_caps_the_limit(tmp_path, block, expected) -> None:
    yaml = f"endpoints:\n  agents:\n    {block}\n"
    assert limits_of(tmp_path, yaml).recursion_limit == expected


def test_argument_bytes(tmp_path) -> None:
    yaml = "endpoints:\n  agents:\n    maxToolCallArgBytes: 100\n"
    assert limits_of(tmp_path, yaml).max_argument_bytes == 100
