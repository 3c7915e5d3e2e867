// Hides the questions of a step that the current answers make irrelevant (see show_when in
// terms_kit/wizard/forms.py). Without JavaScript every question shows; the server drops the
// answers that do not apply, so hiding is only a convenience.
(function () {
  const config = document.getElementById("tk-show-when");
  const form = document.querySelector("[data-testid=step-form]");
  if (!config || !form) return;
  const rules = JSON.parse(config.textContent);

  function valueOf(name) {
    const checked = form.querySelector(`[name="${name}"]:checked`);
    if (checked) return checked.value;
    const field = form.querySelector(`select[name="${name}"], input[name="${name}"]`);
    return field ? field.value : "";
  }

  function update() {
    for (const [target, [controller, values]] of Object.entries(rules)) {
      const wrapper = form.querySelector(`[data-tk-field="${target}"]`);
      if (!wrapper) continue;
      if (values.includes(valueOf(controller))) wrapper.removeAttribute("data-tk-hidden");
      else wrapper.setAttribute("data-tk-hidden", "");
    }
  }

  form.addEventListener("change", update);
  update();
})();
