/* The receipt page: print once at once (a kiosk browser started with --kiosk-printing prints without a dialog),
 * then back to the kiosk's start screen; "再打印一张" prints again. */
"use strict";
(function () {
  const back = document.getElementById("receipt").dataset.back;
  document.getElementById("r-print").addEventListener("click", () => window.print());
  window.addEventListener("afterprint", () => setTimeout(() => window.location.replace(back), 1500));
  if (!/[?&]preview=1/.test(window.location.search)) window.setTimeout(() => window.print(), 300);
  window.setTimeout(() => window.location.replace(back), 60000);
})();
