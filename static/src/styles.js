// The Content-Security-Policy allows no style attribute (style-src 'self'), so the few inline
// styles Markdown needs (KaTeX's sizes and offsets, markdown-it's table alignment) travel as
// `data-css` and are applied through the CSSOM, which the policy does not govern. They are
// renamed before any parsing: even DOMPurify's inert parse reports a style attribute.
const ATTRIBUTE = "data-css";

/** `html` from a renderer we trust to escape its attribute values, with style renamed. */
export const deferStyles = (html) => html.replaceAll(' style="', ` ${ATTRIBUTE}="`);

/** A markdown-it core rule: tokens' style attributes become `data-css`. */
export function deferTokenStyles(state) {
  const rename = (token) => {
    const index = token.attrIndex("style");
    if (index >= 0) token.attrs[index][0] = ATTRIBUTE;
  };
  for (const token of state.tokens) {
    rename(token);
    for (const child of token.children ?? []) rename(child);
  }
}

/** Apply every deferred style under `root` (after it is in the page). */
export function applyStyles(root) {
  for (const element of root.querySelectorAll(`[${ATTRIBUTE}]`)) {
    element.style.cssText = element.getAttribute(ATTRIBUTE);
    element.removeAttribute(ATTRIBUTE);
  }
}
