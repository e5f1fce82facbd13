"""The runs `python -m bench` makes by default, and how to describe a custom one.

`stream-*` (issue 9) measure the relay at streamRate 1 and 25 with long replies;
`turn-*` (issue 18) measure a whole turn as a user waits for it: 200 ms to the
provider's first token, 50 tokens/s, 300-token replies, everyone sending at once.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scenario:
    name: str
    streams: int = 0  # concurrent streams, each from its own signed-in user
    stream_rate: float = 1  # the endpoint's streamRate (ms)
    tokens_per_second: float = 50  # the mock's pace after the first token
    reply_tokens: int = 500
    ttft_ms: float = 100  # the mock's time to first token
    idle_sockets: int = 0  # signed-in sockets that stay open and silent
    processes: int = 1  # Parley web processes; the sockets are spread over them (needs Redis)

    @property
    def idle(self) -> bool:
        return self.idle_sockets > 0

    @property
    def patience_s(self) -> float:
        """How long a client waits for a whole reply before counting it as an error."""
        pace = self.tokens_per_second or 1000  # 0: unpaced
        return self.ttft_ms / 1000 + 4 * self.reply_tokens / pace + 60


STREAMS = [
    Scenario(f"stream-n{n}-rate{rate}", streams=n, stream_rate=rate)
    for n in (1, 50, 200, 500)
    for rate in (1, 25)
]
TURN = {"stream_rate": 25, "tokens_per_second": 50, "reply_tokens": 300, "ttft_ms": 200}
TURNS = [Scenario(f"turn-n{n}", streams=n, **TURN) for n in (1, 50, 200, 500)]
TWO_PROCESSES = Scenario("turn-n400-2proc", streams=400, processes=2, **TURN)
IDLE = Scenario("idle-1000", idle_sockets=1000)
ALL = [*TURNS, TWO_PROCESSES, *STREAMS, IDLE]
BY_NAME = {scenario.name: scenario for scenario in ALL}
