/* The kiosk: start → ID keypad, trades, wage and hours → queue ticket → live offer → accept or decline.
 * Idle for data-idle-seconds on any screen but the start: the page reloads to the start screen, so the
 * next person never sees the last one's data (nothing of theirs is kept in the DOM or in storage; an
 * undelivered submission stays in the outbox until the server has it, and is never shown).
 */
"use strict";
(function () {
  const root = document.getElementById("kiosk");
  const M = Live.messages();
  const $ = (id) => document.getElementById(id);
  const form = $("checkin-form");
  const idInput = $("id_number");
  let closeLive = null;
  let closePlace = null;
  let current = { checkinId: null, submissionKey: null };
  // The ID number of the check-in just sent, in memory only until its ticket answers: a second check-in today
  // is refused ("already checked in here"), and then the page looks the first one up ("查看我的登记").
  let heldId = null;

  function show(id) {
    for (const el of document.querySelectorAll(".screen")) el.hidden = el.id !== id;
  }

  // ---------------------------------------------------------------- idle reset
  const idleMs = Number(root.dataset.idleSeconds || "120") * 1000;
  let idleTimer = null;
  function resetToStart() {
    if (closeLive) closeLive();
    if (closePlace) closePlace();
    heldId = null;
    // nothing of the last person may stay on screen (or in the page) while the start screen loads
    document.body.replaceChildren();
    window.location.replace("/lang?to=zh_CN&next=/kiosk");
  }
  function touch() {
    clearTimeout(idleTimer);
    if ($("screen-start").hidden) idleTimer = setTimeout(resetToStart, idleMs);
  }
  ["pointerdown", "keydown", "input"].forEach((t) => document.addEventListener(t, touch, true));

  // ---------------------------------------------------------------- errors next to fields
  function clearErrors() {
    for (const el of document.querySelectorAll("[data-error-for]")) el.textContent = "";
    for (const el of document.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
    $("form-status").textContent = "";
  }
  function fieldError(field, message) {
    const slot = document.querySelector(`[data-error-for="${field}"]`);
    if (!slot) { $("form-status").textContent = message; return; }
    slot.textContent = slot.textContent ? slot.textContent + "；" + message : message;
    const input = document.getElementById(field);
    if (input) input.setAttribute("aria-invalid", "true");
  }
  function serverErrors(body) {
    const errors = (body && body.errors) || [];
    if (!errors.length) { $("form-status").textContent = (body && body.message_zh) || M.failed; return; }
    for (const e of errors) fieldError(e.field, M.lang === "en" ? e.message_en : e.message_zh);
  }

  // ---------------------------------------------------------------- ID keypad
  for (const key of document.querySelectorAll("#checkin-form .keypad .key")) {
    key.addEventListener("click", () => {
      const k = key.dataset.key;
      if (k === "back") idInput.value = idInput.value.slice(0, -1);
      else if (idInput.value.length < 18) idInput.value += k;
      checkId(false);
    });
  }
  idInput.addEventListener("input", () => {
    idInput.value = idInput.value.toUpperCase().replace(/[^0-9X]/g, "").slice(0, 18);
    checkId(false);
  });
  function checkId(final) {
    const slot = document.querySelector('[data-error-for="id_number"]');
    slot.textContent = "";
    idInput.removeAttribute("aria-invalid");
    const value = idInput.value;
    if (!value) { if (final) fieldError("id_number", M.id_required); return !final; }
    const problem = IdCheck.problem(value);
    if (problem === null) return true;
    if (problem === "length" && !final) return false;
    fieldError("id_number", M["id_" + problem]);
    return false;
  }

  // ---------------------------------------------------------------- trades
  for (const button of document.querySelectorAll(".trade")) {
    button.addEventListener("click", () => {
      button.setAttribute("aria-pressed", button.getAttribute("aria-pressed") === "true" ? "false" : "true");
    });
  }
  function chosenTrades() {
    return Array.from(document.querySelectorAll('.trade[aria-pressed="true"]'), (b) => b.dataset.trade);
  }

  // ---------------------------------------------------------------- submit
  function payload() {
    return {
      id_number: idInput.value,
      trades: chosenTrades(),
      min_day_wage: $("min_day_wage").value === "" ? null : Number($("min_day_wage").value),
      available_from: $("available_from").value,
      available_until: $("available_until").value,
    };
  }
  function validate(body) {
    let ok = checkId(true);
    if (!body.trades.length) { fieldError("trades", M.trades_required); ok = false; }
    if (body.min_day_wage === null) { fieldError("min_day_wage", M.wage_required); ok = false; }
    if (!body.available_from) { fieldError("available_from", M.hours_required); ok = false; }
    if (!body.available_until) { fieldError("available_until", M.hours_required); ok = false; }
    return ok;
  }
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors();
    const body = payload();
    if (!validate(body)) return;
    $("submit").disabled = true;
    $("form-status").textContent = M.sending;
    const result = await Outbox.post("/api/v1/checkins", body);
    $("submit").disabled = false;
    if (result.queued) {
      current.submissionKey = result.key;
      $("form-status").textContent = M.queued_offline;
      return;
    }
    handleCheckIn(result);
  });
  Outbox.onDelivered((entry, result) => {
    if (entry.key === current.submissionKey && !$("checkin-form").hidden) handleCheckIn(result);
  });
  function handleCheckIn(result) {
    $("form-status").textContent = "";
    if (!result.ok) { serverErrors(result.body); return; }
    heldId = idInput.value;
    form.reset();
    for (const b of document.querySelectorAll('.trade[aria-pressed="true"]')) b.setAttribute("aria-pressed", "false");
    showTicket(result.body.checkin_id, result.body.worker_masked, (view) => {
      if (!view || !heldId) return;
      const again = view.status === "refused" && view.refusal && view.refusal.rule === "already_checked_in";
      const id = heldId;
      heldId = null;
      if (again && window.MyRegistration) {
        MyRegistration.find(id).then((found) => { if (found) Live.text("answer-status", M.already_here); });
      }
    });
  }

  /** Show check-in ``checkinId``'s ticket, live, with its place in the queue (the fresh check-in's, or the one
   * "查看我的登记" found); ``onView`` also gets every view. */
  function showTicket(checkinId, masked, onView) {
    if (closeLive) closeLive();
    if (closePlace) closePlace();
    current.checkinId = checkinId;
    Live.text("t-no", "…");
    Live.text("t-masked", masked || "");
    Live.text("answer-status", "");
    $("phone-qr").hidden = true;
    show("screen-ticket");
    touch();
    closePlace = window.MyRegistration ? MyRegistration.watchPlace(checkinId) : null;
    closeLive = TicketPanel.attach(checkinId, M, touch, (view) => {
      if (onView) onView(view);
      if (closePlace && closePlace.refresh) closePlace.refresh();
    });
  }

  // The receipt printer: the print page prints at once and comes back to the start screen.
  $("print").addEventListener("click", () => {
    if (current.checkinId) window.location.assign(`/kiosk/tickets/${encodeURIComponent(current.checkinId)}/print`);
  });
  $("done").addEventListener("click", resetToStart);
  $("phone").addEventListener("click", async () => {
    const response = await fetch("/kiosk/phone-link", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": root.dataset.csrf },
      body: JSON.stringify({ checkin_id: current.checkinId }),
    });
    if (!response.ok) { Live.text("answer-status", M.failed); return; }
    const link = await response.json();
    $("phone-qr-img").src = link.qr;
    $("phone-qr-img").dataset.url = link.url;
    $("phone-qr").hidden = false;
  });

  $("start").addEventListener("click", () => { show("checkin-form"); touch(); idInput.focus(); });
  $("cancel").addEventListener("click", resetToStart);

  window.Kiosk = { show: show, touch: touch, showTicket: showTicket, resetToStart: resetToStart, messages: M };
})();
