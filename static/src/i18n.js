// Strings in scripts go through Django's JavaScript catalogue (/jsi18n/, loaded before us).
export const t = (text) => (typeof window.gettext === "function" ? window.gettext(text) : text);
export const tf = (text, values) => (window.interpolate ? window.interpolate(t(text), values, true) : text);
