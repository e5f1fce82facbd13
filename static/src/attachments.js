// The composer's files: the paperclip, drag and drop and paste add them; an image is resized
// in the browser first when fileConfig.clientImageResize says so; each is uploaded to
// /api/files with its own progress bar (XHR: fetch reports no upload progress), shown in the
// tray with a thumbnail or its name and size, and may be removed, or marked "as text", before
// sending. Each tray item keeps its own state in its data attributes (state, fileId), so a new
// conversation view, whose composer is new, starts with an empty tray.
import { gettext } from "./i18n.js";

const $ = (selector, root = document) => root.querySelector(selector);
const tray = () => $("#attachments");
const items = () => Array.from(document.querySelectorAll("#attachments [data-testid=attachment]"));
const part = (element, name) => $(`[data-part="${name}"]`, element);
// Not GIF: a canvas keeps only its first frame.
const RESIZABLE = new Set(["image/jpeg", "image/png", "image/webp"]);
const EXTENSIONS = { jpeg: ".jpg", webp: ".webp" };
const UNITS = ["KB", "MB", "GB", "TB"];

function csrfToken() {
  return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
}

/** fileConfig as the page hands it over: clientImageResize, the endpoints without files. */
function fileConfig() {
  const node = $("#file-config");
  return node ? JSON.parse(node.textContent) : {};
}

/** Does `endpoint` take files? (fileConfig.endpoints.<name>.disabled: no paperclip there) */
function takesFiles(endpoint) {
  return !(fileConfig().disabled || []).includes(endpoint);
}

/** Show the paperclip where the chosen endpoint takes files. */
export function offerAttachments(endpoint) {
  const paperclip = $("[data-testid=attach]");
  if (paperclip) paperclip.hidden = !takesFiles(endpoint);
}

