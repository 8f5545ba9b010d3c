/* Form helpers: read fields, show each API error beside the field that caused it (data-error-for). */
"use strict";
(function () {
  function clear(form) {
    for (const el of form.querySelectorAll("[data-error-for]")) el.textContent = "";
    for (const el of form.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
    const status = form.querySelector(".form-status");
    if (status) status.textContent = "";
  }
  function show(form, field, message) {
    const slot = form.querySelector(`[data-error-for="${field}"]`);
    if (!slot) {
      const status = form.querySelector(".form-status");
      if (status) status.textContent = status.textContent ? status.textContent + "；" + message : message;
      return;
    }
    slot.textContent = slot.textContent ? slot.textContent + "；" + message : message;
    const input = form.querySelector(`#${field}`);
    if (input) input.setAttribute("aria-invalid", "true");
  }
  /** Show an API error body (``errors`` per field) in ``form``, in ``lang``. */
  function showApiErrors(form, body, lang, fallback) {
    const errors = (body && body.errors) || [];
    if (!errors.length) { show(form, "", (body && (lang === "en" ? body.message_en : body.message_zh)) || fallback); return; }
    for (const e of errors) show(form, e.field, lang === "en" ? e.message_en : e.message_zh);
  }
  /** The form's named fields as an object; number inputs become numbers (empty → null). */
  function values(form) {
    const out = {};
    for (const el of form.elements) {
      if (!el.name) continue;
      if (el.disabled) continue;
      if (el.type === "checkbox") out[el.name] = el.checked;
      else if (el.type === "number") out[el.name] = el.value === "" ? null : Number(el.value);
      else out[el.name] = el.value;
    }
    return out;
  }
  window.Forms = { clear: clear, show: show, showApiErrors: showApiErrors, values: values };
})();
