// The NHS design system's components (conditional reveals, the error summary taking focus, the
// header's menu, character counts): what its page template does with an inline script, done here.
import { initAll } from "/static/vendor/nhsuk/nhsuk-frontend.min.js";

document.body.classList.add("js-enabled", "nhsuk-frontend-supported");
initAll();
// htmx swaps new markup in (the live board, threshold questions): start its components too
document.body.addEventListener("htmx:afterSettle", (event) => initAll({ scope: event.detail.elt }));

// A conditional reveal marks its radio or checkbox aria-expanded, which ARIA 1.2 does not allow on
// those roles (axe: aria-allowed-attr; GOV.UK Frontend dropped it for this reason). The revealed
// questions follow the input in reading order, so nothing is lost by taking it off.
const CHOICE = ".nhsuk-radios__input, .nhsuk-checkboxes__input";
const strip = (el) => el.matches(CHOICE) && el.hasAttribute("aria-expanded") && el.removeAttribute("aria-expanded");
new MutationObserver((changes) => changes.forEach((c) => strip(c.target)))
  .observe(document.body, { subtree: true, attributes: true, attributeFilter: ["aria-expanded"] });
document.querySelectorAll(CHOICE).forEach(strip);
