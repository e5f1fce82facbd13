"""bench.streaming.idle: a server is busy while /metrics shows a generation or a
database unit running (the whole wait runs in tests/bench/test_stream_load.py)."""

from __future__ import annotations

from bench.streaming.idle import busy

IDLE = """\
# HELP parley_active_streams Generations running in this process
# TYPE parley_active_streams gauge
parley_active_streams 0.0
# TYPE parley_database_units gauge
parley_database_units 0.0
parley_turns_total{kind="send"} 3.0
"""


def test_nothing_running_is_idle():
    assert not busy(IDLE)


def test_a_running_generation_or_database_unit_is_busy():
    assert busy(IDLE.replace("parley_active_streams 0.0", "parley_active_streams 1.0"))
    assert busy(IDLE.replace("parley_database_units 0.0", "parley_database_units 2.0"))


def test_other_figures_do_not_count():
    assert not busy(IDLE + 'parley_database_pool_connections{state="idle"} 8.0\n')
