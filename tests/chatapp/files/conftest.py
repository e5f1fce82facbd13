"""Files fixtures: a private storage directory, a fresh cache, real file bytes, and real
S3 and Azure Blob servers on loopback."""

from __future__ import annotations

import base64
import io
import struct
import subprocess
import threading
import uuid
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfWriter

from chatapp.files import storage
from endpoints import config, registry
from tests.conftest import require_service


@pytest.fixture(autouse=True)
def files_root(settings, tmp_path):
    """Uploads go under this test's own directory; counters start at zero."""
    settings.FILES_ROOT = tmp_path / "files"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "f"}
    }
    from django.core.cache import cache

    cache.clear()
    storage.storage.cache_clear()
    yield settings.FILES_ROOT
    storage.storage.cache_clear()


@pytest.fixture
def file_config(settings, tmp_path):
    """Use a librechat.yaml with this text after `version:` (fileConfig and friends)."""

    def configure(text: str = "") -> None:
        path = tmp_path / "librechat.yaml"
        path.write_text("version: 1.3.14\n" + text)
        settings.CONFIG_PATH = str(path)
        config.current.cache_clear()
        registry.current.cache_clear()

    configure()
    yield configure
    config.current.cache_clear()
    registry.current.cache_clear()


def png_bytes(width: int = 4, height: int = 3, color=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, "PNG")
    return out.getvalue()


def pdf_bytes(pages: int = 1) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def bomb_png(side: int = 100_000) -> bytes:
    """A PNG whose header claims side×side pixels (10 billion) in a few hundred bytes."""
    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)  # 8-bit greyscale
    rows = zlib.compress(b"\x00" * 1024)
    chunks = _chunk(b"IHDR", header) + _chunk(b"IDAT", rows) + _chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + chunks


ODS_MIME = "application/vnd.oasis.opendocument.spreadsheet"
ODS_NAMESPACES = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/"'
)


def ods_bytes(sheets: str, *, prologue: str = "") -> bytes:
    """An OpenDocument spreadsheet as LibreOffice lays it out: `mimetype` first and
    stored, a manifest, and content.xml with `sheets` (table:table elements) in its body."""
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?>{prologue}'
        f'<office:document-content {ODS_NAMESPACES} office:version="1.3">'
        f"<office:body><office:spreadsheet>{sheets}</office:spreadsheet></office:body>"
        "</office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
        'manifest:version="1.3"><manifest:file-entry manifest:full-path="/" '
        f'manifest:media-type="{ODS_MIME}"/><manifest:file-entry '
        'manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), ODS_MIME, zipfile.ZIP_STORED)
        archive.writestr("META-INF/manifest.xml", manifest)
        archive.writestr("content.xml", content)
    return out.getvalue()


def ods_cell(text: str, *attributes: str) -> str:
    return f"<table:table-cell {' '.join(attributes)}><text:p>{text}</text:p></table:table-cell>"


