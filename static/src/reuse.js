// "Use in a new message" on the Files page opens the chat at /?attach=<id> (repeatable). The
// server checks each id is one of the user's uploads (404 otherwise) and puts the files in
// <script id="reuse-files" type="application/json">: a list of GET /api/files entries
// ({id, name, mime, size, kind, url, ...}). The composer takes them once, as attachments
// already uploaded: `takeReusedFiles()` returns them and removes the element, so a later
// HTMX swap or a second call does not add them again (docs/files.md, "Use in a new message").

export function takeReusedFiles(root = document) {
  const script = root.querySelector("#reuse-files");
  if (!script) return [];
  script.remove();
  try {
    const files = JSON.parse(script.textContent);
    return Array.isArray(files) ? files : [];
  } catch {
    return [];
  }
}
