/* The worker's phone page: the ticket panel, live, and the day's jobs with "wage received" and, after the job's
 * scheduled end (the gateway's clock), "没拿到工资"; each two taps (placement_steps.js). A fair pass about to
 * expire is renewed when the worker opens it. */
"use strict";
(function () {
  const root = document.getElementById("worker");
  const M = Live.messages();
  const list = document.getElementById("jobs");
  const S = window.PlacementSteps;
  let last = null;

  function actions(item) {
    const id = item.placement_id;
    const done = item.steps || [];
    const out = [];
    if (!done.includes("wage_received")) {
      out.push(S.confirmable(M, `${id}:wage_received`, M.confirm_wage, M.questions.wage_received,
        () => S.send(id, "steps", { step: "wage_received" }, "jobs-status", M, M.step_sent), "big accept"));
      if (!item.disputed && item.end_at && S.now() >= Date.parse(item.end_at)) {
        out.push(S.confirmable(M, `${id}:unpaid`, M.unpaid_action, M.questions.unpaid,
          () => S.send(id, "unpaid", {}, "jobs-status", M, M.unpaid_sent), "big decline"));
      }
    } else if (S.correctable(item.step_times, "wage_received", M.correction_minutes)) {
      out.push(S.confirmable(M, `${id}:correct-wage_received`, M.corrections.wage_received,
        M.correction_questions.wage_received,
        () => S.send(id, "corrections", { step: "wage_received" }, "jobs-status", M, M.corrected), "decline"));
    }
    return out;
  }
  function job(item) {
    const li = document.createElement("li");
    const steps = (item.steps || []).map((s) => M.steps[s] || s);
    if (item.disputed) steps.push(M.disputed);
    const line = document.createElement("span");
    line.className = "job-line";
    line.textContent = `${M.trades[item.trade] || item.trade} · ${item.day_wage} ${M.yuan} · ${item.start}（${item.hours} ${M.hours}）${steps.length ? " · " + steps.join("，") : ""}`;
    li.appendChild(line);
    if (item.status === "started") {
      const row = document.createElement("div");
      row.className = "actions";
      row.append(...actions(item));
      li.appendChild(row);
    }
    return li;
  }
  function renderJobs(view) {
    last = view;
    const jobs = (view && view.jobs) || [];
    jobs.forEach((item) => S.refused(item.refusal));
    document.getElementById("jobs-section").hidden = jobs.length === 0;
    list.replaceChildren(...jobs.map(job));
  }
  // the fair pass lasts 15 minutes and this page stays open all day: opening a pass within a minute of its end
  // (by the gateway's clock) loads the page again with a fresh pass, shown open
  const passDetails = document.getElementById("fair-pass-details");
  const pass = document.getElementById("fair-pass");
  if (passDetails && pass) {
    const skew = Date.parse(root.dataset.now) - Date.now();
    passDetails.addEventListener("toggle", () => {
      if (passDetails.open && Date.now() + skew > Date.parse(pass.dataset.expires) - 60000) {
        window.location.replace("/worker?pass=open#fair-pass-section");
      }
    });
  }
  TicketPanel.attach(root.dataset.checkin, M, null, renderJobs);
  // the scheduled end and the correction window pass without any change to the view: look again each half minute
  setInterval(() => { if (last) renderJobs(last); }, 30000);
})();
