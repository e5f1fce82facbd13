"""Benchmarks with their targets: `python -m bench` runs them all, `python -m bench.<name>` one."""

import os


def share_secrets() -> None:
    """One set of SECRET_KEY, CREDS_KEY and CREDS_IV for this run and the servers it starts
    (production mode refuses to start without them), unless the environment has its own."""
    from chatapp.conf.environment import new_secrets

    for name, value in new_secrets().items():
        os.environ[name] = os.environ.get(name) or value
