/* Employer: one job request live over SSE — fills, the accepted workers, their steps (two taps each, see
 * placement_steps.js), corrections and no-show. */
"use strict";
(function () {
  const root = document.getElementById("employer-request");
  const M = Live.messages();
  const tbody = document.querySelector("#workers tbody");

  function row(worker) {
    const tr = document.createElement("tr");
    tr.dataset.checkin = worker.checkin_id;
    const steps = (worker.steps || []).map((s) => M.steps[s] || s);
    const record = worker.completed_30 == null ? "" : M.completed_30.replace("{n}", worker.completed_30);
    const state = [M.placement[worker.placement_status] || "", ...steps, record].filter(Boolean).join("，");
    const labels = document.querySelectorAll("#workers thead th");
    [worker.ticket_no, worker.worker_masked, state].forEach((value, i) => {
      const td = document.createElement("td");
      td.textContent = value == null ? "" : String(value);
      if (labels[i]) td.dataset.label = labels[i].textContent;
      tr.appendChild(td);
    });
    const action = document.createElement("td");
    if (worker.placement_id && worker.placement_status === "started") action.append(...actions(worker));
    tr.appendChild(action);
    return tr;
  }
  /** The step buttons of a started placement (web/static/placement_steps.js: two taps each). */
  function actions(worker) {
    const S = window.PlacementSteps;
    const id = worker.placement_id;
    const done = worker.steps || [];
    const out = [];
    // the answer in words: who, at what time (the gateway's clock), the wage with its unit
    const said = (name) => fill(M.step_done[name], { who: worker.worker_masked, time: hhmm(S.now()), wage: lastView.day_wage });
    const step = (name, question, body) => S.confirmable(M, `${id}:${name}`,
      name === "arrived_completed" ? M.both_action : M.step_actions[name], question,
      () => S.send(id, "steps", body, "action-status", M, said(name)));
    const hasWage = done.includes("wage_paid") || done.includes("wage_received");
    if (!done.includes("arrived") && !hasWage) {
      out.push(step("arrived", M.questions.arrived, { step: "arrived" }));
      out.push(step("arrived_completed", M.questions.arrived_completed, { step: "completed", with_arrival: true }));
    } else if (!done.includes("completed") && !hasWage) {
      out.push(step("completed", M.questions.completed, { step: "completed" }));
    }
    if (!done.includes("wage_paid")) out.push(step("wage_paid", M.questions.wage_paid, { step: "wage_paid" }));
    if (!done.length && !worker.disputed) {
      out.push(S.confirmable(M, `${id}:no_show`, M.no_show, M.questions.no_show,
        () => S.send(id, "no-show", {}, "action-status", M, said("no_show")), "decline"));
    }
    // a correction: the employer's latest step nothing else rests on, within the window (the gateway's clock)
    const rests = { arrived: ["completed"], completed: ["wage_paid", "wage_received"], wage_paid: [] };
    for (const s of ["wage_paid", "completed", "arrived"]) {
      if (!done.includes(s) || rests[s].some((later) => done.includes(later))) continue;
      if (!S.correctable(worker.step_times, s, M.correction_minutes)) continue;
      out.push(S.confirmable(M, `${id}:correct-${s}`, M.corrections[s], M.correction_questions[s],
        () => S.send(id, "corrections", { step: s }, "action-status", M, M.corrected), "decline"));
      break;
    }
    if (worker.disputed) {
      const note = document.createElement("span");
      note.className = "step-refused";
      note.textContent = M.disputed;
      out.push(note);
    }
    return out;
  }
  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, (_, k) => (values[k] == null ? "" : String(values[k])));
  }
  /** ``ms`` (an instant) as HH:MM in Asia/Shanghai. */
  function hhmm(ms) {
    return new Intl.DateTimeFormat("zh-CN", { hour: "2-digit", minute: "2-digit", hour12: false, timeZone: "Asia/Shanghai" }).format(new Date(ms));
  }
  function hhmmNow() {
    return hhmm(window.PlacementSteps.now() + 59_000);  // the market rounds the new start up to the minute
  }
  let lastView = {};
  const latePanel = document.getElementById("late-panel");
  const confirmBox = document.getElementById("reopen-confirm");
  document.getElementById("reopen").addEventListener("click", () => {
    Live.text("reopen-confirm-text", fill(M.reopen_confirm, { time: hhmmNow() }));
    confirmBox.hidden = false;
    document.getElementById("reopen-yes").focus();
  });
  document.getElementById("reopen-no").addEventListener("click", () => { confirmBox.hidden = true; });
  document.getElementById("reopen-yes").addEventListener("click", async (event) => {
    const button = event.currentTarget;
    button.disabled = true;
    const result = await Outbox.post(`/api/v1/job-requests/${root.dataset.request}/reopen`, {});
    button.disabled = false;
    confirmBox.hidden = true;
    Live.text("action-status", result.queued ? M.queued_offline : result.ok ? M.reopen_sent : (result.body && result.body.message_zh) || M.failed);
  });
  function renderLife(view) {
    const late = view.status === "start_passed";
    latePanel.hidden = !late;
    if (late) Live.text("late-text", fill(M.late, { minutes: view.grace_minutes || 30 }));
    else confirmBox.hidden = true;
    const reopened = document.getElementById("reopened-text");
    reopened.hidden = !(view.reopened_at && !late);
    if (!reopened.hidden) Live.text("reopened-text", fill(M.reopened, { start: view.start, previous: view.previous_start }));
    const refusal = document.getElementById("refusal-text");
    refusal.hidden = !view.refusal;
    if (view.refusal) Live.text("refusal-text", M.lang === "en" ? view.refusal.message_en : view.refusal.message_zh);
  }
  // ---------------------------------------------------------------- adjust: headcount and cancel (issue 24)
  const manage = document.getElementById("manage");
  const headcountForm = document.getElementById("headcount-form");
  const headcountInput = document.getElementById("headcount");
  const headcountConfirm = document.getElementById("headcount-confirm");
  const cancelConfirm = document.getElementById("cancel-confirm");
  let sentHeadcount = null; // {command, n}: a change this page sent, answered by the view
  let asked = null; // the headcount the question asked about
  let sentCancel = false;
  function refusal(statusId, body) {
    const el = document.getElementById(statusId);
    el.replaceChildren(body.message_zh || M.failed);
    if (body.message_en && M.lang !== "en") {
      const en = document.createElement("span");
      en.lang = "en";
      en.textContent = body.message_en;
      el.append(" ", en);
    }
  }
  headcountForm.addEventListener("submit", (event) => {
    event.preventDefault();
    Live.text("headcount-error", "");
    const n = Number(headcountInput.value);
    asked = n;
    Live.text("headcount-question", fill(M.headcount_question, { n: headcountInput.value }));
    headcountConfirm.hidden = !(n >= 1);
    if (n >= 1) document.getElementById("headcount-yes").focus();
    else Live.text("headcount-error", M.required);
  });
  document.getElementById("headcount-no").addEventListener("click", () => { headcountConfirm.hidden = true; });
  document.getElementById("headcount-yes").addEventListener("click", async () => {
    headcountConfirm.hidden = true;
    const n = asked;
    Live.text("manage-status", M.sending);
    const result = await Outbox.post(`/api/v1/job-requests/${root.dataset.request}/headcount`, { headcount: n });
    if (result.queued) { Live.text("manage-status", M.queued_offline); return; }
    if (!result.ok) {
      Live.text("manage-status", "");
      headcountInput.setAttribute("aria-invalid", "true");
      refusal("headcount-error", result.body || {});
      return;
    }
    headcountInput.removeAttribute("aria-invalid");
    sentHeadcount = { command: result.body.command_id, n: n };
    Live.text("manage-status", fill(M.headcount_sent, { n: n }));
    renderManage(lastView); // the live view may have brought the change before this answer
  });
  document.getElementById("cancel-request").addEventListener("click", () => {
    const n = (lastView.accepted || []).length;
    Live.text("cancel-question", n ? fill(M.cancel_question_some, { n: n }) : M.cancel_question_none);
    cancelConfirm.hidden = false;
    document.getElementById("cancel-no").focus();
  });
  document.getElementById("cancel-no").addEventListener("click", () => { cancelConfirm.hidden = true; });
  document.getElementById("cancel-yes").addEventListener("click", async () => {
    cancelConfirm.hidden = true;
    Live.text("manage-status", M.sending);
    const result = await Outbox.post(`/api/v1/job-requests/${root.dataset.request}/cancel`, {});
    if (result.queued) { Live.text("manage-status", M.queued_offline); return; }
    if (!result.ok) { refusal("manage-status", result.body || {}); return; }
    sentCancel = true;
    Live.text("manage-status", M.cancel_sent);
  });
  function renderManage(view) {
    const adjustable = view.status === "open" || view.status === "filled";
    manage.hidden = !adjustable;
    if (document.activeElement !== headcountInput && headcountConfirm.hidden) headcountInput.value = view.headcount;
    const refused = view.last_refusal;
    if (sentHeadcount && refused && refused.command_id === sentHeadcount.command) {
      sentHeadcount = null;
      Live.text("manage-status", "");
      refusal("headcount-error", refused);
    } else if (sentHeadcount && view.headcount === sentHeadcount.n) {
      Live.text("manage-status", fill(M.headcount_done, { n: view.headcount, previous: view.previous_headcount }));
      sentHeadcount = null;
    }
    if (view.status === "cancelled" && (sentCancel || !adjustable)) Live.text("manage-status", M.cancelled_done);
  }

  function render(view) {
    if (!view) return;
    lastView = view;
    renderLife(view);
    renderManage(view);
    Live.text("r-trade", M.trades[view.trade] || view.trade);
    Live.text("r-wage", fill(M.wage_unit, { wage: view.day_wage }));
    Live.text("r-start", fill(M.start_hours, { start: view.start, hours: view.hours }));
    Live.text("r-place", view.place);
    Live.text("r-status", M.status[view.status] || view.status);
    Live.text("r-headcount", view.headcount);
    Live.text("r-filled", (view.accepted || []).length);
    Live.text("r-offers", (view.offers_out || []).length);
    tbody.replaceChildren(...(view.workers || []).map(row));
    if (window.EmployerOffers) EmployerOffers.render(view); // the offers' deadlines and outcomes
    window.PlacementSteps.refused(view.last_refusal);
  }
  Live.watch(`/live/job-requests/${root.dataset.request}`, render);
})();
