// The wizard's page behaviour. Two jobs, both conveniences over what the server guarantees:
// 1. hide the questions that the current answers make irrelevant (see show_when in
//    terms_kit/wizard/forms.py); the server drops those answers anyway;
// 2. keep what is typed in this browser until the step is saved, so a closed tab or an
//    expired session does not lose a half-filled step. Entries are tied to the draft version
//    they were typed on: once the draft moved on they are stale and are forgotten;
// 3. refresh the compliance panel with what is on screen (the server checks without saving);
// 4. on the price step: add and remove lines in place, and show the totals as the expert
//    types (computed by the server with the documents' money code, never in JavaScript).
(function () {
  const form = document.querySelector("[data-testid=step-form]");
  if (!form) return;

  // -- 4. price lines (before the rest: restoring entries may need more rows) ----------
  const lines = form.querySelector(".tk-lines");
  const linesBody = lines && lines.querySelector("[data-tk-lines]");
  const template = lines && document.getElementById("tk-line-template");
  const totalForms = form.elements["lines-TOTAL_FORMS"];
  let totalsSeq = 0;
  let totalsTimer = null;

  function addLine() {
    const index = Number(totalForms.value);
    linesBody.insertAdjacentHTML("beforeend", template.innerHTML.replace(/__prefix__/g, String(index)));
    totalForms.value = String(index + 1);
    return linesBody.lastElementChild;
  }

  function ensureRows(values) {
    if (!lines) return;
    let needed = Number(totalForms.value);
    for (const name of Object.keys(values)) {
      const match = /^lines-(\d+)-/.exec(name);
      if (match) needed = Math.max(needed, Number(match[1]) + 1);
    }
    while (Number(totalForms.value) < needed) addLine();
  }

  async function refreshTotals() {
    const seq = ++totalsSeq;
    const response = await fetch(lines.dataset.totalsUrl, { method: "POST", body: new FormData(form) });
    if (!response.ok || seq !== totalsSeq) return;  // a later request answers for newer input
    const data = await response.json();
    const block = lines.querySelector("[data-testid=price-totals]");
    if (block) block.outerHTML = data.html;
    for (const output of lines.querySelectorAll("output[data-tk-net]")) {
      output.textContent = data.nets_display[output.dataset.tkNet] || "";
    }
  }

  function totalsSoon() {
    clearTimeout(totalsTimer);
    totalsTimer = setTimeout(refreshTotals, 250);
  }

  if (lines) {
    // Live totals make the no-JavaScript button unnecessary.
    const recompute = lines.querySelector("[data-tk-recompute]");
    if (recompute) recompute.hidden = true;
    lines.querySelector("[data-tk-add-line]").addEventListener("click", (event) => {
      event.preventDefault();
      const row = addLine();
      const first = row.querySelector("input:not([type=hidden]), textarea, select");
      if (first) first.focus();
    });
    lines.addEventListener("input", totalsSoon);
    lines.addEventListener("change", (event) => {
      const box = event.target.closest("input[name$='-DELETE']");
      if (box) box.closest("tr").classList.toggle("is-removed", box.checked);
      totalsSoon();
    });
  }

  // -- 1. conditional questions --------------------------------------------------------
  const config = document.getElementById("tk-show-when");
  const rules = config ? JSON.parse(config.textContent) : {};

  function valueOf(name) {
    const checked = form.querySelector(`[name="${name}"]:checked`);
    if (checked) return checked.value;
    const field = form.querySelector(`select[name="${name}"], input[name="${name}"]`);
    return field ? field.value : "";
  }

  function updateVisibility() {
    for (const [target, [controller, values]] of Object.entries(rules)) {
      const wrapper = form.querySelector(`[data-tk-field="${target}"]`);
      if (!wrapper) continue;
      if (values.includes(valueOf(controller))) wrapper.removeAttribute("data-tk-hidden");
      else wrapper.setAttribute("data-tk-hidden", "");
    }
  }

  // -- 2. unsaved entries ---------------------------------------------------------------
  const key = `terms-kit-wizard:${location.pathname}`;
  const version = form.elements.lock_version.value;
  const skip = new Set(["csrfmiddlewaretoken", "lock_version"]);

  function entries() {
    const values = {};
    for (const el of form.elements) {
      if (!el.name || skip.has(el.name) || el.type === "hidden") continue;
      if (el.type === "checkbox" || el.type === "radio") {
        if (el.checked) values[`${el.name}=${el.value}`] = true;
      } else {
        values[el.name] = el.value;
      }
    }
    return values;
  }

  function restore(values) {
    ensureRows(values);
    for (const el of form.elements) {
      if (!el.name || skip.has(el.name) || el.type === "hidden") continue;
      if (el.type === "checkbox" || el.type === "radio") el.checked = !!values[`${el.name}=${el.value}`];
      else if (el.name in values) el.value = values[el.name];
    }
    updateVisibility();
    if (lines) {
      for (const box of lines.querySelectorAll("input[name$='-DELETE']")) box.closest("tr").classList.toggle("is-removed", box.checked);
      refreshTotals();
    }
  }

  function offerRestore(stored) {
    const banner = document.getElementById("tk-restore");
    if (!banner) return;
    banner.hidden = false;
    banner.querySelector("[data-tk-restore]").addEventListener("click", () => {
      restore(stored.values);
      banner.hidden = true;
    });
    banner.querySelector("[data-tk-discard]").addEventListener("click", () => {
      localStorage.removeItem(key);
      banner.hidden = true;
    });
  }

  // After a successful save the server shows a success message on the next page.
  const submitted = sessionStorage.getItem("terms-kit-wizard:submitted");
  if (submitted && document.querySelector(".messages .success")) localStorage.removeItem(submitted);
  sessionStorage.removeItem("terms-kit-wizard:submitted");

  const stored = JSON.parse(localStorage.getItem(key) || "null");
  if (stored && stored.version !== version) localStorage.removeItem(key);
  else if (stored && JSON.stringify(stored.values) !== JSON.stringify(entries())) offerRestore(stored);

  // -- 3. live compliance panel ----------------------------------------------------------
  let timer = null;
  function checkSoon() {
    if (!form.dataset.checkUrl) return;
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const response = await fetch(form.dataset.checkUrl, { method: "POST", body: new FormData(form) });
      const panel = document.querySelector("[data-testid=compliance-panel]");
      if (response.ok && panel) panel.outerHTML = await response.text();
    }, 700);
  }

  form.addEventListener("input", () => {
    localStorage.setItem(key, JSON.stringify({ version, values: entries() }));
    checkSoon();
  });
  form.addEventListener("change", () => {
    updateVisibility();
    localStorage.setItem(key, JSON.stringify({ version, values: entries() }));
    checkSoon();
  });
  form.addEventListener("submit", () => sessionStorage.setItem("terms-kit-wizard:submitted", key));
  updateVisibility();
})();