def upload(name: str, data: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


# --- real object stores on loopback: S3 (moto's server) and Azure Blob (azurite) ---------

AZURITE = Path(__file__).parent / "servers/azurite/node_modules/azurite/dist/src/blob/main.js"
# Azurite's well-known development account (public; it signs the SAS URLs under test).
AZURITE_ACCOUNT = "devstoreaccount1"
AZURITE_KEY = (
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)


@dataclass
class Store:
    """A remote store under test: its strategy, and what it holds, read with its own SDK."""

    strategy: str
    keys: Callable[[], list[str]]
    content_type: Callable[[str], str]
    parts: Callable[[str], int]  # how many parts (S3) or blocks (Azure) an object went up in
    refuse: Callable[[], None]  # the store refuses writes from now on


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """moto's S3 server (a real HTTP server) on an ephemeral loopback port."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture(scope="session")
def azurite_endpoint(tmp_path_factory) -> Iterator[str]:
    """Azurite's Blob service (npm, installed by scripts/test-deps) on a loopback port."""
    if not AZURITE.is_file():
        require_service("Azurite", f"{AZURITE} is missing: run `make test-deps`")
    command = ["node", str(AZURITE), "--blobHost", "127.0.0.1", "--blobPort", "0"]
    command += ["--inMemoryPersistence", "--silent", "--skipApiVersionCheck", "--disableTelemetry"]
    process = subprocess.Popen(
        command,
        cwd=tmp_path_factory.mktemp("azurite"),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines = []
    for line in process.stdout:  # "... successfully listens on http://127.0.0.1:PORT"
        lines.append(line)
        if "listens on http://" in line:
            break
    if process.poll() is not None or not lines or "listens on" not in lines[-1]:
        process.kill()
        raise RuntimeError("azurite did not start:\n" + "".join(lines))
    threading.Thread(target=lambda: [None for _ in process.stdout], daemon=True).start()
    yield lines[-1].rsplit(" ", 1)[-1].strip() + f"/{AZURITE_ACCOUNT}"
    process.terminate()
    process.wait(10)


def azurite_connection(endpoint: str) -> str:
    return (
        f"DefaultEndpointsProtocol=http;AccountName={AZURITE_ACCOUNT};AccountKey={AZURITE_KEY};"
        f"BlobEndpoint={endpoint};"
    )


def s3_store(endpoint: str, settings, file_config) -> Store:
    import boto3

    bucket = f"parley-{uuid.uuid4().hex[:12]}"
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="test-key",
        aws_secret_access_key="test-secret",
    )
    client.create_bucket(Bucket=bucket)  # LibreChat expects the bucket to exist
    settings.ENV = {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "test-key",
        "AWS_SECRET_ACCESS_KEY": "test-secret",
        "AWS_REGION": "us-east-1",
        "AWS_BUCKET_NAME": bucket,
        "AWS_FORCE_PATH_STYLE": "true",
        "S3_URL_EXPIRY_SECONDS": "60",
    }
    file_config("fileStrategy: s3\n")

    def parts(key: str) -> int:  # a multipart object's ETag ends with -<parts>
        etag = client.head_object(Bucket=bucket, Key=key)["ETag"].strip('"')
        return int(etag.split("-")[1]) if "-" in etag else 1

    return Store(
        "s3",
        lambda: [o["Key"] for o in client.list_objects_v2(Bucket=bucket).get("Contents", [])],
        lambda key: client.head_object(Bucket=bucket, Key=key)["ContentType"],
        parts,
        lambda: client.delete_bucket(Bucket=bucket),
    )


def azure_store(endpoint: str, settings, file_config, public: bool = False) -> Store:
    from azure.core.exceptions import ResourceNotFoundError
    from azure.storage.blob import BlobServiceClient

    connection = azurite_connection(endpoint)
    name = f"parley-{uuid.uuid4().hex[:12]}"
    container = BlobServiceClient.from_connection_string(connection).get_container_client(name)

    def keys() -> list[str]:
        try:
            return [blob.name for blob in container.list_blobs()]
        except ResourceNotFoundError:  # Parley creates the container on first use
            return []

    def configure(connection: str) -> None:
        settings.ENV = {
            "AZURE_STORAGE_CONNECTION_STRING": connection,
            "AZURE_CONTAINER_NAME": name,
            "AZURE_STORAGE_PUBLIC_ACCESS": "true" if public else "false",
            "S3_URL_EXPIRY_SECONDS": "60",
        }
        file_config("fileStrategy: azure_blob\n")
        storage.storage.cache_clear()

    def refuse() -> None:  # another account key: every request is refused (403)
        configure(connection.replace(AZURITE_KEY, base64.b64encode(b"x" * 64).decode()))

    configure(connection)
    blob = container.get_blob_client
    return Store(
        "azure_blob",
        keys,
        lambda key: blob(key).get_blob_properties().content_settings.content_type,
        lambda key: len(blob(key).get_block_list("committed")[0]),
        refuse,
    )


@pytest.fixture(params=["s3", "azure_blob"])
def remote(request, settings, file_config) -> Store:
    """Files kept on a real S3 (moto) or Azure Blob (azurite) server: each test its own
    bucket or container."""
    if request.param == "s3":
        return s3_store(request.getfixturevalue("moto_endpoint"), settings, file_config)
    return azure_store(request.getfixturevalue("azurite_endpoint"), settings, file_config)
