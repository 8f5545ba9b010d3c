/* Employer: one job request live over SSE — fills, the accepted workers, and no-show. */
"use strict";
(function () {
  const root = document.getElementById("employer-request");
  const M = Live.messages();
  const tbody = document.querySelector("#workers tbody");

  function row(worker) {
    const tr = document.createElement("tr");
    tr.dataset.checkin = worker.checkin_id;
    const steps = (worker.steps || []).map((s) => M.steps[s] || s);
    const state = [M.placement[worker.placement_status] || "", ...steps].filter(Boolean).join("，");
    for (const value of [worker.ticket_no, worker.worker_masked, state]) {
      const td = document.createElement("td");
      td.textContent = value == null ? "" : String(value);
      tr.appendChild(td);
    }
    const action = document.createElement("td");
    if (worker.placement_id && worker.placement_status === "started") {
      const done = worker.steps || [];
      const next = ["arrived", "completed", "wage_paid"].find((s) => !done.includes(s));
      if (next) {
        const button = document.createElement("button");
        button.type = "button";
        button.className = "primary";
        button.dataset.step = next;
        button.textContent = M.step_actions[next];
        button.addEventListener("click", () => recordStep(worker.placement_id, next, button));
        action.appendChild(button);
      }
      if (!done.length) {
        const button = document.createElement("button");
        button.type = "button";
        button.dataset.step = "no_show";
        button.textContent = M.no_show;
        button.addEventListener("click", () => noShow(worker.placement_id, button));
        action.appendChild(button);
      }
    }
    tr.appendChild(action);
    return tr;
  }
  async function noShow(placementId, button) {
    button.disabled = true;
    const result = await Outbox.post(`/api/v1/placements/${placementId}/no-show`, {});
    Live.text("action-status", result.queued ? M.queued_offline : result.ok ? M.no_show_sent : (result.body && result.body.message_zh) || M.failed);
  }
  async function recordStep(placementId, step, button) {
    button.disabled = true;
    const result = await Outbox.post(`/api/v1/placements/${placementId}/steps`, { step: step });
    Live.text("action-status", result.queued ? M.queued_offline : result.ok ? M.step_sent : (result.body && result.body.message_zh) || M.failed);
  }
  function render(view) {
    if (!view) return;
    Live.text("r-trade", M.trades[view.trade] || view.trade);
    Live.text("r-wage", view.day_wage);
    Live.text("r-start", `${view.start}（${view.hours}h）`);
    Live.text("r-place", view.place);
    Live.text("r-status", M.status[view.status] || view.status);
    Live.text("r-headcount", view.headcount);
    Live.text("r-filled", (view.accepted || []).length);
    Live.text("r-offers", (view.offers_out || []).length);
    tbody.replaceChildren(...(view.workers || []).map(row));
    if (window.EmployerOffers) EmployerOffers.render(view); // the offers' deadlines and outcomes
  }
  Live.watch(`/live/job-requests/${root.dataset.request}`, render);
})();
