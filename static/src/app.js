// Parley's browser entry point: HTMX for navigation and forms, Alpine for local state,
// chat.js for the socket and the streaming view, markdown.js for every rendered message.
import htmx from "htmx.org";
import Alpine from "@alpinejs/csp";
import { registerComponents } from "./components.js";
import { settingsJson, startChat } from "./chat.js";
import { gettext } from "./i18n.js";
import { installCopyButtons, renderAll } from "./markdown.js";
import { installSearchJump } from "./search.js";
import { installSlashMenu } from "./prompts.js";
import { installFileLimits } from "./filelimits.js";

window.htmx = htmx;
// Back and forward fetch the page again: a cached snapshot could show a finished stream as running.
htmx.config.historyCacheSize = 0;
// The Content-Security-Policy allows no eval, no inline <style> and no style attribute: htmx
// needs none of them. While settling a swap htmx copies the old element's style attribute onto
// its replacement (the hidden #params panel's display, set by Alpine): a style attribute.
htmx.config.allowEval = false;
htmx.config.includeIndicatorStyles = false;
htmx.config.attributesToSettle = ["class", "width", "height"];
window.Alpine = Alpine;
registerComponents(Alpine);

// Forms marked `data-with-settings` (presets) also send the chat's current settings.
document.body.addEventListener("htmx:configRequest", (event) => {
  if (event.detail.elt.closest("[data-with-settings]")) event.detail.parameters.settings = settingsJson();
});

// A select marked `data-submit-on-change` (the language) submits its form when it changes.
document.body.addEventListener("change", (event) => {
  if (event.target.matches("[data-submit-on-change]")) event.target.form.submit();
});

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

// A dialog the page is served with (the terms modal) opens at once.
for (const dialog of document.querySelectorAll("dialog[data-open]")) dialog.showModal();

installCopyButtons(document);
renderAll(document);
Alpine.start();
if (document.getElementById("chat")) startChat();
installSlashMenu();
installSearchJump();
installFileLimits();
