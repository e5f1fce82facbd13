"""endpoints.interpolate: ${VAR} as a whole value or inside a string; secrets never expand."""

from __future__ import annotations

from endpoints.interpolate import resolve


def test_whole_value() -> None:
    assert resolve("${GROQ_API_KEY}", {"GROQ_API_KEY": "gsk-1"}).value == "gsk-1"


def test_inside_a_string_and_several() -> None:
    result = resolve("https://${HOST}:${PORT}/v1", {"HOST": "h", "PORT": "8080"})
    assert (result.value, result.complete) == ("https://h:8080/v1", True)


def test_unset_and_empty_variables_are_reported_and_left_literal() -> None:
    result = resolve("Bearer ${A} ${B}", {"B": "  "})
    assert (result.value, result.missing) == ("Bearer ${A} ${B}", ("A", "B"))


def test_parleys_own_secrets_are_never_expanded() -> None:
    env = {"CREDS_KEY": "k" * 64, "DATABASE_URL": "postgres://x", "SECRET_KEY": "s"}
    result = resolve("${CREDS_KEY}/${DATABASE_URL}/${SECRET_KEY}", env)
    assert result.value == "${CREDS_KEY}/${DATABASE_URL}/${SECRET_KEY}"
    assert result.protected == ("CREDS_KEY", "DATABASE_URL", "SECRET_KEY")


def test_no_default_syntax_and_plain_text_untouched() -> None:
    assert resolve("${A:-x} $A {{LIBRECHAT_USER_ID}}", {"A": "1"}).value == (
        "${A:-x} $A {{LIBRECHAT_USER_ID}}"
    )
