from chatapp.engine.pacing import TARGET_LATENCY, Pacer


def run(pacer: Pacer, start: float, until: float, step: float = 0.001) -> list[tuple[float, str]]:
    """Poll the pacer like the generation does; return (time, text) of every frame."""
    frames, now = [], start
    while now <= until:
        piece = pacer.take(now)
        if piece:
            frames.append((now, piece.text))
        now = round(now + step, 6)
    return frames


def test_rate_zero_passes_each_chunk_through():
    pacer = Pacer(0)
    out = []
    for index, chunk in enumerate(["Hel", "lo ", "world"]):
        pacer.push("text", chunk, index * 0.0001)
        out.append(pacer.take(index * 0.0001).text)
    assert out == ["Hel", "lo ", "world"]


def test_first_piece_goes_at_once():
    pacer = Pacer(100)
    pacer.push("text", "Hi ", 5.0)
    assert pacer.wait(5.0) == 0.0
    assert pacer.take(5.0).text == "Hi "


def test_at_most_one_frame_per_interval_and_nothing_lost():
    pacer = Pacer(25)
    text = "".join(f"word{i} " for i in range(200))
    for i in range(0, len(text), 7):  # a fast stream: a 7-char chunk every 0.1 ms
        pacer.push("text", text[i : i + 7], i / 70_000)
    frames = run(pacer, 0.0, 1.0)
    times = [t for t, _ in frames]
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert min(gaps) >= 0.025 - 1e-9
    rest = pacer.drain(2.0).text
    assert "".join(t for _, t in frames) + rest == text


def test_a_burst_is_revealed_progressively_within_the_target_latency():
    pacer = Pacer(25)
    burst = "lorem ipsum dolor sit amet " * 40  # ~1080 chars at once
    pacer.push("text", burst, 0.0)
    frames = run(pacer, 0.0, 1.0)
    assert len(frames) >= 8  # split across ticks, not one lump
    assert frames[-1][0] <= TARGET_LATENCY + 0.025  # drained within about 250 ms (+ one tick)
    assert "".join(t for _, t in frames) == burst
    assert all(t.endswith(" ") for _, t in frames[:-1])  # cut at word boundaries


def test_quiet_spell_sends_the_next_chunk_at_once():
    pacer = Pacer(100)
    pacer.push("text", "a ", 0.0)
    pacer.take(0.0)
    pacer.push("text", "b ", 0.5)
    assert pacer.wait(0.5) == 0.0


def test_text_and_reasoning_keep_their_order_and_kind():
    pacer = Pacer(10)
    pacer.push("reasoning", "thinking... ", 0.0)
    pacer.push("text", "answer", 0.0)
    pieces = [pacer.take(0.0), pacer.drain(0.01)]
    assert "".join(p.reasoning for p in pieces) == "thinking... "
    assert "".join(p.text for p in pieces) == "answer"


def test_wait_is_none_when_nothing_is_pending():
    pacer = Pacer(25)
    assert pacer.wait(0.0) is None
    assert pacer.take(0.0) is None
