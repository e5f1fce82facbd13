"""Files in the composer as a user adds them: the paperclip, paste and drop; a progress bar
per upload, thumbnails, remove before sending, "upload as text", images resized in the
browser (fileConfig.clientImageResize), the files on the message after sending and after a
reload, and the mock's `echo-parts:` answer proving the model received each file's bytes.

This module runs its own Parley: a vision model (PARLEY_VISION_MODELS) and clientImageResize
on, which the suite's shared server does not have."""

from __future__ import annotations

import base64
import hashlib
import io
import json
from collections.abc import Iterator

import pytest
from PIL import Image

from tests.chatapp.files.test_extraction import pdf_with_text
from tests.e2e.conftest import PASSWORD, LiveServer, run_parley, shot, watched_page

pytestmark = pytest.mark.e2e

ANSWER = "[data-testid=message][data-role=assistant]"
USER = "[data-testid=message][data-role=user]"
ITEM = "[data-testid=attachment]"
MAX_SIDE = 64  # clientImageResize's bounds here


def _config(mock_url: str) -> str:
    endpoint = {
        "name": "Mock",
        "apiKey": "mock-key",
        "baseURL": mock_url,
        "models": {"default": ["mock-model", "mock-vision"]},
    }
    no_files = {**endpoint, "name": "No files", "models": {"default": ["mock-model"]}}
    resize = {"enabled": True, "maxWidth": MAX_SIDE, "maxHeight": MAX_SIDE, "quality": 0.8}
    return json.dumps(
        {
            "version": "1.2.8",
            "endpoints": {"custom": [endpoint, no_files]},
            "fileConfig": {
                "clientImageResize": resize,
                "endpoints": {"No files": {"disabled": True}},
            },
        }
    )


@pytest.fixture(scope="module")
def files_server(_mock_provider_server, tmp_path_factory) -> Iterator[LiveServer]:
    data = tmp_path_factory.mktemp("e2e-files")
    config = _config(_mock_provider_server.openai_url)
    with run_parley(
        _mock_provider_server, data, users=5, config=config, PARLEY_VISION_MODELS="mock-vision"
    ) as server:
        yield server


@pytest.fixture
def page(browser, files_server):
    with watched_page(browser, files_server.url) as page:
        page.goto("/accounts/login/")
        page.fill("input[name=login]", files_server.next_email())
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_selector("[data-testid=composer]")
        yield page


def png(width: int, height: int, color=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, "PNG")
    return out.getvalue()


def send(page, text: str, count: int = 1) -> str:
    page.fill("[data-testid=composer]", text)
    page.keyboard.press("Enter")
    page.wait_for_function(
        f"() => document.querySelectorAll('{ANSWER}[data-state=complete]').length >= {count}"
    )
    # The Markdown source: the rendered answer joins the mock's lines into one paragraph.
    body = page.locator(f"{ANSWER} [data-testid=message-body]").last
    return body.get_attribute("data-source")


def wait_uploaded(page, count: int) -> None:
    page.wait_for_function(
        f"() => document.querySelectorAll('{ITEM}[data-state=done]').length === {count}"
    )


def my_files(page) -> list[dict]:
    return page.request.get("/api/files").json()["files"]


def line(stored: dict) -> str:
    return f"{stored['kind']} {stored['mime']} {stored['size']} {stored['sha256']}"


def put_files(page, event: str, files: list[tuple[str, str, bytes]]) -> None:
    """Dispatch a `paste` on the composer or a `drop` on it, carrying `files` as the
    browser's DataTransfer does (name, type, bytes)."""
    encoded = [(name, mime, base64.b64encode(data).decode()) for name, mime, data in files]
    page.locator("[data-testid=composer]").evaluate(
        """(box, [event, files]) => {
          const transfer = new DataTransfer();
          for (const [name, type, data] of files) {
            const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
            transfer.items.add(new File([bytes], name, { type }));
          }
          const init = { bubbles: true, cancelable: true };
          box.dispatchEvent(event === "paste"
            ? new ClipboardEvent("paste", { ...init, clipboardData: transfer })
            : new DragEvent("drop", { ...init, dataTransfer: transfer }));
        }""",
        [event, encoded],
    )


