/* The kiosk's "查看我的登记": the worker types their ID number on the keypad; the gateway answers with today's
 * check-in at this market (or one and the same "no registration today"), and the kiosk shows its live ticket
 * with the place in the queue and any offer to accept or decline (kiosk.js, ticket.js). The number is kept in the
 * input only until it is sent, and never stored. Also used by kiosk.js when a second check-in today is refused. */
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  const form = $("lookup-form");
  const input = $("lookup_id");
  const error = $("lookup_id-error");
  const PLACE_EVERY_MS = 15000;

  function M() { return Kiosk.messages; }
  function csrf() { return document.getElementById("kiosk").dataset.csrf; }
  function say(message) {
    error.textContent = message || "";
    if (message) input.setAttribute("aria-invalid", "true"); else input.removeAttribute("aria-invalid");
  }

  for (const key of form.querySelectorAll(".keypad .key")) {
    key.addEventListener("click", () => {
      const k = key.dataset.key;
      if (k === "back") input.value = input.value.slice(0, -1);
      else if (input.value.length < 18) input.value += k;
      say("");
    });
  }
  input.addEventListener("input", () => {
    input.value = input.value.toUpperCase().replace(/[^0-9X]/g, "").slice(0, 18);
    say("");
  });

  /** Look ``idNumber`` up and show its ticket; false (with the reason shown) when there is none. */
  async function find(idNumber) {
    let response;
    try {
      response = await fetch("/kiosk/my-registration", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf() },
        body: JSON.stringify({ id_number: idNumber }),
      });
    } catch (e) {
      say(M().lookup_failed);
      return false;
    }
    let body = null;
    try { body = await response.json(); } catch (e) { body = null; }
    if (!response.ok) {
      const errors = (body && body.errors) || [];
      const first = errors.length ? errors[0] : body;
      say((first && (M().lang === "en" ? first.message_en : first.message_zh)) || M().lookup_failed);
      if (form.hidden) { Kiosk.show("lookup-form"); Kiosk.touch(); }
      return false;
    }
    input.value = "";
    say("");
    Kiosk.showTicket(body.checkin_id, body.worker_masked);
    showPlace(body.place);
    return true;
  }

  function showPlace(place) {
    const slot = $("t-ahead");
    if (!place || !place.is_waiting) { slot.hidden = true; slot.textContent = ""; return; }
    const ahead = place.ahead > 0 ? M().ahead.replace("{n}", place.ahead) : M().ahead_none;
    slot.textContent = `${ahead}。${M().waiting_total.replace("{n}", place.waiting)}`;
    slot.hidden = false;
  }

  /** Keep the place in the queue of ``checkinId`` shown while its ticket is; returns a closer (with .refresh). */
  function watchPlace(checkinId) {
    let closed = false;
    async function refresh() {
      if (closed) return;
      try {
        const response = await fetch(`/kiosk/queue-place/${encodeURIComponent(checkinId)}`, { credentials: "same-origin" });
        if (response.ok && !closed) showPlace(await response.json());
      } catch (e) { /* offline: keep what is shown */ }
    }
    const timer = setInterval(refresh, PLACE_EVERY_MS);
    refresh();
    const close = () => { closed = true; clearInterval(timer); showPlace(null); };
    close.refresh = refresh;
    return close;
  }

  $("my-registration").addEventListener("click", () => {
    input.value = "";
    say("");
    Kiosk.show("lookup-form");
    Kiosk.touch();
    input.focus();
  });
  $("lookup-cancel").addEventListener("click", () => Kiosk.resetToStart());
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const value = input.value;
    const problem = value ? IdCheck.problem(value) : "required";
    if (problem !== null) { say(M()["id_" + problem]); return; }
    $("lookup-submit").disabled = true;
    await find(value);
    $("lookup-submit").disabled = false;
  });

  window.MyRegistration = { find: find, watchPlace: watchPlace };
})();
