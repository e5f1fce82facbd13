// The chat page's live part: the socket frames (created/delta/final/error/title/state), the
// streaming view, the composer and the per-message actions. Everything else is HTMX + Alpine.
// The server renders every message; this module only clones the page's <template>s and fills
// them with text, so no markup is built from strings here.
import htmx from "htmx.org";
import { renderAll, renderInto } from "./markdown.js";
import { ChatSocket, chatSocketUrl } from "./socket.js";
import { showSources } from "./sources.js";
import { gettext } from "./i18n.js";
import { takeReusedFiles } from "./reuse.js";
import {
  addUploaded,
  chosenAttachments,
  installAttachments,
  offerAttachments,
  removeAttachment,
  showMessageFiles,
  clearSent,
  uploading,
} from "./attachments.js";

const $ = (selector, root = document) => root.querySelector(selector);
const root = () => $("#chat");
const thread = () => $("#thread");
const scroller = () => $("#messages");
const composer = () => $("[data-testid=composer]");
const messageElement = (id) => (id ? $(`[data-testid=message][data-message-id="${id}"]`) : null);

let socket = null;
let generating = null; // the conversation id whose answer is streaming on screen
let pending = null; // {text} of a send waiting for its `created` frame
const frameQueue = new Set(); // message elements waiting for their next paint
const THREAD_HEADER = "X-Parley-Thread"; // numbers our thread refreshes
let threadVersion = 0; // the number of the refresh whose answer may be shown

// ---------------------------------------------------------------- helpers

function conversationId() {
  return root()?.dataset.conversationId || null;
}

function setStatus(text, warn = false) {
  const line = $("#status");
  if (!line) return;
  line.textContent = text;
  line.classList.toggle("warn", warn);
}

function draftKey() {
  return `parley:draft:${conversationId() || "new"}`;
}

function nearBottom() {
  const box = scroller();
  return !box || box.scrollHeight - box.scrollTop - box.clientHeight < 80;
}

function scrollToBottom() {
  const box = scroller();
  if (box) box.scrollTop = box.scrollHeight;
}

function setGenerating(id) {
  generating = id;
  const form = $("#composer");
  if (form) form.dataset.generating = id ? "true" : "false";
  const stop = $("[data-testid=stop]");
  const send = $("[data-testid=send]");
  if (stop) stop.hidden = !id;
  if (send) send.hidden = Boolean(id);
}

function setPending(value) {
  pending = value;
  const box = composer();
  const send = $("[data-testid=send]");
  if (box) box.readOnly = Boolean(value);
  if (send) send.disabled = Boolean(value);
}

/** The selected endpoint, model and the parameters the user set. */
function settings() {
  const params = {};
  for (const input of document.querySelectorAll("#params [data-param][data-set]")) {
    const { param, paramType } = input.dataset;
    let value = input.type === "checkbox" ? input.checked : input.value;
    if (paramType === "number") value = Number(value);
    if (paramType === "int") value = Number.parseInt(value, 10);
    if (value === "" || Number.isNaN(value)) continue; // "model default"
    params[param] = value;
  }
  const instructions = $("#instructions");
  return {
    endpoint: $("[data-testid=endpoint-select]")?.value || "",
    model: $("[data-testid=model-select]")?.value || "",
    params,
    ...(instructions?.hasAttribute("data-set") ? { instructions: instructions.value } : {}),
  };
}

/** The current settings as JSON, for the preset forms. */
export function settingsJson() {
  return JSON.stringify(settings());
}

// ---------------------------------------------------------------- message elements

function cloneMessage(role) {
  const template = $(`#tpl-message-${role}`);
  return template.content.firstElementChild.cloneNode(true);
}

/** Remove every message shown after `element` (the old branch below an edit or regenerate). */
function truncateAfter(element) {
  if (!element) {
    thread().replaceChildren();
    return;
  }
  while (element.nextElementSibling) element.nextElementSibling.remove();
}

function body(element) {
  return $("[data-testid=message-body]", element);
}