def test_paperclip_progress_resize_thumbnail_vision_answer_and_reload(page):
    # No paperclip on an endpoint whose uploads are turned off.
    page.select_option("[data-testid=endpoint-select]", "No files")
    page.wait_for_selector("[data-testid=attach]", state="hidden")
    page.select_option("[data-testid=endpoint-select]", "Mock")
    page.wait_for_selector("[data-testid=attach]", state="visible")
    page.select_option("[data-testid=model-select]", "mock-vision")
    # A slow link, so that the upload is seen part-way: the bar moves before it is done.
    network = page.context.new_cdp_session(page)
    network.send("Network.enable")
    slow = {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": 64_000}
    network.send("Network.emulateNetworkConditions", slow)
    notes = b"Meeting notes\n" + b"x" * 400_000
    with page.expect_file_chooser() as chooser:
        page.click("[data-testid=attach]")
    chooser.value.set_files({"name": "notes.txt", "mimeType": "text/plain", "buffer": notes})
    page.wait_for_function(
        "() => { const bar = document.querySelector('[data-testid=upload-progress]');"
        " return bar && bar.value > 0 && bar.value < 100; }"
    )
    assert page.locator(ITEM).get_attribute("data-state") == "uploading"
    shot(page, "attachments-progress")
    slow.update(uploadThroughput=-1)
    network.send("Network.emulateNetworkConditions", slow)
    wait_uploaded(page, 1)
    assert page.locator(f"{ITEM} [data-testid=upload-progress]").is_hidden()
    assert page.locator(f"{ITEM} .file-name").inner_text() == "notes.txt"
    assert page.locator(f"{ITEM} [data-testid=as-text]").is_visible()  # a document's choice
    # Remove it before sending: gone from the tray and from the user's files.
    with page.expect_response(lambda r: r.request.method == "DELETE") as deleted:
        page.click("[data-testid=remove-attachment]")
    assert deleted.value.status == 204
    assert page.locator(ITEM).count() == 0
    assert my_files(page) == []

    # A 400×300 photo through the paperclip: resized in the browser to fit 64×64, as JPEG.
    with page.expect_file_chooser() as chooser:
        page.click("[data-testid=attach]")
    chooser.value.set_files({"name": "photo.png", "mimeType": "image/png", "buffer": png(400, 300)})
    wait_uploaded(page, 1)
    thumb = page.locator(f"{ITEM} [data-testid=attachment-thumb]")
    assert thumb.is_visible()
    assert thumb.evaluate("(img) => img.complete && img.naturalWidth") == MAX_SIDE
    assert page.locator(f"{ITEM} [data-testid=as-text]").is_hidden()  # an image has no text
    (stored,) = my_files(page)
    assert (stored["name"], stored["mime"]) == ("photo.jpg", "image/jpeg")
    content = page.request.get(stored["url"]).body()
    assert Image.open(io.BytesIO(content)).size == (64, 48)
    assert hashlib.sha256(content).hexdigest() == stored["sha256"]

    question = "echo-parts: what is in this photo?"
    answer = send(page, question)
    question_line = (
        f"text text/plain {len(question)} {hashlib.sha256(question.encode()).hexdigest()}"
    )
    assert answer.splitlines() == [question_line, line(stored)]
    assert page.locator(ITEM).count() == 0  # the tray is empty once sent
    chip = page.locator(f"{USER} [data-testid=message-file]")
    assert chip.get_attribute("data-kind") == "image"
    assert chip.get_attribute("href") == stored["url"]
    shot(page, "attachments-sent-image")

    page.reload()
    chip = page.locator(f"{USER} [data-testid=message-file]")
    chip.wait_for()
    assert chip.get_attribute("href") == stored["url"]  # opens the image
    chip.locator("img").evaluate("(img) => img.decode()")
    assert chip.locator("img").evaluate("(img) => img.naturalWidth") == 64


def test_paste_drop_upload_as_text_and_the_document_chip_after_reload(page):
    page.select_option("[data-testid=model-select]", "mock-vision")
    put_files(page, "paste", [("shot.png", "image/png", png(20, 10, (10, 200, 10)))])
    wait_uploaded(page, 1)
    assert page.locator(f"{ITEM} [data-testid=attachment-thumb]").is_visible()
    report = pdf_with_text("Quarterly figures").getvalue()
    put_files(page, "drop", [("report.pdf", "application/pdf", report)])
    wait_uploaded(page, 2)
    names = page.locator(f"{ITEM} .file-name").all_inner_texts()
    assert names == ["shot.png", "report.pdf"]
    # A file the server refuses says why in the tray, and is not sent.
    put_files(page, "drop", [("tool.bin", "application/octet-stream", bytes(range(256)) * 4)])
    refused = page.locator(f"{ITEM}[data-state=error]")
    refused.wait_for()
    error = refused.locator("[data-testid=attachment-error]").inner_text()
    assert error == "The file's type cannot be told from its contents."
    # The PDF as its text, although this model reads PDFs.
    page.locator(ITEM).nth(1).locator("[data-testid=as-text]").check()
    shot(page, "attachments-tray")
    answer = send(page, "echo-parts: read both").splitlines()
    shot_file, pdf_file = sorted(my_files(page), key=lambda f: f["name"] != "shot.png")
    as_text = b"report.pdf:\n\nQuarterly figures"
    assert answer[1:] == [
        line(shot_file),
        f"text text/plain {len(as_text)} {hashlib.sha256(as_text).hexdigest()}",
    ]
    chips = page.locator(f"{USER} [data-testid=message-file]")
    assert chips.count() == 2
    assert page.locator(ITEM).count() == 1  # the refused file stays, saying why
    document = chips.nth(1)
    assert document.get_attribute("data-kind") == "document"
    assert document.locator(".file-name").inner_text() == "report.pdf"
    assert document.locator("[data-testid=as-text-badge]").is_visible()
    size = document.locator(".file-size").inner_text()
    assert size == f"{len(report)}\u00a0bytes"

    page.reload()
    chips = page.locator(f"{USER} [data-testid=message-file]")
    chips.first.wait_for()
    document = chips.nth(1)
    assert document.locator(".file-name").inner_text() == "report.pdf"
    assert document.locator(".file-size").inner_text() == size  # as the server writes it
    assert document.get_attribute("href") == pdf_file["url"]
    assert document.locator("[data-testid=as-text-badge]").is_visible()
    assert chips.first.locator("img").is_visible()
    shot(page, "attachments-after-reload")
