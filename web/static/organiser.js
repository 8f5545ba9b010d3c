/* Organiser at the fair door: each form posts one fair command, then shows the agent's verdict. */
"use strict";
(function () {
  const root = document.getElementById("organiser-fair");
  const M = Live.messages();
  const fairId = root.dataset.fair;

  function status(form, text) {
    const el = form.querySelector(".form-status");
    if (el) el.textContent = text;
  }
  async function verdict(url) {
    for (let i = 0; i < 100; i++) {
      const response = await fetch(url, { credentials: "same-origin" });
      if (response.ok) return response.json();
      await new Promise((r) => setTimeout(r, 300));
    }
    return null;
  }
  async function refreshCounts() {
    const response = await fetch(`/api/v1/fairs/${fairId}`, { credentials: "same-origin" });
    if (!response.ok) return;
    const fair = await response.json();
    for (const [name, value] of Object.entries(fair.counts || {})) Live.text(`c-${name}`, value);
  }
  async function submit(event) {
    const form = event.target;
    event.preventDefault();
    Forms.clear(form);
    const body = Forms.values(form);
    if ("id_number" in body) {
      body.id_number = body.id_number.trim().toUpperCase();
      const problem = body.id_number ? IdCheck.problem(body.id_number) : "required";
      if (problem) { Forms.show(form, "id_number", M["id_" + problem]); return; }
    }
    status(form, M.sending);
    const result = await Outbox.post(`/api/v1/fairs/${fairId}/${form.dataset.path}`, body);
    if (result.queued) { status(form, M.queued_offline); return; }
    if (!result.ok) { status(form, ""); Forms.showApiErrors(form, result.body, M.lang, M.failed); return; }
    status(form, M.waiting);
    const outcome = await verdict(result.body.status_url);
    if (outcome && outcome.status === "applied") {
      status(form, `${M.applied}${result.body.worker_masked ? " " + result.body.worker_masked : ""}`);
      const id = form.querySelector(".id-number");
      if (id) id.value = "";
    } else if (outcome) {
      const r = outcome.refusal || {};
      status(form, M.refused + (M.lang === "en" ? r.message_en : r.message_zh));
    } else {
      status(form, M.failed);
    }
    refreshCounts();
  }
  for (const form of document.querySelectorAll("form.fair-command")) form.addEventListener("submit", submit);
})();
