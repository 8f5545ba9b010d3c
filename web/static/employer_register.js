/* Employer registration (issue 24): a company by its credit code, an individual by an ID number; posts to
 * POST /api/v1/employers directly (not through the outbox: the ID number and password are never stored on the
 * device), shows each refusal beside its field, then leads to sign-in. */
"use strict";
(function () {
  const root = document.getElementById("employer-register");
  const form = document.getElementById("register-form");
  const M = JSON.parse(document.getElementById("messages").textContent);
  const company = document.getElementById("kind-company");
  function follow() {
    document.getElementById("credit-code-field").hidden = !company.checked;
    document.getElementById("id-number-field").hidden = company.checked;
  }
  for (const radio of form.elements.kind) radio.addEventListener("change", follow);
  follow();
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    Forms.clear(form);
    const kind = company.checked ? "company" : "individual";
    const body = { kind: kind, name: form.elements.name.value.trim(), password: form.elements.password.value };
    if (kind === "company") body.credit_code = form.elements.credit_code.value.trim().toUpperCase();
    else body.id_number = form.elements.id_number.value.trim().toUpperCase();
    if (form.elements.phone.value.trim()) body.phone = form.elements.phone.value.trim();
    const status = document.getElementById("form-status");
    const button = document.getElementById("submit");
    status.textContent = M.sending;
    button.disabled = true;
    let response = null;
    let answer = {};
    try {
      response = await fetch("/api/v1/employers", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": root.dataset.csrf },
        body: JSON.stringify(body),
      });
      answer = await response.json().catch(() => ({}));
    } catch (e) {
      response = null;
    }
    button.disabled = false;
    status.textContent = "";
    if (!response) { status.textContent = M.failed; return; }
    if (!response.ok) {
      if (answer.error === "login_taken") {
        Forms.show(form, kind === "company" ? "credit_code" : "id_number", M.taken);
        return;
      }
      Forms.showApiErrors(form, answer, M.lang, M.failed);
      return;
    }
    form.hidden = true;
    const done = document.getElementById("registered");
    done.textContent = M.registered;
    done.hidden = false;
    document.getElementById("to-sign-in").focus();
  });
})();
