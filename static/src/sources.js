// Web search sources: the cards under an answer (from a web_search step's data) and the
// answer's [n] markers, which become links to those sources. Nothing here trusts the data:
// text goes in with textContent and only http(s) URLs become links.

const MARKER = /\[(\d{1,4})\]/g;
const SKIP = "code, pre, a, kbd, samp";

function isWeb(url) {
  return typeof url === "string" && /^https?:\/\//i.test(url);
}

function card(source) {
  const item = document.querySelector("#tpl-source")?.content.firstElementChild.cloneNode(true);
  if (!item) return null;
  const part = (name) => item.querySelector(`[data-part=${name}]`);
  item.dataset.index = String(source.index);
  part("link").href = source.url;
  part("number").textContent = String(source.index);
  part("title").textContent = source.title || source.url;
  part("host").textContent = new URL(source.url).hostname;
  item.classList.toggle("failed", source.ok === false);
  part("error").hidden = !source.error;
  part("reason").textContent = source.error || "";
  return item;
}

/** Add a web_search step's sources to `message`'s cards (in number order), then link its markers. */
export function showSources(message, step) {
  const box = message.querySelector("[data-sources]");
  const sources = step?.tool === "web_search" ? step.data?.sources : null;
  if (!box || !Array.isArray(sources)) return;
  for (const source of sources) {
    if (!Number.isInteger(source?.index) || !isWeb(source.url)) continue;
    if (box.querySelector(`[data-index="${source.index}"]`)) continue;
    const item = card(source);
    if (!item) continue;
    const after = [...box.children].find((child) => Number(child.dataset.index) > source.index);
    box.insertBefore(item, after ?? null);
  }
  box.hidden = box.children.length === 0;
  const body = message.querySelector("[data-testid=message-body]");
  if (body) linkCitations(body);
}

/** Turn each [n] in a rendered answer body into a link to source n (when it has one). */
export function linkCitations(body) {
  const message = body.closest("[data-testid=message]");
  const box = message?.querySelector("[data-sources]");
  if (!box || !box.children.length || body.hasAttribute("data-reasoning")) return;
  const links = new Map();
  for (const item of box.querySelectorAll("[data-index]")) {
    const href = item.querySelector("a")?.getAttribute("href");
    if (isWeb(href)) links.set(item.dataset.index, href);
  }
  const walker = document.createTreeWalker(body, NodeFilter.SHOW_TEXT);
  const texts = [];
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (!node.parentElement.closest(SKIP) && MARKER.test(node.data)) texts.push(node);
    MARKER.lastIndex = 0;
  }
  for (const node of texts) node.replaceWith(linked(node.data, links));
}

function linked(text, links) {
  const fragment = document.createDocumentFragment();
  let last = 0;
  for (const match of text.matchAll(MARKER)) {
    const href = links.get(match[1]);
    if (!href) continue;
    fragment.append(text.slice(last, match.index));
    const link = Object.assign(document.createElement("a"), { href, textContent: match[0] });
    link.className = "citation";
    link.target = "_blank";
    link.rel = "noopener noreferrer nofollow";
    link.dataset.testid = "citation";
    link.dataset.source = match[1];
    fragment.append(link);
    last = match.index + match[0].length;
  }
  fragment.append(text.slice(last));
  return fragment;
}
