"""LibreChat's vision list, its text-only exceptions, and the operator's additions."""

from endpoints.vision import reads_images


def test_librechats_list_and_its_exceptions() -> None:
    assert reads_images("gpt-4o-2024-08-06") and reads_images("claude-sonnet-4-20250514")
    assert reads_images("gemini-2.5-flash") and reads_images("llava:13b")
    assert not reads_images("o1-mini") and not reads_images("gpt-3.5-turbo")


def test_the_operator_adds_models() -> None:
    assert not reads_images("mock-small")
    assert reads_images("mock-small", ["  ", "MOCK-"])