function appendMessage(role, id, text, extra = {}) {
  const welcome = $("#welcome");
  if (welcome) welcome.remove();
  const element = cloneMessage(role);
  element.dataset.messageId = id;
  element.dataset.state = extra.state || "complete";
  if (extra.label) $(".sender", element).textContent = extra.label;
  thread().append(element);
  if (role === "user") body(element).textContent = text;
  else renderInto(body(element), text);
  return element;
}

/** Paint queued streaming messages once per animation frame: no flicker, no lost scroll. */
function schedulePaint(element) {
  if (frameQueue.size === 0) requestAnimationFrame(paint);
  frameQueue.add(element);
}

function paint() {
  const follow = nearBottom();
  for (const element of frameQueue) {
    renderInto(body(element), element.streamText ?? "");
    const reasoning = element.streamReasoning ?? "";
    const box = $(".reasoning", element);
    if (box && reasoning) {
      box.hidden = false;
      renderInto($("[data-reasoning]", box), reasoning);
    }
  }
  frameQueue.clear();
  if (follow) scrollToBottom();
}

const STEP_STATES = {
  running: gettext("Running…"),
  done: gettext("Done"),
  error: gettext("Error"),
  cancelled: gettext("Stopped"),
};

/** Show a tool step of an answer (a new one, or a later word on one already shown). */
function showStep(element, step) {
  const box = $("[data-steps]", element);
  if (!box) return;
  box.hidden = false;
  let item = box.querySelector(`[data-step-id="${step.id}"]`);
  if (!item) {
    item = $("#tpl-tool-step").content.firstElementChild.cloneNode(true);
    item.dataset.stepId = step.id;
    box.append(item);
  }
  const part = (name) => $(`[data-part=${name}]`, item);
  item.dataset.state = step.state;
  part("tool").textContent = step.tool;
  part("server").textContent = step.server || "";
  part("state").textContent = STEP_STATES[step.state] || step.state;
  part("duration").textContent = step.duration_ms == null ? "" : `${step.duration_ms} ms`;
  part("arguments").textContent = step.arguments;
  showSources(element, step); // a web_search step's sources: cards and linked [n]
  part("result").textContent = step.result;
  part("truncated").hidden = !step.truncated;
  part("truncated").textContent = gettext(
    "Cut: the tool returned %s characters and the model got only the first part (maxToolResultChars).",
  ).replace("%s", step.result_chars);
}

function showError(element, message) {
  const box = $(".message-error", element);
  if (!box) return;
  box.hidden = false;
  $(".error-text", box).textContent = message;
}

// ---------------------------------------------------------------- frames

