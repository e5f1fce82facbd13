"""Where a kind of file is kept: the configured strategy's Django storage.

`fileStrategy`/`fileStrategies` choose the strategy per kind (endpoints/files.py);
`local` is a FileSystemStorage under the data directory (settings.FILES_ROOT,
private: 0700 directories, 0600 files). Object keys carry the owner and a random
id, never the user's file name.
"""

from __future__ import annotations

import functools
import uuid

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage

from endpoints import config
from endpoints.files import Kind, strategy_for


def strategy(kind: Kind) -> str:
    file = config.current().file
    if file is None:
        return "local"
    return strategy_for(file.fileStrategy, file.fileStrategies, kind)


@functools.cache
def storage(name: str) -> Storage:
    """The storage of strategy `name` (one per process)."""
    if name == "local":
        return FileSystemStorage(
            location=settings.FILES_ROOT,
            file_permissions_mode=0o600,
            directory_permissions_mode=0o700,
        )
    raise ValueError(f"no storage for strategy {name!r}")


def new_key(kind: Kind, owner_id: object) -> str:
    return f"{kind}s/{owner_id}/{uuid.uuid4().hex}"
