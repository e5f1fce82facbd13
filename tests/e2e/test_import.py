"""A LibreChat user, imported from a mongodump, signs in with the old password and finds
their conversation with its branches."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta

from tests.chatapp.importer import dumps
from tests.e2e.conftest import ROOT, shot

ANSWER = "[data-testid=message][data-role=assistant]"


def test_an_imported_tree_shows_its_branches(page, parley_server, tmp_path):
    ada = dumps.user("ada-e2e@librechat.test", "librechat-pass-1")
    conv = dumps.conversation(ada, title="Imported with branches", endpoint="Mock")
    question = dumps.message(conv, None, "Which is the tallest mountain?")
    first = dumps.message(conv, question["messageId"], "Everest, first answer.",
                          isCreatedByUser=False, model="mock-model",
                          createdAt=dumps.T0 + timedelta(seconds=1))  # fmt: skip
    second = dumps.message(conv, question["messageId"], "Mount Everest, second answer.",
                           isCreatedByUser=False, model="mock-model",
                           createdAt=dumps.T0 + timedelta(seconds=2))  # fmt: skip
    dumps.write(tmp_path, {"users": [ada], "conversations": [conv],
                           "messages": [second, question, first]})  # fmt: skip
    subprocess.run(
        [sys.executable, "manage.py", "import_librechat", str(tmp_path)],
        cwd=ROOT, env=parley_server.env, check=True, capture_output=True,
    )  # fmt: skip

    page.goto("/accounts/login/")
    page.fill("input[name=login]", "ada-e2e@librechat.test")
    page.fill("input[name=password]", "librechat-pass-1")
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=composer]")
    page.goto(f"/c/{conv['conversationId']}")

    answer = page.locator(ANSWER).last
    answer.wait_for()
    assert "second answer" in answer.inner_text()
    assert answer.locator(".siblings").inner_text().strip().endswith("2/2")
    answer.locator("[data-testid=sibling-prev]").click()
    page.wait_for_function(
        f"() => document.querySelector('{ANSWER} .siblings')?.innerText.includes('1/2')"
    )
    assert "first answer" in page.locator(ANSWER).last.inner_text()
    shot(page, "import-branches")
