"""librechat.yaml's `interface` on/off switches: on unless the config sets them false.

A switch that is off hides its control and its server action is refused; each feature
asks `on(name)` (presets.py, engine/admission.py for `parameters`, `sidePanel` and
`modelSelect`, views.py). What lives in the side panel (the parameters, the presets and
the conversation's instructions) is off with `sidePanel`, as the panel hides it all.
"""

from __future__ import annotations

from endpoints import config

IN_SIDE_PANEL = frozenset({"parameters", "presets"})


def on(name: str) -> bool:
    if name in IN_SIDE_PANEL and not _set("sidePanel"):
        return False
    return _set(name)


def _set(name: str) -> bool:
    file = config.current().file
    return not (file and file.interface and getattr(file.interface, name, None) is False)
