/* Offer deadlines counted down by the server's clock (kiosk, ticket page, phone, employer's request page).
 *
 * The device's clock is not trusted: every live view carries ``server_now`` (gateway/views/live.py), and a
 * server-rendered page its ``data-server-now``; Countdown.sync(serverNow) keeps the offset between the server's
 * clock and this device's, and every remaining time is (deadline - (device now + offset)). The deadline is
 * shown as a local time in Asia/Shanghai, whatever the device's time zone.
 *
 * Countdown.bind(element, expiresAt, template, overText) writes ``template`` with {m}, {s} and {t} (minutes,
 * seconds, local deadline HH:MM) into ``element`` now and every second while the element is in the page; at
 * zero it writes ``overText``. The timer only counts: that the offer expired is shown when the OfferExpired
 * fact reaches the read model (the live view says so), never by the timer alone.
 */
"use strict";
(function () {
  let offset = 0; // server clock minus device clock, in milliseconds
  const bound = new Set();
  let timer = null;
  const hhmm = new Intl.DateTimeFormat("zh-CN", {
    timeZone: "Asia/Shanghai", hour: "2-digit", minute: "2-digit", hour12: false,
  });

  function sync(serverNow) {
    const server = Date.parse(serverNow || "");
    if (!Number.isNaN(server)) offset = server - Date.now();
  }
  function now() { return Date.now() + offset; }
  function localTime(iso) { return hhmm.format(new Date(Date.parse(iso))); }
  /** Whole seconds left until ``iso`` by the server's clock (never below 0). */
  function remaining(iso) { return Math.max(0, Math.ceil((Date.parse(iso) - now()) / 1000)); }
  function render(item) {
    const left = remaining(item.expiresAt);
    if (left <= 0) { item.el.textContent = item.overText; return; }
    item.el.textContent = item.template
      .replace("{m}", String(Math.floor(left / 60)))
      .replace("{s}", String(left % 60))
      .replace("{t}", localTime(item.expiresAt));
    item.el.dataset.secondsLeft = String(left);
  }
  function tick() {
    for (const item of bound) {
      if (!item.el.isConnected || item.el.dataset.deadline !== item.expiresAt) { bound.delete(item); continue; }
      render(item);
    }
    if (!bound.size) { clearInterval(timer); timer = null; }
  }
  function bind(el, expiresAt, template, overText) {
    for (const item of bound) if (item.el === el) bound.delete(item);
    if (!el || !expiresAt) return;
    el.dataset.deadline = expiresAt;
    const item = { el: el, expiresAt: expiresAt, template: template, overText: overText || "" };
    bound.add(item);
    render(item);
    if (!timer) timer = setInterval(tick, 1000);
  }
  function unbind(el) {
    for (const item of bound) if (item.el === el) bound.delete(item);
    if (el) delete el.dataset.deadline;
  }
  window.Countdown = { sync: sync, bind: bind, unbind: unbind, localTime: localTime, remaining: remaining };

  // A server-rendered page: <body data-server-now> and elements with data-deadline and data-template.
  document.addEventListener("DOMContentLoaded", () => {
    const stamp = document.querySelector("[data-server-now]");
    if (stamp) sync(stamp.dataset.serverNow);
    for (const el of document.querySelectorAll("[data-deadline][data-template]")) {
      bind(el, el.dataset.deadline, el.dataset.template, el.dataset.over || "");
    }
  });
})();