/** Bytes as the server's filesizeformat writes them on a message. */
export function formatSize(bytes) {
  if (bytes < 1024) return `${bytes}\u00a0${bytes === 1 ? gettext("byte") : gettext("bytes")}`;
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)}\u00a0${UNITS[unit]}`;
}

/** The image fitted in clientImageResize's bounds, re-encoded; any other file as it is. */
async function resized(file) {
  const resize = fileConfig().clientImageResize;
  if (!resize?.enabled || !RESIZABLE.has(file.type)) return file;
  let bitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    return file; // unreadable here: the server names the problem
  }
  const scale = Math.min(1, resize.maxWidth / bitmap.width, resize.maxHeight / bitmap.height);
  if (scale === 1) {
    bitmap.close();
    return file;
  }
  const canvas = document.createElement("canvas");
  canvas.width = Math.max(1, Math.round(bitmap.width * scale));
  canvas.height = Math.max(1, Math.round(bitmap.height * scale));
  const context = canvas.getContext("2d");
  context.fillStyle = "#fff"; // JPEG has no transparency: white, not black, behind it
  context.fillRect(0, 0, canvas.width, canvas.height);
  context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close();
  const type = `image/${resize.compressFormat}`;
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, type, resize.quality));
  if (!blob) return file;
  const name = file.name.replace(/\.[^.]*$/, "") + EXTENSIONS[resize.compressFormat];
  return new File([blob], name, { type });
}

function showFile(item, file) {
  part(item, "name").textContent = file.name;
  part(item, "size").textContent = formatSize(file.size);
  if (!file.type.startsWith("image/")) return;
  const thumb = part(item, "thumb");
  URL.revokeObjectURL(thumb.src);
  thumb.src = URL.createObjectURL(file);
  thumb.alt = file.name;
  thumb.hidden = false;
  part(item, "icon").hidden = true;
}

function failed(item, message) {
  item.dataset.state = "error";
  part(item, "progress").hidden = true;
  const error = part(item, "error");
  error.textContent = message;
  error.hidden = false;
}

function uploaded(item, xhr) {
  const body = xhr.response;
  if (xhr.status !== 201 || !body?.id) {
    const message = xhr.status === 413 ? gettext("The file is over the server's size limit.") : gettext("The upload was refused.");
    failed(item, body?.error?.message || message);
    return;
  }
  markDone(item, body);
}

/** An uploaded file (GET /api/files' entry): ready to send, as itself or, a document, as text. */
function markDone(item, stored) {
  Object.assign(item.dataset, { state: "done", fileId: stored.id, kind: stored.kind });
  part(item, "progress").value = 100;
  part(item, "as-text").hidden = stored.kind !== "document";
}

function newItem() {
  return $("#tpl-attachment").content.firstElementChild.cloneNode(true);
}

async function upload(item, file, endpoint, conversationId) {
  const chosen = await resized(file);
  if (!item.isConnected) return; // removed while it was being resized
  showFile(item, chosen);
  const form = new FormData();
  form.append("file", chosen);
  form.append("endpoint", endpoint);
  if (conversationId) form.append("conversation_id", conversationId);
  const xhr = new XMLHttpRequest();
  item.request = xhr;
  const progress = part(item, "progress");
  xhr.upload.addEventListener("progress", (event) => {
    if (event.lengthComputable) progress.value = Math.round((event.loaded / event.total) * 100);
  });
  xhr.addEventListener("load", () => uploaded(item, xhr));
  xhr.addEventListener("error", () => failed(item, gettext("The upload failed: check your connection.")));
  xhr.open("POST", tray().dataset.uploadUrl);
  xhr.setRequestHeader("X-CSRFToken", csrfToken());
  xhr.responseType = "json";
  xhr.send(form);
}

/** Upload `files` for `endpoint` (and the shown conversation), each in its own tray item. */
export function addFiles(files, endpoint, conversationId) {
  const box = tray();
  if (!box || !files.length) return;
  for (const file of files) {
    const item = newItem();
    showFile(item, file);
    box.append(item);
    upload(item, file, endpoint, conversationId);
  }
  box.hidden = false;
}

/** Files uploaded before (GET /api/files entries: the Files page's "Use in a new message"),
 * added to the tray as uploads already done. */
export function addUploaded(files) {
  const box = tray();
  if (!box || !files.length) return;
  for (const stored of files) {
    const item = newItem();
    part(item, "name").textContent = stored.name;
    part(item, "size").textContent = formatSize(stored.size);
    if (stored.kind === "image") {
      Object.assign(part(item, "thumb"), { src: stored.url, alt: stored.name, hidden: false });
      part(item, "icon").hidden = true;
    }
    markDone(item, stored);
    item.dataset.reused = ""; // not uploaded for this message: removing it keeps the file
    box.append(item);
  }
  box.hidden = false;
}

function forget(item) {
  URL.revokeObjectURL(part(item, "thumb").src);
  item.remove();
  const box = tray();
  if (box && !box.children.length) box.hidden = true;
}

/** The remove button: stops the upload, or deletes the file uploaded for this message (not a
 * reused one: it stays on the Files page), and drops it. */
export function removeAttachment(button) {
  const item = button.closest("[data-testid=attachment]");
  if (item.dataset.state === "uploading") item.request?.abort();
  if (item.dataset.fileId && !("reused" in item.dataset)) {
    const url = `${tray().dataset.uploadUrl}/${item.dataset.fileId}`;
    fetch(url, { method: "DELETE", headers: { "X-CSRFToken": csrfToken() } });
  }
  forget(item);
}

/** True while a file is still being resized or uploaded (the send waits). */
export function uploading() {
  return items().some((item) => item.dataset.state === "uploading");
}

/** The uploaded files, in order, as the send frame's `attachments` ({id, as_text}). */
export function chosenAttachments() {
  return items()
    .filter((item) => item.dataset.state === "done")
    .map((item) => ({ id: item.dataset.fileId, as_text: $("[data-testid=as-text]", item).checked }));
}

/** Empty the tray of the sent files (refused uploads stay, saying why). */
export function clearSent() {
  for (const item of items()) if (item.dataset.state === "done") forget(item);
}

/** Show `files` (the created frame's) on a message element, as the server renders them
 * (file_chip.html). */
export function showMessageFiles(element, files) {
  const box = $("[data-files]", element);
  if (!box || !files.length) return;
  for (const file of files) {
    const chip = $("#tpl-message-file").content.firstElementChild.cloneNode(true);
    const image = file.kind === "image";
    chip.href = file.url;
    chip.title = file.name;
    chip.dataset.kind = file.kind;
    part(chip, "thumb").hidden = !image;
    if (image) {
      part(chip, "thumb").src = file.url;
      part(chip, "thumb").alt = file.name;
    }
    part(chip, "icon").hidden = image;
    part(chip, "text").hidden = image;
    part(chip, "name").textContent = file.name;
    part(chip, "size").textContent = formatSize(file.size);
    part(chip, "as-text").hidden = !file.as_text;
    box.append(chip);
  }
  box.hidden = false;
}

/** Files dragged over the composer show it as a drop target; dropped, they are added. */
function isFileDrag(event) {
  return Array.from(event.dataTransfer?.types || []).includes("Files");
}

/** Wire the paperclip, drop and paste; `target()` is the endpoint and conversation to upload for. */
export function installAttachments(target) {
  const add = (files) => {
    const { endpoint, conversationId } = target();
    if (!takesFiles(endpoint)) return false;
    addFiles(Array.from(files), endpoint, conversationId);
    return true;
  };
  document.addEventListener("change", (event) => {
    if (event.target.id !== "file-input") return;
    add(event.target.files);
    event.target.value = ""; // the same file may be chosen again
  });
  document.addEventListener("dragover", (event) => {
    const form = event.target.closest?.("#composer");
    if (!form || !isFileDrag(event)) return;
    event.preventDefault();
    form.classList.add("dropping");
  });
  document.addEventListener("dragleave", (event) => {
    const form = event.target.closest?.("#composer");
    if (form && !form.contains(event.relatedTarget)) form.classList.remove("dropping");
  });
  document.addEventListener("drop", (event) => {
    const form = event.target.closest?.("#composer");
    if (!form || !event.dataTransfer?.files.length) return;
    event.preventDefault(); // else the browser would open the file in place of the chat
    form.classList.remove("dropping");
    add(event.dataTransfer.files);
  });
  document.addEventListener("paste", (event) => {
    if (!event.target.matches?.("[data-testid=composer]")) return;
    const files = event.clipboardData?.files;
    if (!files?.length) return;
    // A screenshot or a copied file is attached; copied text still comes along as text.
    if (add(files) && !event.clipboardData.getData("text/plain")) event.preventDefault();
  });
}
