/* Outbox: every write of the pages goes through here.
 *
 * A submission gets an Idempotency-Key once, is saved in localStorage before it is sent, and is removed when
 * the server has answered it (2xx or 4xx). A network failure or a 5xx leaves it saved; it is sent again with
 * the SAME key every few seconds and when the browser comes back online, so the API's idempotency turns any
 * number of attempts into one effect. Same-origin calls authenticate with the page session cookie plus the
 * session's CSRF token in X-CSRF-Token (see gateway/auth.py).
 */
"use strict";
(function () {
  const KEY = "lingong.outbox";
  const RETRY_MS = 3000;
  const listeners = [];

  function load() {
    try { return JSON.parse(localStorage.getItem(KEY) || "[]"); } catch (e) { return []; }
  }
  function save(list) {
    if (list.length) localStorage.setItem(KEY, JSON.stringify(list)); else localStorage.removeItem(KEY);
  }
  function newKey() {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }
  function csrf() {
    const holder = document.querySelector("[data-csrf]");
    return holder ? holder.dataset.csrf : "";
  }

  async function attempt(entry) {
    let response;
    try {
      response = await fetch(entry.url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "Idempotency-Key": entry.key, "X-CSRF-Token": csrf() },
        body: entry.body,
      });
    } catch (e) {
      return { delivered: false, offline: true };
    }
    let body = null;
    try { body = await response.json(); } catch (e) { body = null; }
    // 409 is retried only while the same key is still being processed; a 409 naming a rule (e.g. a placement
    // step refused by the clock, issue 23) is a final answer to show
    const inFlight = response.status === 409 && (!body || body.error === "idempotency_key_in_use");
    if (response.status >= 500 || inFlight) return { delivered: false, offline: false };
    return { delivered: true, ok: response.ok, status: response.status, body: body };
  }

  function remove(key) { save(load().filter((e) => e.key !== key)); }
  function notify(entry, result) { listeners.forEach((fn) => fn(entry, result)); }

  let flushing = false;
  async function flush() {
    if (flushing) return;
    flushing = true;
    try {
      for (const entry of load()) {
        const result = await attempt(entry);
        if (result.delivered) { remove(entry.key); notify(entry, result); }
      }
    } finally {
      flushing = false;
      setPending();
    }
  }

  function setPending() {
    const note = document.getElementById("outbox-status");
    if (note) note.hidden = load().length === 0;
  }

  /** Send ``payload`` to ``url``; resolves with the answer, or with {queued: true} when saved for later. */
  async function post(url, payload) {
    const entry = { key: newKey(), url: url, body: JSON.stringify(payload), at: Date.now() };
    const list = load(); list.push(entry); save(list);
    const result = await attempt(entry);
    if (result.delivered) { remove(entry.key); setPending(); return Object.assign({ key: entry.key }, result); }
    setPending();
    return { queued: true, key: entry.key };
  }

  window.addEventListener("online", flush);
  setInterval(() => { if (load().length) flush(); }, RETRY_MS);
  document.addEventListener("DOMContentLoaded", () => { setPending(); if (load().length) flush(); });

  window.Outbox = { post: post, flush: flush, pending: () => load().length, onDelivered: (fn) => listeners.push(fn) };
})();
