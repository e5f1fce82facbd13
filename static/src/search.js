// Opening a search result shows its message: scrolled into view and highlighted for a moment.
// Results carry the message id in `data-jump` (and in `?at=` for a full page load).

function jumpTo(id) {
  const message = document.querySelector(`[data-message-id="${CSS.escape(id)}"]`);
  if (!message) return false;
  message.scrollIntoView({ block: "center" });
  message.classList.remove("search-jump");
  void message.offsetWidth; // restart the highlight animation
  message.classList.add("search-jump");
  return true;
}

export function installSearchJump() {
  let pending = new URLSearchParams(location.search).get("at");
  if (pending && jumpTo(pending)) pending = null;
  document.body.addEventListener("click", (event) => {
    const link = event.target.closest("[data-jump]");
    if (link && link.dataset.jump) pending = link.dataset.jump;
  });
  // Registered after the chat's own handler, which scrolls a newly opened chat to its end.
  document.body.addEventListener("htmx:afterSettle", () => {
    if (pending && jumpTo(pending)) pending = null;
  });
}
