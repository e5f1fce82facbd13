// Where Parley lives on its host: "" at the root, "/chat" when DOMAIN_CLIENT has a path and a
// proxy strips it. The server writes it in <meta name="script-name"> (templates/base.html);
// URLs the browser builds itself (the socket, the theme cookie's path) start with it.

export const scriptName = document.querySelector('meta[name="script-name"]')?.content ?? "";

/** The path cookies set here are scoped to, as the server's own (SESSION_COOKIE_PATH). */
export const cookiePath = scriptName || "/";
