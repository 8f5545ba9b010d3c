/* The ticket panel (web/templates/_ticket_panel.html), shared by the kiosk and the worker's phone:
 * queue number and status live over SSE, the open offer with its deadline counting down (countdown.js) and
 * accept and decline; an expired offer's notice (back in the queue, or paused with "我还在等工作"). */
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  /** countdown.js, loaded before this script by every page with the panel; without it no deadline is shown. */
  const clock = () => window.Countdown || { sync() {}, bind() {}, unbind() {} };

  /** Show check-in ``checkinId`` live; ``onOffer`` is called when an open offer arrives, ``onView`` with
   * every view. Returns a closer. */
  function attach(checkinId, M, onOffer, onView) {
    let offerId = null;
    function render(view) {
      if (onView) onView(view);
      if (!view) { Live.text("t-status", M.processing); return; }
      if (view.server_now) clock().sync(view.server_now);
      renderExpiry(view);
      if (view.ticket_no) Live.text("t-no", view.ticket_no);
      if (view.worker_masked) Live.text("t-masked", view.worker_masked);
      if (view.status === "refused" && view.refusal) {
        Live.text("t-no", "—");
        Live.text("t-status", M.lang === "en" ? view.refusal.message_en : view.refusal.message_zh);
      } else {
        Live.text("t-status", M.status[view.status] || view.status);
      }
      const offer = view.offer;
      const open = view.status === "offered" && offer;
      $("offer").hidden = !offer;
      $("accept").hidden = $("decline").hidden = !open;
      const deadline = $("o-deadline");
      if (deadline && open && offer.expires_at) {
        clock().bind(deadline, offer.expires_at, M.countdown, M.countdown_over);
      } else if (deadline) { clock().unbind(deadline); deadline.textContent = ""; }
      if (!offer) return;
      offerId = offer.offer_id;
      Live.text("o-employer", offer.employer_name);
      Live.text("o-trade", M.trades[offer.trade] || offer.trade);
      Live.text("o-wage", `${offer.day_wage} ${M.yuan}`);
      Live.text("o-place", offer.place);
      Live.text("o-start", `${offer.start}（${offer.hours} ${M.hours}）`);
      // issue 28: the employer's pay record over the last 30 days ("近 30 天按时付薪 12/12")
      const english = document.documentElement.lang === "en";
      Live.text("o-pay-record", (english ? offer.pay_record_en : offer.pay_record_zh) || "");
      if (open && onOffer) onOffer();
    }
    /** The last offer expired (the OfferExpired fact is in the view): back in the queue, or paused. */
    function renderExpiry(view) {
      if (!$("expiry")) return; // a page with the panel from before the expiry notice
      const paused = view.status === "paused";
      const expired = view.notice && view.notice.kind === "offer_expired";
      $("expiry").hidden = !(expired || paused);
      Live.text("expiry-next", paused ? M.paused : M.still_queued);
      $("still-waiting").hidden = !paused;
      if (expired || paused) Live.text("answer-status", "");
    }
    async function stillWaiting() {
      $("still-waiting").disabled = true;
      const result = await Outbox.post(`/api/v1/checkins/${checkinId}/still-waiting`, {});
      $("still-waiting").disabled = false;
      if (result.queued) Live.text("answer-status", M.queued_offline);
      else if (!result.ok) Live.text("answer-status", (result.body && result.body.message_zh) || M.failed);
      else Live.text("answer-status", M.still_waiting_sent);
    }
    async function answer(choice) {
      if (!offerId) return;
      $("accept").disabled = $("decline").disabled = true;
      Live.text("answer-status", M.sending);
      const result = await Outbox.post(`/api/v1/offers/${offerId}/answer`, { answer: choice });
      $("accept").disabled = $("decline").disabled = false;
      if (result.queued) Live.text("answer-status", M.queued_offline);
      else if (!result.ok) Live.text("answer-status", (result.body && result.body.message_zh) || M.failed);
      else Live.text("answer-status", choice === "accept" ? M.accepted : M.declined);
    }
    const onAccept = () => answer("accept");
    const onDecline = () => answer("decline");
    $("accept").addEventListener("click", onAccept);
    $("decline").addEventListener("click", onDecline);
    if ($("still-waiting")) $("still-waiting").addEventListener("click", stillWaiting);
    const close = Live.watch(`/live/tickets/${checkinId}`, render);
    return () => {
      close();
      $("accept").removeEventListener("click", onAccept);
      $("decline").removeEventListener("click", onDecline);
      if ($("still-waiting")) $("still-waiting").removeEventListener("click", stillWaiting);
      clock().unbind($("o-deadline"));
    };
  }
  window.TicketPanel = { attach: attach };
})();
