// The NHS design system's components (conditional reveals, the error summary taking focus, the
// header's menu, character counts): what its page template does with an inline script, done here.
import { initAll } from "/static/vendor/nhsuk/nhsuk-frontend.min.js";

document.body.classList.add("js-enabled", "nhsuk-frontend-supported");
initAll();
// htmx swaps new markup in (the live board, threshold questions): start its components too
document.body.addEventListener("htmx:afterSettle", (event) => initAll({ scope: event.detail.elt }));
