// Strings in scripts go through Django's JavaScript catalogue (/jsi18n/, loaded before us).
export const gettext = (text) =>
  typeof window.gettext === "function" ? window.gettext(text) : text;
