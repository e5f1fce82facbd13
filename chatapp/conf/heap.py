"""The heap of a web process that starts serving: left out of garbage collection, and
young objects collected less often.

By then its Python heap holds some 300,000 objects that live as long as the process
(modules, Django's apps and URL patterns, the SDKs' types and models). Every full
collection walked all of them again: 100-170 ms each on the benchmark's machine, with one
or two inside a 200-user burst while every turn waited (bench/README.md). `gc.freeze()`
moves them to the permanent generation, which collections skip; what the process makes
afterwards is collected as before.

A turn makes thousands of short-lived container objects (frames, requests, rows), so the
young generation filled every 700 allocations (CPython's default threshold): about 900
young collections in a 200-user run. YOUNG lets most of them die first.
"""

from __future__ import annotations

import gc

YOUNG = 10_000  # container objects allocated between collections of the young generation


def settle() -> None:
    """Collect what is garbage now, leave everything still alive out of collections, and
    collect the young generation every YOUNG allocations."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG, *gc.get_threshold()[1:])