const handlers = {
  created(frame) {
    threadVersion++; // a refresh still on its way would hide the new response
    const id = frame.conversation_id;
    if (pending && !conversationId()) adoptConversation(id);
    if (id !== conversationId()) return;
    if (pending) {
      localStorage.removeItem(draftKey());
      composer().value = "";
      resizeComposer();
      setPending(null);
      clearSent(); // the sent files move from the tray to the message
    }
    const user = frame.user_message;
    let userElement = messageElement(user.id);
    if (userElement) truncateAfter(userElement);
    else {
      truncateAfter(messageElement(user.parent_id));
      userElement = appendMessage("user", user.id, user.text);
      showMessageFiles(userElement, user.files || []);
    }
    const answer = appendMessage("assistant", frame.response_id, "", {
      state: "streaming",
      label: $("#tpl-message-assistant")?.dataset.label,
    });
    answer.streamText = "";
    answer.classList.add("cursor-host");
    body(answer).classList.add("cursor");
    setGenerating(id);
    scrollToBottom();
  },

  delta(frame) {
    const element = messageElement(frame.message_id);
    if (!element || frame.conversation_id !== conversationId()) return;
    const text = element.streamText ?? "";
    const reasoning = element.streamReasoning ?? "";
    if (frame.offset > text.length || (frame.reasoning_offset ?? 0) > reasoning.length) {
      subscribe(); // a gap: ask for a fresh snapshot instead of showing broken text
      return;
    }
    element.streamText = text.slice(0, frame.offset) + (frame.text || "");
    element.streamReasoning = reasoning.slice(0, frame.reasoning_offset ?? 0) + (frame.reasoning || "");
    schedulePaint(element);
  },

  step(frame) {
    const element = messageElement(frame.message_id);
    if (!element || frame.conversation_id !== conversationId()) return;
    showStep(element, frame.step);
  },

  final(frame) {
    if (frame.conversation_id !== conversationId()) return;
    const message = frame.message;
    const element = messageElement(message.id);
    if (element) {
      frameQueue.delete(element);
      element.dataset.state = message.state;
      body(element).classList.remove("cursor");
      renderInto(body(element), message.text);
      if (message.error) showError(element, message.error);
    }
    setGenerating(null);
    refreshThread(message.id);
  },

  error(frame) {
    const mine = !frame.conversation_id || frame.conversation_id === conversationId();
    if (!mine) return;
    if (pending) {
      // The send never started: the typed text stays in the composer.
      setPending(null);
      setStatus(frame.message, true);
      if (frame.code === "key_required") $("#key-status")?.click();
      return;
    }
    const streaming = $('[data-testid=message][data-state="streaming"]');
    if (frame.conversation_id && streaming) {
      streaming.dataset.state = "error";
      body(streaming).classList.remove("cursor");
      showError(streaming, frame.message);
      setGenerating(null);
    } else if (!frame.conversation_id || !$('[data-testid=message][data-state="error"]')) {
      // A provider failure arrives after its `final`, which already shows it inline.
      setStatus(frame.message, true);
    }
  },

  title(frame) {
    const item = $(`[data-testid=conversation-item][data-conversation-id="${frame.conversation_id}"]`);
    if (item) $(".title", item).textContent = frame.title;
    else htmx.trigger(document.body, "conversations-changed");
    if (frame.conversation_id === conversationId()) {
      document.title = `${frame.title} · ${root().dataset.appTitle}`;
    }
  },

  state(frame) {
    if (frame.conversation_id !== conversationId()) return;
    if (!frame.streaming || !frame.message_id) {
      setGenerating(null);
      // Something finished while we were away: show the saved result.
      if ($('[data-testid=message][data-state="streaming"]')) refreshThread();
      return;
    }
    const element =
      messageElement(frame.message_id) ||
      appendMessage("assistant", frame.message_id, "", { state: "streaming" });
    element.dataset.state = "streaming";
    element.streamText = frame.text;
    element.streamReasoning = frame.reasoning;
    for (const step of frame.steps || []) showStep(element, step);
    body(element).classList.add("cursor");
    setGenerating(frame.conversation_id);
    schedulePaint(element);
  },
};

function adoptConversation(id) {
  const chat = root();
  const oldKey = draftKey();
  chat.dataset.conversationId = id;
  chat.dataset.mounted = id; // the same view, now with an id: mount() must not reset it
  localStorage.removeItem(oldKey);
  const temporary = $("#temporary-chat");
  if (temporary) temporary.disabled = true; // the chat is what it started as
  history.pushState({}, "", chat.dataset.conversationUrl.replace("00000000-0000-0000-0000-000000000000", id));
  htmx.trigger(document.body, "conversations-changed");
}

/** Re-render the shown branch from the server (sibling arrows, token counts, saved text). */
function refreshThread(at) {
  const chat = root();
  const id = conversationId();
  if (!chat || !id) return;
  const url = chat.dataset.threadUrl.replace("00000000-0000-0000-0000-000000000000", id);
  const headers = { [THREAD_HEADER]: String(++threadVersion) };
  htmx.ajax("GET", at ? `${url}?at=${at}` : url, { target: "#thread", swap: "innerHTML", headers });
}

/** A refresh asked before the latest one, or before a new response started, is not shown. */
function dropStaleThread(event) {
  const version = event.detail.requestConfig?.headers?.[THREAD_HEADER];
  if (version !== undefined && Number(version) !== threadVersion) event.detail.shouldSwap = false;
}

