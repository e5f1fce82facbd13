// Parley's browser entry point: HTMX for navigation and forms, Alpine for local state,
// chat.js for the socket and the streaming view, markdown.js for every rendered message.
import htmx from "htmx.org";
import Alpine from "alpinejs";
import { startChat } from "./chat.js";
import { installCopyButtons, renderAll } from "./markdown.js";

window.htmx = htmx;
window.Alpine = Alpine;

/** Theme: light, dark or system; kept in a cookie so the server renders it without a flash. */
function applyTheme(theme) {
  if (theme === "light" || theme === "dark") document.documentElement.dataset.theme = theme;
  else delete document.documentElement.dataset.theme;
  document.cookie = `parley_theme=${theme}; path=/; max-age=31536000; samesite=lax`;
}

Alpine.data("shell", () => ({
  drawer: false,
  params: false,
  toggleDrawer() {
    this.drawer = !this.drawer;
  },
}));

Alpine.data("themePicker", (initial) => ({
  theme: initial || "system",
  init() {
    this.$watch("theme", applyTheme);
  },
}));

// A parameter counts as set once the user touches it; "reset" returns it to the default.
Alpine.data("param", (isSet) => ({
  set: Boolean(isSet),
  touch() {
    this.set = true;
  },
  reset(defaultValue) {
    this.set = false;
    const input = this.$refs.input;
    if (input.type === "checkbox") input.checked = Boolean(defaultValue);
    else input.value = defaultValue ?? "";
    input.dispatchEvent(new Event("input"));
    this.set = false;
  },
}));

// The dialog that asks for a share link or confirmation opens when HTMX swaps it in.
document.body.addEventListener("htmx:afterSwap", (event) => {
  for (const dialog of event.detail.target.querySelectorAll("dialog[data-open]")) dialog.showModal();
  renderAll(event.detail.target);
});

installCopyButtons(document);
renderAll(document);
Alpine.start();
if (document.getElementById("chat")) startChat();