// A finding in the compliance panel links to its step and field: focus the field on arrival
// (the link's #id is the first guess; the others are tried in turn). Without JavaScript the
// link still opens the step and scrolls to the field.
(function () {
  const KEY = "terms-kit-wizard:focus";

  function focusFirst(ids) {
    for (const id of ids) {
      const field = id && document.getElementById(id);
      if (field) {
        field.scrollIntoView({ block: "center" });
        field.focus();
        return true;
      }
    }
    return false;
  }

  document.addEventListener("click", (event) => {
    const link = event.target.closest && event.target.closest("a.tk-finding__link");
    if (!link) return;
    const ids = (link.dataset.fieldIds || "").split(" ").filter(Boolean);
    const target = new URL(link.href, location.href);
    if (target.pathname === location.pathname && focusFirst(ids)) {
      event.preventDefault();
      return;
    }
    try { sessionStorage.setItem(KEY, JSON.stringify(ids)); } catch (e) { /* private mode */ }
  });

  let ids = [];
  try { ids = JSON.parse(sessionStorage.getItem(KEY) || "[]"); sessionStorage.removeItem(KEY); }
  catch (e) { ids = []; }
  if (location.hash) ids.unshift(location.hash.slice(1));
  if (ids.length) focusFirst(ids);
})();
