/* The kiosk's "为我推荐的岗位" (issue 27): a registered job seeker types their ID number on the keypad; the gateway
 * answers with the jobs the matcher recommends (each with its reason and how to apply) and records that the
 * person saw them. The number is kept in the input only until it is sent, and never stored; the list leaves the
 * page at "完成" or when the kiosk goes idle (kiosk.js reloads the start screen). */
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  const form = $("recommend-form");
  const input = $("recommend_id");
  const error = $("recommend_id-error");
  const screen = $("screen-recommendations");

  function M() { return Kiosk.messages; }
  function en() { return M().lang === "en"; }
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

  function line(className, label, text) {
    const p = document.createElement("p");
    p.className = className;
    if (label) {
      const strong = document.createElement("strong");
      strong.textContent = label + "：";
      p.appendChild(strong);
    }
    p.appendChild(document.createTextNode(text));
    return p;
  }

  function showList(body) {
    const list = $("recs-list");
    list.replaceChildren();
    $("recs-who").textContent = body.person_masked;
    for (const r of body.recommendations) {
      const li = document.createElement("li");
      li.className = "rec rec-" + r.kind;
      li.dataset.jobRef = r.job_ref;
      const h = document.createElement("h2");
      h.textContent = `${en() ? r.kind_en : r.kind_zh} · ${en() ? r.trade_en : r.trade_zh} · ${r.wage}`;
      li.appendChild(h);
      li.appendChild(line("rec-where", "", `${r.employer}，${en() ? r.where_en : r.where_zh}`));
      li.appendChild(line("rec-why", screen.dataset.why, en() ? r.reason_en : r.reason_zh));
      li.appendChild(line("rec-how", screen.dataset.how, en() ? r.how_en : r.how_zh));
      list.appendChild(li);
    }
    const none = $("recs-none");
    none.hidden = body.recommendations.length > 0;
    none.textContent = none.hidden ? "" : screen.dataset.none;
    Kiosk.show("screen-recommendations");
    Kiosk.touch();
  }

  async function find(idNumber) {
    let response;
    try {
      response = await fetch("/kiosk/recommendations", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf() },
        body: JSON.stringify({ id_number: idNumber }),
      });
    } catch (e) {
      say(screen.dataset.failed);
      return;
    }
    let body = null;
    try { body = await response.json(); } catch (e) { body = null; }
    if (!response.ok) {
      const errors = (body && body.errors) || [];
      const first = errors.length ? errors[0] : body;
      say((first && (en() ? first.message_en : first.message_zh)) || screen.dataset.failed);
      return;
    }
    input.value = "";
    say("");
    showList(body);
  }

  $("my-recommendations").addEventListener("click", () => {
    input.value = "";
    say("");
    Kiosk.show("recommend-form");
    Kiosk.touch();
    input.focus();
  });
  $("recommend-cancel").addEventListener("click", () => Kiosk.resetToStart());
  $("recs-done").addEventListener("click", () => Kiosk.resetToStart());
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const value = input.value;
    const problem = value ? IdCheck.problem(value) : "required";
    if (problem !== null) { say(M()["id_" + problem]); return; }
    $("recommend-submit").disabled = true;
    await find(value);
    $("recommend-submit").disabled = false;
  });
})();
