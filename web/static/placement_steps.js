/* Placement step buttons (issue 23), for the employer's request page and the worker's phone page:
 * every step is two taps (the button, then "确认…？" with 确认 / 取消); a refusal shows the Chinese message with
 * the English second; times are the gateway's clock (data-now on the page), not the device's. */
"use strict";
(function () {
  const holder = document.querySelector("[data-now]");
  const offset = holder ? Date.parse(holder.dataset.now) - Date.now() : 0;
  let pending = null; // the key of the button waiting for its confirmation, kept across live re-renders

  /** The gateway's clock now, in milliseconds. */
  function now() { return Date.now() + offset; }

  /** A button that asks ``question`` first; ``run`` on 确认. ``key`` names it across re-renders. */
  function confirmable(M, key, label, question, run, className) {
    const box = document.createElement("span");
    box.className = "step-action";
    box.dataset.key = key;
    function ask() {
      pending = key;
      const q = document.createElement("span");
      q.className = "step-question";
      q.setAttribute("role", "alertdialog");
      q.setAttribute("aria-label", question); // a dialog is named (axe-core aria-dialog-name)
      q.textContent = question;
      const yes = document.createElement("button");
      yes.type = "button"; yes.className = "primary step-yes"; yes.textContent = M.ok;
      const no = document.createElement("button");
      no.type = "button"; no.className = "step-no"; no.textContent = M.cancel;
      yes.addEventListener("click", () => {
        pending = null;
        yes.disabled = no.disabled = true;
        Promise.resolve(run()).finally(idle); // back to the button; the live view replaces it once recorded
      });
      no.addEventListener("click", () => { pending = null; idle(); });
      box.replaceChildren(q, yes, no);
      yes.focus();
    }
    function idle() {
      const button = document.createElement("button");
      button.type = "button";
      button.className = className || "primary";
      button.dataset.step = key.split(":").pop();
      button.textContent = label;
      button.addEventListener("click", ask);
      box.replaceChildren(button);
    }
    if (pending === key) ask(); else idle();
    return box;
  }

  /** Show an answer in ``statusId``: the refusal's Chinese message, the English second. */
  function show(statusId, result, M, sent) {
    const el = document.getElementById(statusId);
    if (!el) return;
    el.replaceChildren();
    if (result.queued) { el.textContent = M.queued_offline; return; }
    if (result.ok) { el.textContent = sent; return; }
    const body = result.body || {};
    el.classList.add("step-refused");
    el.append(body.message_zh || M.failed);
    if (body.message_en) {
      const en = document.createElement("span");
      en.lang = "en";
      en.className = "step-refused-en";
      en.textContent = body.message_en;
      el.append(" ", en);
    }
  }

  // commands accepted (202) whose refusal, if the market refuses them, arrives later on the live view
  const awaiting = {};

  /** POST to a placement's ``what`` (steps, corrections, unpaid, no-show) and show the answer. */
  async function send(placementId, what, body, statusId, M, sent) {
    const el = document.getElementById(statusId);
    if (el) { el.classList.remove("step-refused"); el.textContent = M.sending || ""; }
    const result = await Outbox.post(`/api/v1/placements/${placementId}/${what}`, body);
    show(statusId, result, M, sent);
    const commandId = result.ok && result.body && result.body.command_id;
    if (commandId) {
      awaiting[commandId] = { statusId: statusId, M: M };
      refused(seen[commandId]); // the view may have brought the refusal before the answer
    }
    return result;
  }

  /** A refusal on the live view (the ticket's job, the request's last_refusal): shown when it answers a
   * command this page sent (a rule the market judged from the steps standing). */
  const seen = {};
  function refused(refusal) {
    if (refusal && refusal.command_id) seen[refusal.command_id] = refusal;
    const mine = refusal && awaiting[refusal.command_id];
    if (!mine) return;
    delete awaiting[refusal.command_id];
    show(mine.statusId, { ok: false, body: refusal }, mine.M, "");
  }

  /** Whether ``step`` may still be corrected (recorded within the window, by the gateway's clock). */
  function correctable(times, step, minutes) {
    const at = times && times[step];
    return Boolean(at) && now() <= Date.parse(at) + minutes * 60000;
  }

  window.PlacementSteps = { now: now, confirmable: confirmable, send: send, refused: refused, correctable: correctable };
})();