function subscribe() {
  const id = conversationId();
  if (id && socket) socket.send({ type: "subscribe", conversation_id: id });
}

// ---------------------------------------------------------------- user actions

/** The composer's MCP picker's choice ({} when there is no picker: the server keeps it). */
function mcpServers() {
  if (!$("[data-testid=mcp-picker]")) return {};
  const checked = document.querySelectorAll("input[name=mcp-server]:checked");
  return { mcp_servers: Array.from(checked, (input) => input.value) };
}

function sendMessage() {
  const box = composer();
  const text = box.value;
  if (!text.trim() || pending || generating) return;
  const { endpoint, model, params, instructions } = settings();
  if (!endpoint || !model) {
    setStatus(gettext("Choose an endpoint and a model first."), true);
    return;
  }
  if (uploading()) {
    setStatus(gettext("Wait for the files to finish uploading."), true);
    return;
  }
  const attachments = chosenAttachments();
  const shown = thread().querySelectorAll("[data-testid=message]");
  const last = shown[shown.length - 1];
  const frame = {
    type: "send",
    conversation_id: conversationId(),
    parent_id: last?.dataset.messageId || null,
    text,
    endpoint,
    model,
    params,
    instructions,
    // A model spec (modelSpecs): the server runs the turn on its preset.
    ...($("[data-testid=spec-value]")?.value ? { spec: $("[data-testid=spec-value]").value } : {}),
    // A new chat only: the server keeps a temporary chat out of every list and deletes it later.
    temporary: !conversationId() && Boolean($("#temporary-chat")?.checked),
    // The globe: web search offered to the model on this conversation's turns.
    ...($("#web-search") ? { web_search: $("#web-search").checked } : {}),
    // The MCP servers whose tools the model may call, saved with the conversation.
    ...mcpServers(),
    // The uploaded files, each sent as itself or as its extracted text.
    ...(attachments.length ? { attachments } : {}),
    // A new chat opened from a project (/?project=N) starts in it.
    ...(!conversationId() && root().dataset.projectId ? { project: Number(root().dataset.projectId) } : {}),
  };
  if (!socket.send(frame)) {
    setStatus(gettext("Not connected. Reconnecting…"), true);
    return;
  }
  setStatus("");
  setPending({ text });
}

function stopGeneration() {
  const id = generating || conversationId();
  if (id) socket.send({ type: "stop", conversation_id: id });
}

function regenerate(button) {
  const element = button.closest("[data-testid=message]");
  const parent = element.previousElementSibling;
  if (!parent || generating) return;
  socket.send({ type: "regenerate", conversation_id: conversationId(), message_id: parent.dataset.messageId });
}

function openEditor(button) {
  const element = button.closest("[data-testid=message]");
  if (generating || $(".edit-box", element)) return;
  const editor = $("#tpl-editor").content.firstElementChild.cloneNode(true);
  const area = $("textarea", editor);
  area.value = body(element).dataset.source ?? body(element).textContent;
  body(element).hidden = true;
  body(element).after(editor);
  area.focus();
}

/** An editor open while the thread is swapped (a refresh after an answer ended): reopened on
 * the new thread with what was typed, so a click just before the refresh is not lost. */
let keptEditor = null;

function keepEditor(event) {
  if (event.detail.target?.id !== "thread" || !event.detail.shouldSwap) return;
  const box = $(".edit-box");
  const element = box?.closest("[data-testid=message]");
  keptEditor = element ? { id: element.dataset.messageId, text: $("textarea", box).value } : null;
}

function restoreEditor() {
  const kept = keptEditor;
  keptEditor = null;
  const element = kept && messageElement(kept.id);
  const button = element && $("[data-action=edit]", element);
  if (!button) return;
  openEditor(button);
  const area = $(".edit-box textarea", element);
  if (area) area.value = kept.text;
}

function closeEditor(element) {
  $(".edit-box", element)?.remove();
  body(element).hidden = false;
}

