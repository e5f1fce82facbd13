"""The Files page and the avatar as people use them, in Chromium under the strict CSP: list
(name, type, size, date, thumbnail), search by name, delete after confirming, "use in a new
message" (the new chat carries the file for the composer: docs/files.md); an avatar
uploaded on the account page shows in the sidebar and on the user's own messages, an
oversize one is refused in the browser, and it can be removed."""

from __future__ import annotations

import hashlib
import io
import re

import pytest
from PIL import Image

from tests.e2e.conftest import shot
from tests.e2e.test_chat import send, wait_complete

pytestmark = pytest.mark.e2e

ROW = "[data-testid=file-row]"


def png(width: int = 40, height: int = 30, color=(220, 40, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, "PNG")
    return out.getvalue()


def upload(page, name: str, data: bytes, mime: str) -> dict:
    """An upload through POST /api/files, as the composer sends one."""
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    response = page.request.post(
        "/api/files",
        multipart={"file": {"name": name, "mimeType": mime, "buffer": data}, "endpoint": "Mock"},
        headers={"X-CSRFToken": token},
    )
    assert response.status == 201, response.text()
    return response.json()


def names(page) -> list[str]:
    return page.locator(f"{ROW} [data-testid=file-name]").all_inner_texts()


def open_files_page(page) -> None:
    page.goto("/")
    page.click("[data-testid=user-menu]")
    page.click("[data-testid=files-link]")
    page.wait_for_url("**/files")


def test_list_search_and_delete_with_confirmation(signed_in):
    page = signed_in
    made = upload(page, "cat.png", png(), "image/png")
    upload(page, "Trip notes.md", b"# Lisbon\nTake the tram.\n", "text/markdown")
    open_files_page(page)
    assert names(page) == ["Trip notes.md", "cat.png"]
    cat = page.locator(ROW).filter(has_text="cat.png")
    assert cat.locator("[data-testid=file-type]").inner_text() == "image/png"
    size = cat.locator("[data-testid=file-size]").inner_text()
    assert re.fullmatch(rf"{made['size']}\s+bytes", size)
    assert cat.locator("time").get_attribute("datetime")
    thumb = cat.locator("img[data-testid=file-thumb]")
    page.wait_for_function(
        "() => document.querySelector('img[data-testid=file-thumb]')?.naturalWidth === 40"
    )
    assert thumb.count() == 1
    shot(page, "files-page")

    page.fill("[data-testid=file-search]", "TRIP")
    page.wait_for_function("() => document.querySelectorAll('[data-testid=file-row]').length === 1")
    assert names(page) == ["Trip notes.md"]
    assert "q=TRIP" in page.url  # the search is in the address: reload keeps it
    page.fill("[data-testid=file-search]", "zebra")
    page.get_by_text("No file matches.").wait_for()
    page.fill("[data-testid=file-search]", "")
    page.wait_for_function("() => document.querySelectorAll('[data-testid=file-row]').length === 2")

    page.once("dialog", lambda dialog: dialog.dismiss())  # changed my mind: nothing happens
    cat.locator("[data-testid=file-delete]").click()
    assert names(page) == ["Trip notes.md", "cat.png"]
    messages = []
    page.once("dialog", lambda dialog: (messages.append(dialog.message), dialog.accept()))
    cat.locator("[data-testid=file-delete]").click()
    page.wait_for_function("() => document.querySelectorAll('[data-testid=file-row]').length === 1")
    assert "cat.png" in messages[0] and "cannot be undone" in messages[0]
    page.reload()
    assert names(page) == ["Trip notes.md"]


def test_use_in_a_new_message_opens_a_new_chat_carrying_the_file(signed_in):
    page = signed_in
    made = upload(page, "cat.png", png(), "image/png")
    open_files_page(page)
    page.locator(ROW).filter(has_text="cat.png").locator("[data-testid=file-reuse]").click()
    page.wait_for_url(re.compile(rf"/\?attach={made['id']}$"))
    # The composer takes the file into its tray as an upload already done, once.
    item = page.locator("[data-testid=attachment][data-state=done]")
    item.wait_for()
    assert item.get_attribute("data-file-id") == made["id"]
    assert item.locator(".file-name").inner_text() == "cat.png"
    assert item.locator("[data-testid=attachment-thumb]").evaluate(
        "(img) => img.decode().then(() => img.naturalWidth > 0)"
    )
    assert page.evaluate("() => document.getElementById('reuse-files')") is None


def test_a_reused_file_is_sent_and_removing_it_from_the_tray_keeps_it(signed_in):
    page = signed_in
    text = "# Lisbon\nTake the tram.\n"
    made = upload(page, "Trip notes.md", text.encode(), "text/markdown")
    open_files_page(page)
    page.locator(ROW).filter(has_text="Trip notes.md").locator("[data-testid=file-reuse]").click()
    page.wait_for_url(re.compile(rf"/\?attach={made['id']}$"))
    page.locator("[data-testid=attachment][data-state=done]").wait_for()
    shot(page, "files-reuse-composer")
    send(page, "echo-parts: what do my notes say?")
    wait_complete(page)
    # The model got the message's text, then the file's (extracted, stripped) text headed by
    # its name: one `kind mime bytes sha256` line each.
    answer = page.locator("[data-testid=message][data-role=assistant] [data-testid=message-body]")
    words = answer.last.inner_text().split()
    parts = [words[i : i + 4] for i in range(0, len(words), 4)]
    sent = f"Trip notes.md:\n\n{text.strip()}".encode()
    assert len(parts) == 2 and parts[1] == [
        "text", "text/plain", str(len(sent)), hashlib.sha256(sent).hexdigest()
    ]  # fmt: skip
    mine = page.locator("[data-testid=message][data-role=user] [data-testid=message-file]")
    assert "Trip notes.md" in mine.inner_text()
    # Removing a reused file from the tray leaves it on the Files page (and on that message):
    # no DELETE is sent, as it would be for a file uploaded for this message.
    page.goto(f"/?attach={made['id']}")
    deletes = []
    page.on("request", lambda request: request.method == "DELETE" and deletes.append(request))
    page.locator("[data-testid=attachment] [data-testid=remove-attachment]").click()
    page.locator("[data-testid=attachments]").wait_for(state="hidden")
    page.evaluate("0")  # the request events of the click are delivered before this answer
    assert deletes == []
    open_files_page(page)
    assert names(page) == ["Trip notes.md"]


def test_an_avatar_shows_in_the_sidebar_and_on_my_messages_then_goes(signed_in):
    page = signed_in
    page.goto("/accounts/profile/")
    section = page.locator("[data-testid=avatar-section]")
    section.locator("[data-testid=avatar-initial]").wait_for()

    # Over fileConfig.avatarSizeLimit (LibreChat's 2 MB): refused before it is sent.
    big = {"name": "huge.png", "mimeType": "image/png", "buffer": png() + b"\0" * (2 * 2**20)}
    page.set_input_files("[data-testid=avatar-input]", big)
    page.click("[data-testid=avatar-save]")
    message = page.eval_on_selector("[data-testid=avatar-input]", "i => i.validationMessage")
    assert "huge.png is larger than 2.0 MB" in message
    assert section.locator("[data-testid=avatar-initial]").count() == 1

    # A PDF named .png: the server reads the bytes and says what they are.
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    page.set_input_files(
        "[data-testid=avatar-input]", {"name": "me.png", "mimeType": "image/png", "buffer": pdf}
    )
    page.click("[data-testid=avatar-save]")
    error = page.locator("[data-testid=avatar-error]")
    error.wait_for()
    assert "this is application/pdf" in error.inner_text()

    photo = {"name": "me.png", "mimeType": "image/png", "buffer": png(500, 300, (20, 90, 200))}
    page.set_input_files("[data-testid=avatar-input]", photo)
    page.click("[data-testid=avatar-save]")
    page.wait_for_function(
        "() => document.querySelector('[data-testid=avatar-image]')?.naturalWidth === 250"
    )
    shot(page, "account-avatar")

    page.goto("/")
    page.wait_for_function(
        "() => document.querySelector('[data-testid=user-avatar]')?.naturalWidth === 250"
    )
    send(page, "echo: hello")
    wait_complete(page)
    mine = page.locator("[data-testid=message][data-role=user] [data-testid=message-avatar]")
    assert mine.count() == 1
    chat_url = page.url
    page.reload()  # the saved thread shows it too
    page.locator("[data-testid=message][data-role=user] [data-testid=message-avatar]").wait_for()
    shot(page, "chat-avatar")

    page.goto("/accounts/profile/")
    page.click("[data-testid=avatar-remove]")
    page.locator("[data-testid=avatar-initial]").wait_for()
    page.goto(chat_url)
    page.locator("[data-testid=user-initial]").wait_for()
    assert page.locator("[data-testid=message-avatar], [data-testid=user-avatar]").count() == 0
