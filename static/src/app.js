// Parley's browser entry point: HTMX for navigation and forms, Alpine for local state,
// chat.js for the socket and the streaming view, markdown.js for every rendered message.
import htmx from "htmx.org";
import Alpine from "alpinejs";
import { settingsJson, startChat } from "./chat.js";
import { gettext } from "./i18n.js";
import { installCopyButtons, renderAll } from "./markdown.js";
import { installSearchJump } from "./search.js";

window.htmx = htmx;
// Back and forward fetch the page again: a cached snapshot could show a finished stream as running.
htmx.config.historyCacheSize = 0;
window.Alpine = Alpine;
window.parley = { settingsJson };

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

// A parameter counts as set once the user touches it (only set ones are sent);
// "reset" returns it to the endpoint's default.
Alpine.data("param", (isSet) => ({
  set: Boolean(isSet),
  value: "",
  init() {
    this.value = this.read();
  },
  read() {
    const input = this.$refs.input;
    return input.type === "checkbox" ? input.checked : input.value;
  },
  touch() {
    this.set = true;
    this.value = this.read();
  },
  reset() {
    const input = this.$refs.input;
    if (input.type === "checkbox") input.checked = input.dataset.default === "true";
    else input.value = input.dataset.default;
    this.value = this.read();
    this.set = false;
  },
}));

// Requests HTMX could not complete: say why (the server answers 4xx with a plain sentence).
document.body.addEventListener("htmx:responseError", (event) => {
  const status = document.getElementById("status");
  const text = event.detail.xhr.responseText;
  if (status) {
    status.textContent = text && text.length < 300 ? text : gettext("Something went wrong. Please try again.");
    status.classList.add("warn");
  }
});

// The dialog that asks for a share link or confirmation opens when HTMX swaps it in.
document.body.addEventListener("htmx:afterSwap", (event) => {
  const target = event.detail.target;
  if (!target) return;
  for (const dialog of target.querySelectorAll("dialog[data-open]")) dialog.showModal();
  renderAll(target);
});

installCopyButtons(document);
renderAll(document);
Alpine.start();
if (document.getElementById("chat")) startChat();
installSearchJump();
