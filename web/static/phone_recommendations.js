/* The worker's phone page (issue 27): when the person of this check-in has a confirmed unemployment or job-seeking
 * registration in the market's county, the jobs the matcher recommends are shown (and recorded as seen on the
 * phone by the gateway); otherwise the section stays hidden. */
"use strict";
(function () {
  const root = document.getElementById("worker");
  const section = document.getElementById("recs-section");
  if (!root || !section) return;
  const en = document.documentElement.lang === "en";
  function line(label, text) {
    const p = document.createElement("p");
    if (label) {
      const strong = document.createElement("strong");
      strong.textContent = label + "：";
      p.appendChild(strong);
    }
    p.appendChild(document.createTextNode(text));
    return p;
  }
  async function load() {
    let response;
    try {
      response = await fetch("/worker/recommendations", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": root.dataset.csrf },
        body: "{}",
      });
    } catch (e) {
      return;
    }
    if (!response.ok) return;
    const body = await response.json();
    if (!body.recommendations.length) return;
    const list = document.getElementById("recs-list");
    list.replaceChildren();
    for (const r of body.recommendations) {
      const li = document.createElement("li");
      li.className = "rec rec-" + r.kind;
      li.dataset.jobRef = r.job_ref;
      const h = document.createElement("h3");
      h.textContent = `${en ? r.kind_en : r.kind_zh} · ${en ? r.trade_en : r.trade_zh} · ${r.wage}`;
      li.appendChild(h);
      li.appendChild(line("", `${r.employer}，${en ? r.where_en : r.where_zh}`));
      li.appendChild(line(section.dataset.why, en ? r.reason_en : r.reason_zh));
      li.appendChild(line(section.dataset.how, en ? r.how_en : r.how_zh));
      list.appendChild(li);
    }
    section.hidden = false;
  }
  load();
})();
