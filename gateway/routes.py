"""The whole URL table, on one screen. Names are used to build URLs (``app.router[name].url_for``)."""

from __future__ import annotations

from aiohttp import web

from gateway.views import checkins, health, job_requests, offers
from web import pages


def setup_routes(app: web.Application) -> None:
    r = app.router
    r.add_get("/healthz", health.healthz, name="healthz")
    r.add_post("/api/v1/checkins", checkins.post_checkin, name="checkins")
    r.add_get("/api/v1/checkins/{checkin_id}", checkins.get_checkin, name="checkin")
    r.add_post("/api/v1/job-requests", job_requests.post_job_request, name="job_requests")
    r.add_get("/api/v1/job-requests/{request_id}", job_requests.get_job_request, name="job_request")
    r.add_post("/api/v1/offers/{offer_id}/answer", offers.post_offer_answer, name="offer_answer")
    r.add_get("/", pages.index, name="index")
    r.add_get("/tickets/{checkin_id}", pages.ticket, name="ticket_page")
    r.add_static("/static/", pages.STATIC_DIR, name="static")
