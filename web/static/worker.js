/* The worker's phone page: the ticket panel, live, and the day's jobs with "wage received" and, after the job's
 * scheduled end (the gateway's clock), the reports of issue 28: "没拿到工资", "工资少了", "工作内容不符" (and
 * "我到了但被记为未到岗" on a job marked a no-show), each a case for the county's staff, with its state; each
 * two taps (placement_steps.js). A fair pass about to expire is renewed when the worker opens it. */
"use strict";
(function () {
  const root = document.getElementById("worker");
  const M = Live.messages();
  const list = document.getElementById("jobs");
  const S = window.PlacementSteps;
  let last = null;

  const T = M.trust;
  /** The cases the worker reported about placement ``id`` (kind → state), from the live view. */
  function casesOf(id) {
    const out = {};
    ((last && last.cases) || []).forEach((c) => { if (c.placement_id === id) out[c.kind] = c.state; });
    return out;
  }
  /** The case's state is not on the ticket's own changes: once the county's writer has decided the report (its
   * outcome at ``statusUrl``), read the check-in again, with the case. */
  async function refresh(statusUrl) {
    for (let i = 0; i < 40; i += 1) {
      const outcome = await fetch(statusUrl, { credentials: "same-origin" });
      if (outcome.ok) break;
      await new Promise((done) => setTimeout(done, 500));
    }
    const answer = await fetch(`/api/v1/checkins/${root.dataset.checkin}`, { credentials: "same-origin" });
    if (answer.ok) renderJobs(await answer.json());
  }
  function report(id, kind) {
    return S.confirmable(M, `${id}:${kind}`, T.kinds[kind], T.questions[kind], async () => {
      const result = await S.send(id, "complaints", { kind: kind }, "jobs-status", M,
        kind === "unpaid" ? M.unpaid_sent : T.sent);
      if (result && result.ok && result.body) refresh(result.body.status_url);
    }, "big decline");
  }
  function actions(item) {
    const id = item.placement_id;
    const done = item.steps || [];
    const reported = casesOf(id);
    const out = [];
    const ended = item.end_at && S.now() >= Date.parse(item.end_at);
    if (!done.includes("wage_received")) {
      out.push(S.confirmable(M, `${id}:wage_received`, M.confirm_wage, M.questions.wage_received,
        () => S.send(id, "steps", { step: "wage_received" }, "jobs-status", M, M.step_sent), "big accept"));
      if (ended) {
        ["unpaid", "underpaid"].filter((k) => !(k in reported) && !(k === "unpaid" && item.disputed))
          .forEach((k) => out.push(report(id, k)));
      }
    } else if (S.correctable(item.step_times, "wage_received", M.correction_minutes)) {
      out.push(S.confirmable(M, `${id}:correct-wage_received`, M.corrections.wage_received,
        M.correction_questions.wage_received,
        () => S.send(id, "corrections", { step: "wage_received" }, "jobs-status", M, M.corrected), "decline"));
    }
    if (ended && !("not_as_described" in reported)) out.push(report(id, "not_as_described"));
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
    const reported = casesOf(item.placement_id);
    Object.keys(reported).forEach((kind) => {
      const state = document.createElement("p");
      state.className = "case-state";
      state.textContent = `${T.reported}：${T.kinds[kind]} · ${T.states[reported[kind]] || reported[kind]}`;
      li.appendChild(state);
    });
    const row = document.createElement("div");
    row.className = "actions";
    if (item.status === "started") row.append(...actions(item));
    if (item.status === "no_show" && !("marked_absent" in reported)) row.append(report(item.placement_id, "marked_absent"));
    if (row.children.length) li.appendChild(row);
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
