"""Chatting as a user does: send, watch it stream, stop, regenerate, edit, switch branches,
reload mid-stream, see the title arrive, and model output that tries to run script.

The endpoint "Mock" is the mock provider: a message `echo: X` is answered with exactly X."""

import re

import pytest

from tests.e2e.conftest import shot

pytestmark = pytest.mark.e2e

ANSWER = "[data-testid=message][data-role=assistant]"
MARKDOWN = """# Release notes

Some **bold**, a [link](https://example.com) and `inline code`.

```python
def double(x):
    return x * 2
```

| size | price |
| --- | --- |
| small | 1 |

Euler: $e^{i\\pi} + 1 = 0$

$$\\int_0^1 x^2\\,dx = \\frac{1}{3}$$
"""
XSS = (
    '<img src=x onerror="window.__xss = 1">\n\n'
    "[click me](javascript:window.__xss=2)\n\n"
    "<script>window.__xss = 3</script>\n\n"
    '<a href="javascript:window.__xss=4">raw link</a>\n\n'
    '<svg onload="window.__xss = 5"></svg>\n\n'
    "![pic](javascript:window.__xss=6)"
)


def send(page, text: str) -> None:
    page.fill("[data-testid=composer]", text)
    page.keyboard.press("Enter")


def last_answer(page):
    return page.locator(ANSWER).last


def wait_complete(page, count: int = 1):
    page.wait_for_function(
        f"() => document.querySelectorAll('{ANSWER}[data-state=complete]').length >= {count}"
    )
    page.wait_for_selector("[data-testid=stop]", state="hidden")


def test_send_streams_markdown_rendered_safely(signed_in):
    page = signed_in
    send(page, f"echo: {MARKDOWN}")
    wait_complete(page)
    body = last_answer(page).locator("[data-testid=message-body]")
    assert body.locator("h1").inner_text() == "Release notes"
    assert body.locator(".code-lang").inner_text() == "python"
    assert body.locator(".code-copy").is_visible()
    assert body.locator("code.hljs .hljs-keyword").first.inner_text() == "def"
    assert body.locator("table td").all_inner_texts() == ["small", "1"]
    assert body.locator(".katex").count() == 2
    assert body.locator("a").get_attribute("target") == "_blank"
    assert re.search(r"/c/[0-9a-f-]{36}$", page.url)
    user = page.locator("[data-testid=message][data-role=user]")
    assert user.locator("[data-testid=message-body]").inner_text().startswith("echo: # Release")
    item = page.locator("[data-testid=conversation-item]")
    assert item.count() == 1
    assert page.url.endswith(item.get_attribute("data-conversation-id"))
    assert page.locator("[data-testid=composer]").input_value() == ""
    # titleConvo: the generated title replaces "New chat" in the sidebar without a reload.
    page.wait_for_function(
        "() => document.querySelector('[data-testid=conversation-item] .title').innerText"
        " !== 'New chat'"
    )
    shot(page, "chat-markdown-light")
    body.locator(".code-copy").click()
    assert page.evaluate("navigator.clipboard.readText()") == "def double(x):\n    return x * 2\n"
    page.click("[data-testid=user-menu]")
    page.select_option("[data-testid=theme-select]", "dark")
    page.keyboard.press("Escape")
    shot(page, "chat-markdown-dark")


def test_model_output_cannot_run_script(signed_in):
    page = signed_in
    send(page, f"echo: {XSS}")
    wait_complete(page)
    page.reload()  # the saved answer, rendered again from the server's copy
    page.wait_for_selector(f"{ANSWER}[data-state=complete] [data-testid=message-body].rendered")
    page.wait_for_timeout(300)
    assert page.evaluate("window.__xss") is None
    dangerous = page.evaluate(
        """[...document.querySelectorAll('[data-testid=message-body] *')].flatMap(el =>
             [...el.attributes]
               .filter(a => /^on/i.test(a.name) || /^\\s*javascript:/i.test(a.value))
               .map(a => `${el.tagName} ${a.name}=${a.value}`))"""
    )
    assert dangerous == []
    answer = last_answer(page).locator("[data-testid=message-body]")
    assert answer.locator("script, img[onerror], svg, a[href^='javascript']").count() == 0
    assert "<script>window.__xss = 3</script>" in answer.inner_text()  # shown as text
    shot(page, "chat-xss")


