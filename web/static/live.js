/* Live views over server-sent events (gateway/views/live.py) and the shared offer rendering. */
"use strict";
(function () {
  /** Call ``onView(view)`` with the view at ``url`` now and after every change; returns a closer. */
  function watch(url, onView) {
    const source = new EventSource(url, { withCredentials: true });
    source.addEventListener("view", (event) => onView(JSON.parse(event.data)));
    return () => source.close();
  }
  function text(id, value) {
    const el = document.getElementById(id);
    if (el) el.textContent = value == null ? "" : String(value);
  }
  function messages() {
    const el = document.getElementById("messages");
    return el ? JSON.parse(el.textContent) : {};
  }
  window.Live = { watch: watch, text: text, messages: messages };
})();
