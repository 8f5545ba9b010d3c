/* The hall screen: the market's open offers, live over SSE (/live/hall/{market}); a new number chimes (WebAudio)
 * and, where the browser has a zh-CN voice, is read aloud in Chinese whatever the page's language ("请 23 号到服务台"). Browsers start sound only after a
 * touch: the button unlocks it (a hall television can run Chromium with --autoplay-policy=no-user-gesture-required,
 * then it is on from the start). Each card carries data-shown-at (ms since the epoch) when it first appeared. */
"use strict";
(function () {
  const root = document.getElementById("hall");
  const M = Live.messages();
  const list = document.getElementById("calls");
  const seen = new Map(); // offer id -> shown-at
  let first = true;
  let audio = null;

  function unlock() {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      if (audio.state === "suspended") audio.resume();
    } catch (e) { audio = null; }
    if ("speechSynthesis" in window) window.speechSynthesis.getVoices();
    soundState();
  }
  function soundState() {
    const on = audio && audio.state === "running";
    document.getElementById("sound").hidden = !!on;
    Live.text("hall-status", on ? M.sound_on : "");
  }
  function chime() {
    if (!audio || audio.state !== "running") return;
    const now = audio.currentTime;
    [880, 660].forEach((freq, i) => {
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.0001, now + i * 0.35);
      gain.gain.exponentialRampToValueAtTime(0.4, now + i * 0.35 + 0.03);
      gain.gain.exponentialRampToValueAtTime(0.0001, now + i * 0.35 + 0.33);
      osc.connect(gain).connect(audio.destination);
      osc.start(now + i * 0.35);
      osc.stop(now + i * 0.35 + 0.35);
    });
  }
  function say(number) {
    if (!("speechSynthesis" in window)) return;
    const voice = window.speechSynthesis.getVoices().find((v) => /^zh[-_]CN/i.test(v.lang));
    if (!voice) return; // no Chinese voice: the chime and the screen only
    const words = new SpeechSynthesisUtterance(M.call.replace("{n}", number));
    words.voice = voice;
    words.lang = voice.lang;
    words.rate = 0.9;
    window.speechSynthesis.speak(words);
  }
  function card(offer, fresh) {
    const li = document.createElement("li");
    li.dataset.offer = offer.offer_id;
    li.dataset.ticket = offer.ticket_no;
    li.dataset.shownAt = String(seen.get(offer.offer_id));
    if (fresh) li.className = "new";
    const no = document.createElement("strong");
    no.className = "no";
    no.textContent = offer.ticket_no;
    const unit = document.createElement("small");
    unit.textContent = "号";
    no.appendChild(unit);
    const what = document.createElement("span");
    what.className = "what";
    what.textContent = `${offer.trade} · ${offer.day_wage} ${M.yuan_day}`;
    const when = document.createElement("span");
    when.className = "when";
    when.textContent = `${offer.start} ${M.starts}`;
    li.append(no, what, when);
    return li;
  }
  function render(view) {
    const offers = (view && view.offers) || [];
    const fresh = [];
    for (const offer of offers) {
      if (!seen.has(offer.offer_id)) { seen.set(offer.offer_id, Date.now()); if (!first) fresh.push(offer); }
    }
    const open = new Set(offers.map((o) => o.offer_id));
    for (const id of Array.from(seen.keys())) if (!open.has(id)) seen.delete(id);
    list.replaceChildren(...offers.map((o) => card(o, fresh.includes(o))));
    document.getElementById("hall-empty").hidden = offers.length > 0;
    first = false;
    if (fresh.length) {
      chime();
      fresh.forEach((o) => say(o.ticket_no));
    }
  }
  function tick() {
    const time = new Intl.DateTimeFormat("zh-CN", { timeZone: "Asia/Shanghai", hour: "2-digit", minute: "2-digit", hour12: false });
    Live.text("hall-time", time.format(new Date()));
  }
  document.getElementById("sound").addEventListener("click", unlock);
  document.addEventListener("pointerdown", unlock, { once: true });
  unlock();
  tick();
  setInterval(tick, 10000);
  Live.watch(`/live/hall/${encodeURIComponent(root.dataset.market)}`, render);
})();