def test_stop_keeps_the_partial_answer(signed_in, mock_provider):
    mock_provider.behaviour.tokens_per_second = 15
    page = signed_in
    words = " ".join(f"word{n}" for n in range(200))
    send(page, f"echo: {words}")
    page.wait_for_selector("[data-testid=stop]", state="visible")
    page.wait_for_function(
        f"() => (document.querySelector('{ANSWER}')?.innerText || '').length > 20"
    )
    assert page.locator("[data-testid=send]").is_hidden()
    shot(page, "chat-streaming")
    page.click("[data-testid=stop]")
    page.wait_for_selector(f"{ANSWER}[data-state=aborted]")
    text = last_answer(page).locator("[data-testid=message-body]").inner_text()
    assert text.startswith("word0 word1") and "word199" not in text
    assert page.locator("[data-testid=send]").is_visible()
    last_answer(page).get_by_text("Stopped.").wait_for()  # the saved state, re-rendered


def test_escape_stops_and_enter_sends_shift_enter_breaks_lines(signed_in, mock_provider):
    page = signed_in
    box = page.locator("[data-testid=composer]")
    box.fill("echo: line one")
    box.press("Shift+Enter")
    box.type("line two")
    assert box.input_value() == "echo: line one\nline two"
    mock_provider.behaviour.tokens_per_second = 10
    box.press("Enter")
    page.wait_for_selector("[data-testid=stop]", state="visible")
    page.keyboard.press("Escape")
    page.wait_for_selector(f"{ANSWER}[data-state=aborted], {ANSWER}[data-state=complete]")


def test_regenerate_and_switch_branches(signed_in):
    page = signed_in
    send(page, "echo: first answer")
    wait_complete(page)
    last_answer(page).locator("[data-testid=regenerate]").click()
    # The new sibling is shown once its answer is final (the old one may show
    # "1/2" for a moment: its refresh can land after the new row is saved).
    page.wait_for_function(
        f"() => document.querySelector('{ANSWER} .siblings')?.innerText.trim().endsWith('2/2')"
    )
    wait_complete(page)
    answer = last_answer(page)
    answer.locator("[data-testid=sibling-prev]").click()
    page.wait_for_function(
        f"() => document.querySelector('{ANSWER} .siblings')?.innerText.includes('1/2')"
    )
    assert page.locator(ANSWER).count() == 1
    last_answer(page).locator("[data-testid=sibling-next]").click()
    page.wait_for_function(
        f"() => document.querySelector('{ANSWER} .siblings')?.innerText.includes('2/2')"
    )
    shot(page, "chat-branches")


def test_edit_starts_a_new_branch(signed_in):
    page = signed_in
    send(page, "echo: one")
    wait_complete(page)
    send(page, "echo: two")
    wait_complete(page, 2)
    first_question = page.locator("[data-testid=message][data-role=user]").first
    first_question.hover()
    first_question.locator("[data-testid=edit]").click()
    page.fill("[data-testid=edit-input]", "echo: uno")
    page.click("[data-testid=edit-save]")
    page.wait_for_selector("[data-testid=message][data-role=user] .siblings")
    wait_complete(page)
    texts = page.locator("[data-testid=message-body]").all_inner_texts()
    assert texts == ["echo: uno", "uno"]
    question = page.locator("[data-testid=message][data-role=user]").first
    assert "2/2" in question.locator(".siblings").inner_text()
    question.hover()
    question.locator("[data-testid=sibling-prev]").click()
    page.wait_for_function("() => document.querySelectorAll('[data-testid=message]').length === 4")
    texts = page.locator("[data-testid=message-body]").all_inner_texts()
    assert texts == ["echo: one", "one", "echo: two", "two"]
    shot(page, "chat-edit-branch")


def test_an_open_editor_survives_the_threads_refresh(signed_in):
    # The thread is fetched again once an answer ends; an editor opened just before
    # that swap is opened again on the new thread with what was typed.
    page = signed_in
    send(page, "echo: one")
    wait_complete(page)
    question = page.locator("[data-testid=message][data-role=user]").first
    question.hover()
    question.locator("[data-testid=edit]").click()
    page.fill("[data-testid=edit-input]", "echo: typed before the refresh")
    page.evaluate(
        """() => new Promise((done) => {
            document.body.addEventListener("htmx:afterSettle", () => done(), { once: true });
            const chat = document.querySelector("[data-thread-url]");
            const id = chat.dataset.conversationId;
            const url = chat.dataset.threadUrl.replace("00000000-0000-0000-0000-000000000000", id);
            htmx.ajax("GET", url, { target: "#thread", swap: "innerHTML" });
        })"""
    )
    assert page.input_value("[data-testid=edit-input]") == "echo: typed before the refresh"
    page.click("[data-testid=edit-save]")
    page.wait_for_selector("[data-testid=message][data-role=user] .siblings")
    wait_complete(page)
    texts = page.locator("[data-testid=message-body]").all_inner_texts()
    assert texts == ["echo: typed before the refresh", "typed before the refresh"]


