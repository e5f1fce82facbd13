"""Sentry error reporting, imported only when SENTRY_DSN is set."""

from chatapp.conf.environment import EnvError


def init_sentry(dsn: str, environment: str) -> None:
    try:
        import sentry_sdk
    except ImportError:
        raise EnvError(
            "SENTRY_DSN", dsn, "sentry-sdk installed too (pip install parley[sentry])"
        ) from None
    sentry_sdk.init(dsn=dsn, environment=environment, send_default_pii=False)
