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
  Outbox.onDelivered((entry, result) => {
    if (result.ok && result.body && result.body.request_id) window.location.assign(`/employer/requests/${result.body.request_id}`);
  });
})();
