"""The whole URL table, on one screen. Names are used to build URLs (``app.router[name].url_for``)."""

from __future__ import annotations

from aiohttp import web

from gateway import openapi
from gateway.views import checkins, dashboard, fairs, health, job_requests, offers, reports, staff, supply
from web import pages, sign_in


def setup_routes(app: web.Application) -> None:
    r = app.router
    r.add_get("/healthz", health.healthz, name="healthz")
    r.add_post("/api/v1/checkins", checkins.post_checkin, name="checkins")
    r.add_get("/api/v1/checkins/{checkin_id}", checkins.get_checkin, name="checkin")
    r.add_post("/api/v1/job-requests", job_requests.post_job_request, name="job_requests")
    r.add_get("/api/v1/job-requests/{request_id}", job_requests.get_job_request, name="job_request")
    r.add_post("/api/v1/checkins/{checkin_id}/check-out", checkins.post_check_out, name="check_out")
    r.add_get("/api/v1/checkins/{checkin_id}/why-not/{request_id}", staff.get_why_not, name="why_not")
    r.add_post(
        "/api/v1/job-requests/{request_id}/cancel",
        job_requests.post_cancel_job_request,
        name="job_request_cancel",
    )
    r.add_post("/api/v1/placements/{placement_id}/no-show", job_requests.post_no_show, name="no_show")
    r.add_post("/api/v1/offers/{offer_id}/answer", offers.post_offer_answer, name="offer_answer")
    # fairs
    r.add_post("/api/v1/fairs", fairs.post_fair, name="fairs")
    r.add_get("/api/v1/fairs", fairs.get_fairs, name="fair_list")
    r.add_get("/api/v1/fairs/{fair_id}", fairs.get_fair, name="fair")
    r.add_post("/api/v1/fairs/{fair_id}/employers", fairs.post_fair_employer, name="fair_employers")
    r.add_post("/api/v1/fairs/{fair_id}/publish", fairs.post_fair_publish, name="fair_publish")
    r.add_post("/api/v1/fairs/{fair_id}/reschedule", fairs.post_fair_reschedule, name="fair_reschedule")
    r.add_post("/api/v1/fairs/{fair_id}/cancel", fairs.post_fair_cancel, name="fair_cancel")
    r.add_post("/api/v1/fairs/{fair_id}/attendance", fairs.post_fair_attendance, name="fair_attendance")
    r.add_post(
        "/api/v1/fairs/{fair_id}/employer-attendance",
        fairs.post_fair_employer_attendance,
        name="fair_employer_attendance",
    )
    r.add_post("/api/v1/fairs/{fair_id}/intents", fairs.post_fair_intent, name="fair_intents")
    r.add_post("/api/v1/fairs/{fair_id}/hires", fairs.post_fair_hire, name="fair_hires")
    r.add_get("/api/v1/fair-commands/{command_id}", fairs.get_fair_command, name="fair_command")
    r.add_get("/api/v1/quotas", fairs.get_quotas, name="quotas")
    r.add_post("/api/v1/quotas/{county}/policy", fairs.post_quota_policy, name="quota_policy")
    # reporting, the job supply list and the live dashboard (issue 5)
    r.add_get("/api/v1/reports", reports.get_report, name="reports")
    r.add_get("/api/v1/reports/lists", reports.get_lists, name="report_lists")
    r.add_get("/api/v1/supply", supply.get_supply, name="supply")
    r.add_get("/api/v1/dashboard", dashboard.get_dashboard, name="dashboard")
    r.add_get("/exports/reports.csv", reports.get_report_csv, name="reports_csv")
    r.add_get("/exports/lists.csv", reports.get_lists_csv, name="report_lists_csv")
    r.add_get("/exports/supply.csv", supply.get_supply_csv, name="supply_csv")
    r.add_get("/supply", supply.supply_page, name="supply_page")
    r.add_get("/dashboard", dashboard.dashboard_page, name="dashboard_page")
    r.add_get("/dashboard/events", dashboard.dashboard_events, name="dashboard_events")
    # docs
    r.add_get("/api/openapi.json", openapi.openapi_json, name="openapi")
    r.add_get("/", pages.index, name="index")
    r.add_get("/tickets/{checkin_id}", pages.ticket, name="ticket_page")
    # page sessions
    r.add_get("/sign-in", sign_in.get_sign_in, name="sign_in")
    r.add_post("/sign-in", sign_in.post_sign_in, name="sign_in_post")
    r.add_post("/sign-out", sign_in.post_sign_out, name="sign_out")
    r.add_static("/static/", pages.STATIC_DIR, name="static")
