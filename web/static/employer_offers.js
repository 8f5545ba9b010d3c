/* Employer's request page: the offers of the request (web/templates/_request_offers.html), from the live view's
 * ``offers`` (gateway/views/live.py): each open offer with its deadline counting down by the server's clock
 * (countdown.js), and every expired or declined offer with the worker offered the place next. */
"use strict";
(function () {
  const M = Live.messages();
  const $ = (id) => document.getElementById(id);

  function who(offer) {
    return `${M.ticket.replace("{n}", offer.ticket_no == null ? "—" : offer.ticket_no)} · ${offer.worker_masked || ""}`;
  }
  function openItem(offer) {
    const li = document.createElement("li");
    li.dataset.offer = offer.offer_id;
    const name = document.createElement("span");
    name.textContent = who(offer);
    const deadline = document.createElement("span");
    deadline.className = "deadline";
    li.append(name, document.createElement("br"), deadline);
    Countdown.bind(deadline, offer.expires_at, M.deadline, M.deadline_over);
    return li;
  }
  function endedItem(offer) {
    const li = document.createElement("li");
    li.dataset.offer = offer.offer_id;
    li.dataset.outcome = offer.outcome;
    const when = offer.ended_at ? Countdown.localTime(offer.ended_at) : "";
    const outcome = document.createElement("strong");
    outcome.textContent = M.outcome[offer.outcome] || offer.outcome;
    const next = offer.next_ticket_no == null ? M.no_next : M.next_offered.replace("{n}", offer.next_ticket_no);
    li.append(`${who(offer)} · ${when} `, outcome, document.createElement("br"), next);
    return li;
  }
  function render(view) {
    if (view.server_now) Countdown.sync(view.server_now);
    const offers = view.offers || [];
    const open = offers.filter((o) => o.outcome === "open");
    const ended = offers.filter((o) => o.outcome === "expired" || o.outcome === "declined");
    $("open-offers").replaceChildren(...open.map(openItem));
    $("no-open-offers").hidden = open.length > 0;
    $("ended-offers").replaceChildren(...ended.reverse().map(endedItem));
    $("no-ended-offers").hidden = ended.length > 0;
  }
  window.EmployerOffers = { render: render };
})();
