"""Where a kind of file is kept: the configured strategy's Django storage.

`fileStrategy`/`fileStrategies` (or STORAGE_TYPE) choose the strategy per kind
(endpoints/filestorage.py). `local` is a FileSystemStorage under the data
directory (settings.FILES_ROOT, private: 0700 directories, 0600 files); `s3` and
`azure_blob` are django-storages' backends (boto3, azure-storage-blob), private,
read through short-lived signed URLs (chatapp/files/serving.py). Uploads stream
to them in chunks of a few MB, never read whole into memory. Object keys carry the
owner and a random id, never the user's file name.
"""

from __future__ import annotations

import contextlib
import functools
import uuid
from typing import IO

from azure.core.exceptions import AzureError, ResourceExistsError
from azure.storage.blob import BlobServiceClient
from boto3.s3.transfer import TransferConfig
from botocore.config import Config as BotoConfig
from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage
from storages.backends.azure_storage import AzureStorage
from storages.backends.s3 import S3Storage

from endpoints import config
from endpoints.files import Kind
from endpoints.filestorage import AzureSettings, S3Settings, StorageSettings

MB = 1024 * 1024
PART = 5 * MB  # S3's smallest multipart part; an upload holds two in memory at most
BLOCK = 4 * MB  # Azure's block; uploads above one block go block by block
# A remote store that is down, or refuses (a missing bucket, bad keys): the operator's to fix.
REMOTE_ERRORS = (BotoCoreError, ClientError, AzureError)


def configured() -> StorageSettings:
    return config.current().storage


def strategy(kind: Kind) -> str:
    return configured().strategy_for(kind)


@functools.cache
def storage(name: str) -> Storage:
    """The storage of strategy `name` (one per process)."""
    found = configured()
    if name == "local":
        return FileSystemStorage(
            location=settings.FILES_ROOT,
            file_permissions_mode=0o600,
            directory_permissions_mode=0o700,
        )
    if name == "s3" and found.s3 is not None:
        return s3_storage(found.s3, found.url_expiry)
    if name == "azure_blob" and found.azure is not None:
        return azure_storage(found.azure, found.url_expiry)
    needed = "AWS_BUCKET_NAME and AWS_REGION" if name == "s3" else "AZURE_STORAGE_CONNECTION_STRING"
    raise ImproperlyConfigured(f"files are kept on {name!r}, which needs {needed}")


def s3_storage(s3: S3Settings, expiry: int) -> S3Storage:
    style = "path" if s3.force_path_style else "auto"
    return S3Storage(
        bucket_name=s3.bucket,
        region_name=s3.region,
        endpoint_url=s3.endpoint_url,
        access_key=s3.access_key_id,
        secret_key=s3.secret_access_key,
        default_acl=None,  # private: read through presigned URLs only
        querystring_auth=True,
        querystring_expire=expiry,
        file_overwrite=True,  # keys are random: no existence check per upload
        max_memory_size=2 * MB,  # a read spills to disk past this
        client_config=BotoConfig(
            signature_version="s3v4",
            s3={"addressing_style": style},
            retries={"mode": "standard", "max_attempts": 3},
        ),
        transfer_config=transfer_config(),
    )


def transfer_config() -> TransferConfig:
    found = TransferConfig(multipart_threshold=PART, multipart_chunksize=PART, max_concurrency=2)
    found.max_in_memory_upload_chunks = 2  # s3transfer reads 10 parts ahead by default
    return found


class _AzureStorage(AzureStorage):
    """django-storages' Azure backend, with its client options applied to a connection
    string too (the backend passes them only to the account-name client)."""

    def _get_service_client(self) -> BlobServiceClient:
        return BlobServiceClient.from_connection_string(
            self.connection_string, **self.client_options
        )


def azure_storage(azure: AzureSettings, expiry: int) -> AzureStorage:
    found = _AzureStorage(
        connection_string=azure.connection_string,
        azure_container=azure.container,
        expiration_secs=None if azure.public_access else expiry,
        client_options={"max_single_put_size": BLOCK, "max_block_size": BLOCK},
    )
    with contextlib.suppress(ResourceExistsError):  # LibreChat creates it, public if asked
        found.client.create_container(public_access="blob" if azure.public_access else None)
    return found


@functools.cache  # asked on every page (chatapp/middleware.py)
def azure_account_url(azure: AzureSettings) -> str:
    """The Blob service's URL, read from the connection string (no request is made)."""
    return BlobServiceClient.from_connection_string(azure.connection_string).url


def typed(upload: IO[bytes], mime: str) -> File:
    """The upload's stream, labelled with the type sniffed from its bytes: the remote
    backends would otherwise store the browser's Content-Type."""
    content = File(getattr(upload, "file", upload), name=getattr(upload, "name", None))
    content.content_type = mime
    return content


def new_key(kind: Kind, owner_id: object) -> str:
    return f"{kind}s/{owner_id}/{uuid.uuid4().hex}"
