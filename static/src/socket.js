// One WebSocket per tab to /ws/chat/, reconnected with exponential backoff.
// Listeners get every decoded frame and the connection's ups and downs.
import { scriptName } from "./site.js";

const MIN_DELAY = 500;
const MAX_DELAY = 15000;

export class ChatSocket {
  constructor(url) {
    this.url = url;
    this.delay = MIN_DELAY;
    this.listeners = { frame: [], open: [], close: [] };
    this.connect();
  }

  on(event, listener) {
    this.listeners[event].push(listener);
  }

  emit(event, value) {
    for (const listener of this.listeners[event]) listener(value);
  }

  get open() {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  connect() {
    this.ws = new WebSocket(this.url);
    this.outbox = [];
    this.ws.addEventListener("open", () => {
      this.delay = MIN_DELAY;
      this.emit("open"); // the page catches up first (subscribe), then what it queued goes out
      for (const data of this.outbox.splice(0)) this.ws.send(data);
    });
    this.ws.addEventListener("message", (event) => {
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch {
        return; // not ours to interpret
      }
      this.emit("frame", frame);
    });
    this.ws.addEventListener("close", (event) => {
      this.outbox = []; // never sent: the close tells the page, which keeps what the user typed
      this.emit("close", event);
      if (event.code === 4401 || event.code === 4403) return; // signed out or refused: retrying cannot help
      setTimeout(() => this.connect(), this.delay);
      this.delay = Math.min(this.delay * 2, MAX_DELAY);
    });
  }

  /**
   * Send a frame; false when the socket is down (the caller keeps what the user typed).
   * While the socket is still connecting (a page just loaded, a reconnect under way) the frame
   * waits for it to open: refusing it would drop a message typed in the page's first moments.
   */
  send(frame) {
    const data = JSON.stringify(frame);
    if (this.open) this.ws.send(data);
    else if (this.ws?.readyState === WebSocket.CONNECTING) this.outbox.push(data);
    else return false;
    return true;
  }
}

/** The socket's URL for a path inside Parley (under its script name). */
export function chatSocketUrl(path) {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}${scriptName}${path}`;
}
