// Images in rendered Markdown load only from this site, data: and blob:, or the hosts the
// operator allows (ALLOWED_IMAGE_HOSTS, handed over in <meta name="image-sources">, the same
// list as the Content-Security-Policy's img-src). Any other image becomes a link the user can
// open: loading it on render would send whatever its URL carries (a prompt injection can put
// the conversation there) to its host without a click.
import { gettext } from "./i18n.js";

const DEFAULT_PORTS = { "http:": "80", "https:": "443" };
const SOURCE = /^(https?):\/\/(\*\.)?([^/:]+)(?::(\d+))?$/;

/** The meta tag's sources (chatapp/headers.py writes them: scheme://[*.]host[:port]). */
function allowedSources() {
  const content = document.querySelector('meta[name="image-sources"]')?.content ?? "";
  return content
    .split(/\s+/)
    .map((source) => SOURCE.exec(source))
    .filter(Boolean)
    .map(([, scheme, star, host, port]) => ({
      protocol: `${scheme}:`,
      wildcard: Boolean(star),
      host,
      port: port ?? DEFAULT_PORTS[`${scheme}:`],
    }));
}

const sources = allowedSources();

function fromAllowedHost(url) {
  const port = url.port || DEFAULT_PORTS[url.protocol];
  return sources.some(
    (source) =>
      source.protocol === url.protocol &&
      source.port === port &&
      (source.wildcard ? url.hostname.endsWith(`.${source.host}`) : url.hostname === source.host),
  );
}

/** May an image with this `src` load as the page renders? */
export function imageAllowed(src) {
  let url;
  try {
    url = new URL(src, document.baseURI);
  } catch {
    return false;
  }
  if (url.protocol === "data:" || url.protocol === "blob:") return true;
  return url.origin === location.origin || fromAllowedHost(url);
}

/** Replace a remote `img` by a link to it (or its text, inside a link already). */
export function imageToLink(img) {
  const src = img.getAttribute("src");
  const text = img.getAttribute("alt") || src;
  const doc = img.ownerDocument;
  if (img.closest("a")) {
    img.replaceWith(doc.createTextNode(text));
    return;
  }
  const link = doc.createElement("a");
  link.href = src;
  link.className = "image-link";
  link.title = gettext("Open the image (not loaded automatically)");
  link.target = "_blank";
  link.rel = "noopener noreferrer nofollow";
  link.textContent = text;
  img.replaceWith(link);
}