def test_reload_mid_stream_resumes(signed_in, mock_provider):
    mock_provider.behaviour.tokens_per_second = 20
    page = signed_in
    words = " ".join(f"w{n}" for n in range(120))
    send(page, f"echo: {words}")
    page.wait_for_function(
        f"() => (document.querySelector('{ANSWER}')?.innerText || '').length > 30"
    )
    page.wait_for_url(re.compile(r"/c/"))
    page.reload()
    page.wait_for_selector("[data-testid=stop]", state="visible")
    shot(page, "chat-resumed")
    wait_complete(page)
    assert last_answer(page).locator("[data-testid=message-body]").inner_text() == words


def test_a_provider_error_is_shown_inline_with_retry(signed_in, mock_provider):
    page = signed_in
    mock_provider.fail("401")  # every request: the title request runs beside the answer
    send(page, "echo: will fail once")
    page.wait_for_selector(f"{ANSWER}[data-state=error]")
    error = last_answer(page).locator(".message-error")
    error.wait_for()
    shot(page, "chat-error")
    mock_provider.fail(None)
    error.get_by_role("button", name="Retry").click()
    wait_complete(page)
    assert last_answer(page).locator("[data-testid=message-body]").inner_text() == "will fail once"


def test_draft_survives_reload(signed_in):
    page = signed_in
    page.fill("[data-testid=composer]", "half-written thought")
    page.reload()
    assert page.locator("[data-testid=composer]").input_value() == "half-written thought"


# The page's WebSocket stays CONNECTING until `window.openSockets()`: the state a socket is in
# for the first moments after every page load, held as long as a test needs.
HOLD_SOCKETS_CONNECTING = """(() => {
  const Real = window.WebSocket;
  let open;
  const gate = new Promise((resolve) => { open = resolve; });
  window.openSockets = () => open();
  class HeldSocket extends EventTarget {
    constructor(url) {
      super();
      this.readyState = Real.CONNECTING;
      gate.then(() => {
        this.real = new Real(url);
        for (const type of ["open", "message", "close", "error"]) {
          this.real.addEventListener(type, (event) => {
            this.readyState = this.real.readyState;
            this.dispatchEvent(new event.constructor(type, event));
          });
        }
      });
    }
    send(data) { this.real.send(data); }
    close(code, reason) { this.real?.close(code, reason); }
  }
  Object.assign(HeldSocket, { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 });
  window.WebSocket = HeldSocket;
})();"""


def test_a_message_sent_while_the_socket_connects_goes_out_when_it_opens(signed_in):
    """A user (or a test) can press Enter before the page's socket is open."""
    page = signed_in
    page.add_init_script(HOLD_SOCKETS_CONNECTING)
    page.reload()
    send(page, "echo: early bird")
    page.evaluate("window.openSockets()")
    wait_complete(page)
    assert last_answer(page).locator("[data-testid=message-body]").inner_text() == "early bird"


class ServerFrameGate:
    """A route for the page's socket that holds the server's frames until `release()`."""

    def __init__(self) -> None:
        self.held: list[str | bytes] = []
        self.holding = True
        self.route = None

    def __call__(self, route) -> None:
        self.route = route
        server = route.connect_to_server()  # the page's frames still go straight through
        server.on_message(self._to_page)

    def _to_page(self, message: str | bytes) -> None:
        if self.holding:
            self.held.append(message)
        else:
            self.route.send(message)

    def release(self) -> None:
        self.holding = False
        for message in self.held:
            self.route.send(message)
        self.held.clear()


def test_a_fragment_settling_before_created_keeps_the_send(signed_in):
    """The sidebar's and the balance's first loads settle at any moment, a send's included:
    the new chat must still take its `created` frame, and the answer that follows."""
    page = signed_in
    gate = ServerFrameGate()
    page.route_web_socket("**/ws/chat/", gate)
    page.reload()
    send(page, "echo: kept")
    while not any('"created"' in str(message) for message in gate.held):
        page.wait_for_timeout(50)  # lets Playwright deliver the server's frames to the gate
    page.evaluate(
        """() => new Promise((settled) => {
             document.body.addEventListener("htmx:afterSettle", settled, { once: true });
             htmx.trigger(document.body, "conversations-changed");
           })"""
    )
    gate.release()
    wait_complete(page)
    assert last_answer(page).locator("[data-testid=message-body]").inner_text() == "kept"
    assert re.search(r"/c/[0-9a-f-]{36}$", page.url)
