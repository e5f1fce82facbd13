"""librechat.yaml's `interface` on/off switches: on unless the config sets them false.

A switch that is off hides its control and its server action is refused; each feature
asks `on(name)` (presets.py, engine/admission.py for `parameters`, views.py)."""

from __future__ import annotations

from endpoints import config


def on(name: str) -> bool:
    file = config.current().file
    return not (file and file.interface and getattr(file.interface, name, None) is False)
