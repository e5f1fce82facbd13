// A file input marked `data-max-bytes` (the avatar form: fileConfig.avatarSizeLimit) refuses a
// larger file in the browser, before it is sent, with the limit the server also checks.
import { gettext } from "./i18n.js";

const MB = 1024 * 1024; // LibreChat's MB

function describe(bytes) {
  return bytes >= MB ? `${(bytes / MB).toFixed(1)} MB` : `${bytes} bytes`;
}

export function installFileLimits() {
  document.addEventListener("change", (event) => {
    const input = event.target;
    if (!input.matches?.("input[type=file][data-max-bytes]")) return;
    const limit = Number(input.dataset.maxBytes);
    const over = Array.from(input.files || []).find((file) => file.size > limit);
    const message = gettext("%(name)s is larger than %(limit)s.")
      .replace("%(name)s", over?.name || "")
      .replace("%(limit)s", describe(limit));
    input.setCustomValidity(over ? message : "");
    if (over) input.reportValidity();
  });
}
