/* The worker's phone page: the ticket panel, live, and the day's jobs with "wage received". */
"use strict";
(function () {
  const root = document.getElementById("worker");
  const M = Live.messages();
  const list = document.getElementById("jobs");

  async function confirm(placementId, button) {
    button.disabled = true;
    const result = await Outbox.post(`/api/v1/placements/${placementId}/steps`, { step: "wage_received" });
    Live.text("jobs-status", result.queued ? M.queued_offline : result.ok ? M.step_sent : (result.body && result.body.message_zh) || M.failed);
  }
  function job(item) {
    const li = document.createElement("li");
    const steps = (item.steps || []).map((s) => M.steps[s] || s).join("，");
    li.textContent = `${M.trades[item.trade] || item.trade} · ${item.day_wage} ${M.yuan} · ${item.start} ${steps ? "· " + steps : ""}`;
    if (item.status === "started" && !(item.steps || []).includes("wage_received")) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "big accept";
      button.textContent = M.confirm_wage;
      button.addEventListener("click", () => confirm(item.placement_id, button));
      li.appendChild(document.createElement("br"));
      li.appendChild(button);
    }
    return li;
  }
  function renderJobs(view) {
    const jobs = (view && view.jobs) || [];
    document.getElementById("jobs-section").hidden = jobs.length === 0;
    list.replaceChildren(...jobs.map(job));
  }
  TicketPanel.attach(root.dataset.checkin, M, null, renderJobs);
})();
