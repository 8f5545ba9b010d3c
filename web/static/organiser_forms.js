/* Organiser pages: send one fair command and show the fair agent's verdict beside the form; the scheduling form. */
"use strict";
(function () {
  const M = Live.messages();

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
  /** Post ``body`` to ``url`` for ``form``; resolves with the 202 answer once the agent applied it, else null
   * (the field errors or the refusal in words are then shown in the form). */
  async function send(form, url, body) {
    Forms.clear(form);
    status(form, M.sending);
    const buttons = form.querySelectorAll("button[type=submit]");
    buttons.forEach((b) => { b.disabled = true; });
    try {
      const result = await Outbox.post(url, body);
      if (result.queued) { status(form, M.queued_offline); return null; }
      if (!result.ok) { status(form, ""); Forms.showApiErrors(form, result.body, M.lang, M.failed); return null; }
      status(form, M.waiting);
      const outcome = await verdict(result.body.status_url);
      if (outcome && outcome.status === "applied") {
        status(form, `${M.applied}${result.body.worker_masked ? " " + result.body.worker_masked : ""}`);
        return result.body;
      }
      if (outcome) {
        const r = outcome.refusal || {};
        status(form, M.refused + (M.lang === "en" ? r.message_en : r.message_zh));
      } else {
        status(form, M.failed);
      }
      return null;
    } finally {
      buttons.forEach((b) => { b.disabled = false; });
    }
  }
  /** Wait until the fair's view exists (a fair just scheduled takes a moment), then open its page. */
  async function openFair(fairId) {
    for (let i = 0; i < 50; i++) {
      const response = await fetch(`/api/v1/fairs/${fairId}`, { credentials: "same-origin" });
      if (response.ok) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    window.location.assign(`/organiser/fairs/${fairId}`);
  }
  window.OrganiserForms = { send: send, status: status, openFair: openFair };

  const schedule = document.getElementById("schedule-form");
  if (schedule) {
    schedule.addEventListener("submit", async (event) => {
      event.preventDefault();
      const body = Forms.values(schedule);
      const answer = await send(schedule, "/api/v1/fairs", body);
      if (answer) await openFair(answer.fair_id);
    });
  }
})();
