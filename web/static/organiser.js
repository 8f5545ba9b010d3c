/* A fair's page: publish, reschedule, cancel, booths with positions; the door: attendance by ID number (keypad)
 * or by the worker's fair pass read from the camera (jsQR), the employer's arrival, intents and hires. Each form
 * posts one fair command (OrganiserForms.send) and the page follows the fair's view without a reload. */
"use strict";
(function () {
  const root = document.getElementById("organiser-fair");
  const M = Live.messages();
  const fairId = root.dataset.fair;
  const offered = JSON.parse(document.getElementById("offered").textContent);
  const tradeNames = JSON.parse(document.getElementById("trade-names").textContent);
  const base = `/api/v1/fairs/${fairId}`;

  /** The counts, and each booth's arrival, as the fair's view now has them. */
  async function refresh() {
    const response = await fetch(base, { credentials: "same-origin" });
    if (!response.ok) return;
    const fair = await response.json();
    for (const [name, value] of Object.entries(fair.counts || {})) Live.text(`c-${name}`, value);
    for (const employer of Object.values(fair.employers || {})) {
      if (!employer.attended) continue;
      const cell = root.querySelector(`.booth[data-employer="${employer.employer_id}"] .booth-attendance`);
      if (cell && !cell.querySelector(".attended")) {
        const done = document.createElement("p");
        done.className = "attended";
        done.textContent = `✓ ${M.attended}`;
        cell.replaceChildren(done);
      }
    }
  }

  function positions(form) {
    return Array.from(form.querySelectorAll(".position-row"), (row) => {
      const p = {};
      for (const el of row.querySelectorAll("[data-name]")) {
        p[el.dataset.name] = el.type === "number" ? (el.value === "" ? null : Number(el.value)) : el.value;
      }
      return p;
    });
  }

  async function submit(event) {
    const form = event.target;
    event.preventDefault();
    Forms.clear(form);
    const body = Forms.values(form);
    if (form.id === "employer-form") body.positions = positions(form);
    if ("id_number" in body) {
      body.id_number = body.id_number.trim().toUpperCase();
      const problem = body.id_number ? IdCheck.problem(body.id_number) : "required";
      if (problem) { Forms.show(form, "id_number", M["id_" + problem]); return; }
    }
    const answer = await OrganiserForms.send(form, `${base}/${form.dataset.path}`, body);
    if (answer && form.dataset.after === "reload") { window.location.reload(); return; }
    if (answer) {
      const id = form.querySelector(".id-number");
      if (id) id.value = "";
    }
    // wait for the projection of the fact just applied, then show it (a second look catches a slow one)
    await refresh();
    setTimeout(refresh, 1000);
  }
  for (const form of root.querySelectorAll("form.fair-command")) form.addEventListener("submit", submit);

  // the on-screen keypad types into the ID number field above it
  const door = document.getElementById("attendance-form");
  const idInput = document.getElementById("attendance-id_number");
  for (const key of door.querySelectorAll(".keypad button")) {
    key.addEventListener("click", () => {
      if (key.dataset.key === "back") idInput.value = idInput.value.slice(0, -1);
      else if (idInput.value.length < 18) idInput.value += key.dataset.key;
    });
  }

  // the trade list of an intent or hire: only what the chosen employer offers at this fair
  for (const choice of root.querySelectorAll("select.employer-choice")) {
    choice.addEventListener("change", () => {
      const trade = choice.form.querySelector("select.trade-choice");
      trade.replaceChildren(...(offered[choice.value] || []).map((code) => new Option(tradeNames[code] || code, code)));
    });
  }

  // one more position row in the booth form (ids and labels renumbered)
  const addPosition = document.getElementById("add-position");
  if (addPosition) {
    addPosition.addEventListener("click", () => {
      const rows = document.getElementById("positions");
      const copy = rows.firstElementChild.cloneNode(true);
      const n = rows.children.length;
      for (const el of copy.querySelectorAll("[id]")) el.id = el.id.replace(/^pos-\d+-/, `pos-${n}-`);
      for (const el of copy.querySelectorAll("label[for]")) el.htmlFor = el.htmlFor.replace(/^pos-\d+-/, `pos-${n}-`);
      for (const el of copy.querySelectorAll("input")) el.value = el.dataset.name === "headcount" ? "1" : "";
      copy.querySelector(".position-no").textContent = String(n + 1);
      rows.appendChild(copy);
      copy.querySelector("select").focus();
    });
  }

  // the camera: read a worker's fair pass (LGP1.…) and record the attendance with it
  const scan = document.getElementById("scan-form");
  const toggle = document.getElementById("scan-toggle");
  const video = document.getElementById("scan-video");
  const canvas = document.getElementById("scan-canvas");
  let stream = null;
  let timer = null;
  let busy = false;
  const recent = new Map();

  function stop() {
    if (timer) clearInterval(timer);
    timer = null;
    if (stream) stream.getTracks().forEach((t) => t.stop());
    stream = null;
    video.hidden = true;
    toggle.textContent = M.scan_start;
  }
  async function look() {
    if (busy || !video.videoWidth || typeof jsQR !== "function") return;
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    const context = canvas.getContext("2d", { willReadFrequently: true });
    context.drawImage(video, 0, 0, canvas.width, canvas.height);
    const image = context.getImageData(0, 0, canvas.width, canvas.height);
    const code = jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
    if (!code || !code.data.startsWith("LGP1.")) return;
    const now = Date.now();
    if (recent.has(code.data) && now - recent.get(code.data) < 10000) return;  // the same phone held still
    recent.set(code.data, now);
    busy = true;
    try {
      OrganiserForms.status(scan, M.scan_read);
      await OrganiserForms.send(scan, `${base}/attendance`, { pass: code.data });
      await refresh();
      setTimeout(refresh, 1000);
    } finally {
      busy = false;
    }
  }
  toggle.addEventListener("click", async () => {
    if (stream) { stop(); return; }
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
    } catch (e) {
      OrganiserForms.status(scan, M.scan_no_camera);
      return;
    }
    video.srcObject = stream;
    video.hidden = false;
    await video.play();
    toggle.textContent = M.scan_stop;
    OrganiserForms.status(scan, M.scan_looking);
    timer = setInterval(look, 250);
  });
})();
