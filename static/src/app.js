// Parley's browser entry point: HTMX for navigation and forms, Alpine for local state.
import htmx from "htmx.org";
import Alpine from "alpinejs";

window.htmx = htmx;
window.Alpine = Alpine;
Alpine.start();
