"""The heap a web process has when it starts serving, left out of garbage collection.

By then its Python heap holds some 300,000 objects that live as long as the process
(modules, Django's apps and URL patterns, the SDKs' types and models). Every full
collection walked all of them again: 100-170 ms each on the benchmark's machine, with one
or two inside a 200-user burst while every turn waited (bench/README.md). `gc.freeze()`
moves them to the permanent generation, which collections skip; what the process makes
afterwards is collected as before.
"""

from __future__ import annotations

import gc


def freeze() -> None:
    """Collect what is garbage now, then leave everything still alive out of collections."""
    gc.collect()
    gc.freeze()
