from endpoints.mock.replies import Prompt, chunks, plan, reply_text


def prompt(text: str, reasoning: bool = False) -> Prompt:
    return Prompt("m", (("system", "be brief"), ("user", text)), True, reasoning)


def test_echo_returns_exact_text_after_one_space():
    assert reply_text(prompt("echo:  two spaces"), 12) == " two spaces"
    assert reply_text(prompt("echo:**bold**"), 12) == "**bold**"


def test_echo_reply_comes_in_several_lossless_chunks():
    for text in ["x", "hi", "<b>über</b> ü 😀\n\n```py\nx = 1\n```", "averyveryverylongword"]:
        pieces = chunks(text)
        assert "".join(pieces) == text
        assert len(pieces) >= (2 if len(text) > 1 else 1)


def test_other_prompts_cycle_their_own_words_deterministically():
    first = plan(prompt("Hello there"), 5)
    assert first.full_text == "hello there hello there hello"
    assert first == plan(prompt("Hello there"), 5)
    assert first.reasoning == ()


def test_reasoning_only_when_asked():
    assert plan(prompt("hi", reasoning=True), 3).full_reasoning.startswith("Thinking about m")


def test_the_tool_script_one_line_per_step() -> None:
    from endpoints.mock.replies import Call, calls, conversation

    text = 'tool: echo {"text": "a; b"}\ntools: echo {"x": 1}; lookup; other {"y": [2]}'
    messages, results = conversation([("user", text, None)])
    first = Prompt("m", messages, True, False, results)
    assert calls(first) == (Call("call_0_0", "echo", '{"text": "a; b"}'),)
    later, results = conversation(
        [("user", text, None), ("assistant", "", None), ("tool", "", ("r1",))]
    )
    second = Prompt("m", later, True, False, results)
    assert [(c.id, c.name, c.arguments) for c in calls(second)] == [
        ("call_1_0", "echo", '{"x": 1}'),
        ("call_1_1", "lookup", "{}"),
        ("call_1_2", "other", '{"y": [2]}'),
    ]
    done, results = conversation(
        [*[("user", text, None), ("assistant", "", None), ("tool", "", ("r1",))],
         ("assistant", "", None), ("tool", "", ("x",)), ("tool", "", ("y",))]
    )  # fmt: skip
    final = Prompt("m", done, True, False, results)
    assert calls(final) == () and plan(final, 5).full_text == "result: x; y"


def test_a_forced_tool_is_called_with_its_required_strings() -> None:
    from endpoints.mock.replies import Call, conversation, forced

    schema = {
        "type": "object",
        "properties": {"query": {"type": "string"}, "page": {"type": "integer"}, "x": {}},
        "required": ["query", "page", "missing"],
    }
    must = forced("search", {"search": schema, "other": {}})
    messages, results = conversation([("user", "news today", None)])
    first = plan(Prompt("m", messages, True, False, results, forced=must), 5)
    assert (first.calls, first.text) == (
        (Call("call_0_0", "search", '{"query": "news today"}'),),
        (),
    )
    assert forced("unknown", {"search": schema}) is None
    assert forced(None, {"search": schema}) is None


def test_a_client_that_keeps_forcing_after_the_results_gets_another_call() -> None:
    """As a provider does: the mock never answers while a tool is forced."""
    from endpoints.mock.replies import conversation, forced

    must = forced("search", {"search": {}})
    history = [("user", "q", None), ("assistant", "", None), ("tool", "", ("r",))]
    messages, results = conversation(history)
    again = plan(Prompt("m", messages, True, False, results, forced=must), 5)
    assert [call.name for call in again.calls] == ["search"]
    free = plan(Prompt("m", messages, True, False, results), 5)
    assert (free.calls, free.full_text) == ((), "result: r")
