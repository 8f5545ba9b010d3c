/* A registered person's page (issue 27): "已电话告知" records that staff told the person of a recommended job by
 * phone (POST .../recommendations-told with the page session's CSRF token and a fresh Idempotency-Key); the county's
 * writer counts each job once toward "3 次岗位推荐". */
"use strict";
(function () {
  const section = document.getElementById("recommendations");
  if (!section) return;
  function newKey() {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }
  for (const button of section.querySelectorAll("button.told")) {
    const item = button.closest("li");
    const status = item.querySelector(".told-status");
    const key = newKey();  // one per job on this page: a retry of the same click is the same command
    button.addEventListener("click", async () => {
      button.disabled = true;
      let ok = false;
      try {
        const response = await fetch(section.dataset.url, {
          method: "POST",
          credentials: "same-origin",
          headers: {
            "Content-Type": "application/json",
            "X-CSRF-Token": section.dataset.csrf,
            "Idempotency-Key": key,
          },
          body: JSON.stringify({ job_ref: item.dataset.jobRef }),
        });
        ok = response.ok;
      } catch (e) {
        ok = false;
      }
      status.textContent = ok ? section.dataset.sent : section.dataset.failed;
      button.disabled = ok;
    });
  }
})();
