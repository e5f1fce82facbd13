// Model output → safe HTML: markdown-it (raw HTML off) → DOMPurify, with highlighted code
// blocks (language label + copy button) and KaTeX maths. Nothing here trusts the text.
import DOMPurify from "dompurify";
import MarkdownIt from "markdown-it";
import { highlight } from "./highlight.js";
import { imageAllowed, imageToLink } from "./images.js";
import mathPlugin from "./math.js";
import { gettext } from "./i18n.js";
import { linkCitations } from "./sources.js";
import { applyStyles, deferTokenStyles } from "./styles.js";

const md = new MarkdownIt({ html: false, linkify: true, breaks: false }).use(mathPlugin);
md.core.ruler.push("defer_styles", deferTokenStyles);
const { escapeHtml } = md.utils;

md.renderer.rules.fence = (tokens, idx) => {
  const token = tokens[idx];
  const language = token.info.trim().split(/\s+/)[0].toLowerCase();
  const code = highlight(token.content, language) ?? escapeHtml(token.content);
  return (
    `<div class="code-block"><div class="code-head">` +
    `<span class="code-lang">${escapeHtml(language || "text")}</span>` +
    `<button type="button" class="code-copy" data-copy-code>${escapeHtml(gettext("Copy code"))}</button>` +
    `</div><pre><code class="hljs">${code}</code></pre></div>\n`
  );
};

// Links open in a new tab without handing the page to the target. Remote images become links
// here, in DOMPurify's inert document, before anything could load them.
DOMPurify.addHook("afterSanitizeAttributes", (node) => {
  if (node.tagName === "A" && node.hasAttribute("href")) {
    node.setAttribute("target", "_blank");
    node.setAttribute("rel", "noopener noreferrer nofollow");
  }
  if (node.tagName === "IMG" && !imageAllowed(node.getAttribute("src") ?? "")) imageToLink(node);
});

/** Sanitised HTML for a Markdown text (inline styles deferred: see styles.js). */
export function renderMarkdown(text) {
  return DOMPurify.sanitize(md.render(text ?? ""), {
    FORBID_TAGS: ["style", "form", "input"],
    FORBID_ATTR: ["style"],
  });
}

/** Render `element`'s Markdown source (its `data-source`, else its text) into it. */
export function renderInto(element, text) {
  const source = text ?? element.dataset.source ?? element.textContent;
  element.dataset.source = source;
  element.innerHTML = renderMarkdown(source);
  applyStyles(element);
  linkCitations(element);
  element.classList.add("rendered");
}

/** Render every not-yet-rendered Markdown body under `root`. */
export function renderAll(root) {
  for (const element of root.querySelectorAll("[data-markdown]:not(.rendered)")) renderInto(element);
}

function messageSource(message) {
  const body = message.querySelector("[data-testid=message-body]");
  return body.dataset.source ?? body.textContent;
}

async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    const area = Object.assign(document.createElement("textarea"), { value: text });
    document.body.append(area);
    area.select();
    document.execCommand("copy");
    area.remove();
  }
}

/** Copy buttons, by delegation: code blocks (`data-copy-code`) and whole messages (`data-copy-message`). */
export function installCopyButtons(root = document) {
  root.addEventListener("click", async (event) => {
    const button = event.target.closest("[data-copy-code], [data-copy-message]");
    if (!button) return;
    const text = button.hasAttribute("data-copy-code")
      ? button.closest(".code-block").querySelector("code").textContent
            : messageSource(button.closest("[data-testid=message]"));
    await copyText(text);
    const label = button.getAttribute("aria-label");
    button.classList.add("copied");
    button.setAttribute("aria-label", gettext("Copied"));
    setTimeout(() => {
      button.classList.remove("copied");
      if (label) button.setAttribute("aria-label", label);
    }, 1500);
  });
}
