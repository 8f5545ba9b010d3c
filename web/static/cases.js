/* The staff's queue of cases (issue 28): an action posts to /api/v1/cases/{id}/actions with the note, shows the
 * answer (a refusal's Chinese message, the English second) and reloads the queue once the county's writer has
 * decided (its outcome at the answer's status_url, a second or two). */
"use strict";
(function () {
  const status = document.getElementById("case-status");
  /** Wait until the county's writer has decided the command (its outcome is written with the case's view). */
  async function decided(url) {
    for (let i = 0; i < 40; i += 1) {
      const answer = await fetch(url, { credentials: "same-origin" });
      if (answer.ok) return;
      await new Promise((done) => setTimeout(done, 500));
    }
  }
  document.querySelectorAll(".case-action").forEach((button) => {
    button.addEventListener("click", async () => {
      const article = button.closest("[data-case]");
      const note = article.querySelector(".case-note");
      button.disabled = true;
      const result = await Outbox.post(`/api/v1/cases/${article.dataset.case}/actions`, {
        action: button.dataset.action, note: note ? note.value : "",
      });
      if (result.ok) {
        status.textContent = button.textContent + " ✓";
        await decided(result.body.status_url);
        window.location.reload();
      } else {
        const body = result.body || {};
        status.textContent = [body.message_zh, body.message_en].filter(Boolean).join(" ");
        button.disabled = false;
      }
    });
  });
})();
