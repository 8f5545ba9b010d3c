/* The worker's phone page: the ticket panel, live. */
"use strict";
(function () {
  const root = document.getElementById("worker");
  TicketPanel.attach(root.dataset.checkin, Live.messages(), null);
})();
