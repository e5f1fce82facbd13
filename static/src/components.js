// The Alpine components the templates use. Alpine's CSP build evaluates template expressions
// without eval: they may read and assign the component's fields and call its methods, but not
// reach globals (String, htmx, navigator) or run several statements. Anything more lives here.
import htmx from "htmx.org";
import { cookiePath } from "./site.js";

/** Theme: light, dark or system; kept in a cookie so the server renders it without a flash. */
function applyTheme(theme) {
  if (theme === "light" || theme === "dark") document.documentElement.dataset.theme = theme;
  else delete document.documentElement.dataset.theme;
  document.cookie = `parley_theme=${theme}; path=${cookiePath}; max-age=31536000; samesite=lax`;
}

/** A menu or panel that opens and closes; `expanded` is its aria-expanded text. */
const toggle = () => ({
  open: false,
  get expanded() {
    return String(this.open);
  },
  toggle() {
    this.open = !this.open;
  },
  close() {
    this.open = false;
  },
});

export function registerComponents(Alpine) {
  Alpine.data("shell", () => ({
    drawer: false,
    params: false,
    get paramsExpanded() {
      return String(this.params);
    },
    toggleDrawer() {
      this.drawer = !this.drawer;
    },
  }));

  Alpine.data("toggle", toggle);

  // The composer's MCP server picker: a menu of checkboxes; chat.js sends the checked ones.
  Alpine.data("mcpPicker", () => ({
    ...toggle(),
    count: 0,
    get countText() {
      return this.count ? `(${this.count})` : "";
    },
    init() {
      this.recount();
    },
    recount() {
      this.count = this.$root.querySelectorAll("input[name=mcp-server]:checked").length;
    },
  }));

  // The sidebar's Chats / Archived tabs: a hidden input the list requests include.
  Alpine.data("sidebarTabs", () => ({
    archived: false,
    get archivedValue() {
      return this.archived ? "1" : "0";
    },
    get chatsCurrent() {
      return String(!this.archived);
    },
    get archivedCurrent() {
      return String(this.archived);
    },
    show(archived) {
      this.archived = archived;
      this.$nextTick(() => htmx.trigger("#filter", "search"));
    },
  }));

  // One conversation in the sidebar: its options menu and the rename field.
  Alpine.data("conversationItem", () => ({
    open: false,
    renaming: false,
    get expanded() {
      return String(this.open);
    },
    toggle() {
      this.open = !this.open;
    },
    close() {
      this.open = false;
    },
    startRename() {
      this.open = false;
      this.renaming = true;
      this.$nextTick(() => this.$refs.title.select());
    },
    cancel() {
      this.open = false;
      this.renaming = false;
    },
  }));

  Alpine.data("themePicker", (initial) => ({
    theme: initial || "system",
    init() {
      this.$watch("theme", applyTheme);
    },
  }));

  // A parameter counts as set once the user touches it (only set ones are sent);
  // "reset" returns it to the endpoint's default.
  Alpine.data("param", (isSet) => ({
    set: Boolean(isSet),
    value: "",
    get setMark() {
      return this.set ? "" : null;
    },
    init() {
      this.value = this.read();
    },
    read() {
      const input = this.$refs.input;
      return input.type === "checkbox" ? input.checked : input.value;
    },
    touch() {
      this.set = true;
      this.value = this.read();
    },
    reset() {
      const input = this.$refs.input;
      if (input.type === "checkbox") input.checked = input.dataset.default === "true";
      else input.value = input.dataset.default;
      this.value = this.read();
      this.set = false;
    },
  }));

  // A dialog HTMX swapped in: removed once closed; its form closes it after a save that
  // the server did not retarget (a retarget shows an error inside the dialog).
  // The terms modal (interface.termsOfService.modalAcceptance): Escape must not dismiss it.
  Alpine.data("terms", () => ({
    keep(event) {
      event.preventDefault();
    },
  }));
  Alpine.data("modal", () => ({
    discard() {
      this.$root.remove();
    },
    close() {
      this.$root.close();
    },
    closeAfterSave(event) {
      const { successful, xhr } = event.detail;
      if (successful && !xhr.getResponseHeader("HX-Retarget")) this.close();
    },
    selectAll(event) {
      event.target.select();
    },
    copy() {
      return navigator.clipboard.writeText(this.$refs.url.value);
    },
  }));
}
