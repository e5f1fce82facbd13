"""Images a `/v1` request carries inline, held to the limits of an upload (chatapp.files).

Only inline images are taken: OpenAI's `data:` URLs and Anthropic's base64 sources.
A remote URL is refused naming the field: Parley makes no request to an address an
API client picks (no server-side fetch to guard), and the client has the image anyway.

`decode` (while parsing): the bytes are valid base64, their type is sniffed from them
(never the client's word) and is one every provider reads, and they open in Pillow
within its pixel limit. `check` (once the endpoint and model are known): the
endpoint's `fileConfig` applies to a request's images as to one message's uploads
(turned off, `fileLimit`, `fileSizeLimit` and the server's limit, `totalSizeLimit`,
`supportedMimeTypes`), and the model must read images (LibreChat's vision list and
PARLEY_VISION_MODELS: endpoints/vision.py).
"""

from __future__ import annotations

import base64
import binascii
import io
import re
from collections.abc import Sequence

from chatapp.files import attachments, inspection, policy
from chatapp.files.sniff import HEAD_BYTES, sniff
from chatapp.files.uploads import megabytes
from chatapp.gateway.errors import ApiError, bad_request
from endpoints.adapters.base import ImagePart

DATA_URL = re.compile(r"data:[^,;]*(?:;[^,;]*)*;base64,(?P<data>.*)\Z", re.DOTALL)
Located = tuple[str, ImagePart]  # an image and the request field it came in


def from_data_url(url: object, where: str) -> ImagePart:
    if not isinstance(url, str):
        raise bad_request(f"`{where}` must be a string.", where)
    if not url.startswith("data:"):
        message = f"`{where}`: only base64 data: URLs are accepted (Parley fetches no image)."
        raise bad_request(message, where, "unsupported_image_url")
    match = DATA_URL.match(url)
    if match is None:
        raise bad_request(f"`{where}` is not a base64 data: URL.", where)
    return decode(match["data"], where)


def decode(data: object, where: str) -> ImagePart:
    """An image from its base64 text, checked as an upload is before it is stored."""
    if not isinstance(data, str):
        raise bad_request(f"`{where}` must be base64 text.", where)
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise bad_request(f"`{where}` is not valid base64.", where) from None
    _sized(len(raw), policy.server_limit(), where)
    mime = sniff(raw[:HEAD_BYTES])
    if mime not in inspection.PROVIDER_IMAGES:
        found = f" (its bytes are {mime})" if mime else ""
        message = f"`{where}` is not a PNG, JPEG, GIF or WebP image{found}."
        raise bad_request(message, where, "unsupported_type")
    try:
        inspection.check(io.BytesIO(raw), mime)
    except inspection.Unreadable as error:
        raise bad_request(f"`{where}`: {error}", where, "unreadable") from None
    return ImagePart(mime, raw)


def check(images: Sequence[Located], endpoint: str, model: str) -> None:
    """The request's images against the endpoint's file limits and the model's vision."""
    if not images:
        return
    first = images[0][0]
    limits = policy.limits_for(endpoint)
    if limits.disabled:
        raise _refused(f"Files are turned off for {endpoint}.", first, "uploads_disabled")
    if len(images) > limits.file_limit:
        message = f"At most {limits.file_limit} images per request on {endpoint}."
        raise _refused(message, first, "too_many_files")
    total = sum(len(part.data) for _, part in images)
    if total > limits.total_size:
        message = f"The images add up to {megabytes(total)}: over {endpoint}'s limit of "
        raise _refused(message + f"{megabytes(limits.total_size)}.", first, "files_too_large")
    for where, part in images:
        _sized(len(part.data), min(limits.file_size, policy.server_limit()), where)
        if not limits.accepts(part.mime):
            message = f"`{where}`: {part.mime} files are not accepted on {endpoint}."
            raise _refused(message, where, "unsupported_type")
    if not attachments.vision(model):
        message = f"{model} cannot read images: pick a model that can."
        raise _refused(message, first, "unreadable_attachment")


def _sized(size: int, limit: int, where: str) -> None:
    """As an upload's size check (chatapp.files.uploads): empty, or over the limit."""
    if size <= 0:
        raise bad_request(f"`{where}` is empty.", where, "empty_file")
    if size > limit:
        over = f"{megabytes(size)}: over the limit of {megabytes(limit)}"
        message = f"`{where}`: the image is {over}."
        raise ApiError(413, "invalid_request_error", message, "file_too_large", where)


def _refused(message: str, where: str, code: str) -> ApiError:
    return ApiError(400, "invalid_request_error", message, code, where)
