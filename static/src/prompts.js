// The composer's slash menu: "/" then a prompt's command lists the prompts library's entries;
// picking one asks for its custom {{variables}} in a small dialog, then the server fills every
// variable in and the text replaces the "/command" in the message box. The menu's markup is
// cloned from the page's <template>s; only text is set here.

const $ = (selector, root = document) => root.querySelector(selector);
const TRIGGER = /^\/([\w-]*)$/; // the whole message is "/" and part of a command

let entries = null; // the menu's prompts, fetched once per page
let shown = []; // the entries listed now
let active = 0;
let picked = null; // the entry whose variables the dialog asks for

const box = () => $("[data-testid=composer]");
const menu = () => $("#slash-menu");

function csrfToken() {
  try {
    return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
  } catch {
    return "";
  }
}

async function load() {
  if (entries) return entries;
  const response = await fetch(menu().dataset.menuUrl, { headers: { Accept: "application/json" } });
  entries = response.ok ? (await response.json()).prompts : [];
  return entries;
}

function close() {
  const list = menu();
  if (list) list.hidden = true;
  shown = [];
}

function render() {
  const list = menu();
  const row = $("#tpl-slash-option");
  list.replaceChildren();
  shown.forEach((entry, index) => {
    const option = row.content.firstElementChild.cloneNode(true);
    $("[data-part=command]", option).textContent = `/${entry.command}`;
    $("[data-part=name]", option).textContent = entry.name;
    $("[data-part=oneliner]", option).textContent = entry.oneliner || entry.category;
    option.setAttribute("aria-selected", String(index === active));
    option.dataset.index = String(index);
    list.append(option);
  });
  list.hidden = shown.length === 0;
}

async function onInput(event) {
  if (!event.target.matches("[data-testid=composer]") || !menu()) return;
  const typed = TRIGGER.exec(event.target.value);
  if (!typed) return close();
  const wanted = typed[1].toLowerCase();
  const all = await load();
  shown = all.filter((e) => e.command && (e.command.startsWith(wanted) || e.name.toLowerCase().includes(wanted)));
  active = 0;
  render();
}

function onKeydown(event) {
  if (!shown.length || menu()?.hidden || !event.target.matches("[data-testid=composer]")) return;
  const moves = { ArrowDown: 1, ArrowUp: -1 };
  if (event.key in moves) {
    active = (active + moves[event.key] + shown.length) % shown.length;
    render();
  } else if (event.key === "Enter" || event.key === "Tab") {
    pick(shown[active]);
  } else if (event.key === "Escape") {
    close();
  } else {
    return;
  }
  // Before chat.js hears it: Enter picks a prompt here, it does not send "/command".
  event.preventDefault();
  event.stopImmediatePropagation();
}

function pick(entry) {
  close();
  if (!entry.variables.length) return insert(entry, {});
  picked = entry;
  const dialog = $("#prompt-variables");
  const fields = $("[data-part=fields]", dialog);
  fields.replaceChildren();
  for (const name of entry.variables) fields.append(variableField(name, entry.options[name]));
  dialog.showModal();
}

// A text box, or for {{name:a|b}} a choice of its options (LibreChat's dropdown variable).
function variableField(name, options) {
  const template = options ? "#tpl-prompt-choice" : "#tpl-prompt-variable";
  const field = $(template).content.firstElementChild.cloneNode(true);
  $("[data-part=label]", field).textContent = name;
  const control = $("input, select", field);
  control.name = name;
  for (const text of options || []) control.append(new Option(text, text));
  return field;
}

async function insert(entry, values) {
  const url = menu().dataset.fillUrl.replace("/0/fill", `/${entry.id}/fill`);
  const response = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
    body: JSON.stringify({ values }),
  });
  if (!response.ok) return;
  const input = box();
  input.value = (await response.json()).text;
  input.dispatchEvent(new Event("input", { bubbles: true })); // the draft and the height follow
  input.focus();
}

function onSubmit(event) {
  if (event.target.id !== "prompt-variables-form") return;
  event.preventDefault();
  const values = Object.fromEntries(new FormData(event.target));
  $("#prompt-variables").close();
  if (picked) insert(picked, values);
  picked = null;
}

function onClick(event) {
  const option = event.target.closest("#slash-menu [data-index]");
  if (option) pick(shown[Number(option.dataset.index)]);
  if (event.target.closest("[data-action=prompt-cancel]")) $("#prompt-variables").close();
}

export function installSlashMenu() {
  document.addEventListener("input", onInput);
  document.addEventListener("keydown", onKeydown, true); // capture: ahead of the send on Enter
  document.addEventListener("submit", onSubmit);
  document.addEventListener("click", onClick);
}