function submitEdit(button) {
  const element = button.closest("[data-testid=message]");
  const text = $(".edit-box textarea", element).value;
  if (!text.trim()) return;
  const sent = socket.send({
    type: "edit",
    conversation_id: conversationId(),
    message_id: element.dataset.messageId,
    text,
  });
  if (sent) closeEditor(element);
  else setStatus(gettext("Not connected. Reconnecting…"), true);
}

function retry(button) {
  const element = button.closest("[data-testid=message]");
  if (element.dataset.role === "assistant") regenerate(button);
}

const actions = {
  regenerate,
  edit: openEditor,
  "edit-cancel": (button) => closeEditor(button.closest("[data-testid=message]")),
  "edit-save": submitEdit,
  retry,
  stop: stopGeneration,
  attach: () => $("#file-input")?.click(),
  "remove-attachment": removeAttachment,
};

// ---------------------------------------------------------------- composer

function resizeComposer() {
  const box = composer();
  if (!box) return;
  box.style.height = "auto";
  box.style.height = `${Math.min(box.scrollHeight, window.innerHeight * 0.4)}px`;
}

function onKeydown(event) {
  if (event.target.matches("[data-testid=composer]")) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      sendMessage();
    }
  }
  if (event.key === "Escape" && generating) stopGeneration();
}

function onInput(event) {
  // Instructions the user typed are sent; untouched ones on a new chat are left to the server
  // (the model spec's, else the user's personal instructions).
  if (event.target.id === "instructions") event.target.dataset.set = "";
  if (!event.target.matches("[data-testid=composer]")) return;
  resizeComposer();
  localStorage.setItem(draftKey(), event.target.value);
}

/**
 * Called on first load and after every HTMX settle. The sidebar's highlight follows the shown
 * conversation each time; the rest runs once per conversation view (a new chat included), since
 * it forgets a send still waiting for its `created` frame. The page's own fragment loads (the
 * sidebar, the balance, a thread refresh) settle at any moment, a send's included.
 */
function mount() {
  const chat = root();
  if (!chat) return;
  for (const item of document.querySelectorAll("[data-testid=conversation-item]")) {
    item.classList.toggle("active", item.dataset.conversationId === conversationId());
  }
  offerAttachments(settings().endpoint); // the endpoint picker's swap settles here too
  const shown = conversationId() || ""; // a data attribute holds strings: null would be "null"
  if (chat.dataset.mounted === shown) return;
  chat.dataset.mounted = shown;
  setPending(null);
  setGenerating(null);
  addUploaded(takeReusedFiles()); // the Files page's "Use in a new message"
  const box = composer();
  const draft = localStorage.getItem(draftKey());
  if (box && draft && !box.value) box.value = draft;
  resizeComposer();
  renderAll(chat);
  scrollToBottom();
  subscribe();
}

export function startChat() {
  socket = new ChatSocket(chatSocketUrl("/ws/chat/"));
  socket.on("frame", (frame) => handlers[frame.type]?.(frame));
  socket.on("open", () => {
    setStatus("");
    subscribe();
  });
  socket.on("close", (event) => {
    if (event.code === 4401 || event.code === 4403) setStatus(gettext("Signed out. Reload the page to sign in."), true);
    else setStatus(gettext("Connection lost. Reconnecting…"), true);
    if (pending) setPending(null);
  });

  installAttachments(() => ({ endpoint: settings().endpoint, conversationId: conversationId() }));
  document.addEventListener("keydown", onKeydown);
  document.addEventListener("input", onInput);
  document.addEventListener("submit", (event) => {
    if (event.target.id !== "composer") return;
    event.preventDefault();
    sendMessage();
  });
  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-action]");
    if (button && actions[button.dataset.action]) {
      event.preventDefault();
      actions[button.dataset.action](button);
    }
  });
  document.body.addEventListener("htmx:beforeSwap", dropStaleThread);
  document.body.addEventListener("htmx:beforeSwap", keepEditor);
  document.body.addEventListener("htmx:afterSettle", () => {
    renderAll(document);
    mount();
    restoreEditor();
  });
  document.body.addEventListener("htmx:historyRestore", () => {
    renderAll(document);
    mount();
  });
  mount();
}
