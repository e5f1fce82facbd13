"""The parts of the streaming benchmark (bench/stream_load.py), one job per module:
scenarios, services (the processes), users (sessions), client (Parley's WebSocket),
baseline (the SDK alone), record (what each stream saw), procstat (/proc), report."""
