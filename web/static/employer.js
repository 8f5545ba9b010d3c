/* Employer: post a same-day job; the API's messages appear beside their fields; then the live page. */
"use strict";
(function () {
  const form = document.getElementById("job-form");
  const M = Live.messages();
  async function submit(event) {
    event.preventDefault();
    Forms.clear(form);
    const body = Forms.values(form);
    if (!body.description) delete body.description;
    if (body.start_now) delete body.start; else delete body.start_now;
    body.certificate_required = false;
    const status = document.getElementById("form-status");
    status.textContent = M.sending;
    document.getElementById("submit").disabled = true;
    const result = await Outbox.post("/api/v1/job-requests", body);
    document.getElementById("submit").disabled = false;
    status.textContent = "";
    if (result.queued) { status.textContent = M.queued_offline; return; }
    if (!result.ok) { Forms.showApiErrors(form, result.body, M.lang, M.failed); return; }
    window.location.assign(`/employer/requests/${result.body.request_id}`);
  }
  form.addEventListener("submit", submit);

  /* The legal minimum beside the wage, for the chosen market's county and hours (web/wage_hints.py). */
  const minimum = M.minimum_wage;
  function showMinimum() {
    const rate = minimum && minimum.markets[form.elements.market_id.value];
    const hours = parseInt(form.elements.hours.value, 10);
    if (!rate || !(hours >= 1)) return;
    const day = String((rate.hundredths * hours) / 100);
    const values = { county: rate.county, hourly: rate.hourly, hours: String(hours), day: day };
    const hint = minimum.wording.replace(/\{(\w+)\}/g, (_, key) => values[key]);
    Live.text("day_wage-hint", hint.charAt(0).toUpperCase() + hint.slice(1));
  }
  form.elements.market_id.addEventListener("change", showMinimum);
  form.elements.hours.addEventListener("input", showMinimum);
  showMinimum();
  const startNow = document.getElementById("start_now");
  startNow.addEventListener("change", () => { document.getElementById("start").disabled = startNow.checked; });
  Outbox.onDelivered((entry, result) => {
    if (result.ok && result.body && result.body.request_id) window.location.assign(`/employer/requests/${result.body.request_id}`);
  });
})();
