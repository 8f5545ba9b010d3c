"""The whole URL table, on one screen. Names are used to build URLs (``app.router[name].url_for``).

The JSON API's routes come from the operations' declarations (:data:`gateway.api.OPERATIONS`: one per operation,
beside its handler); the pages, exports and live streams are the table below.
"""

from __future__ import annotations

from aiohttp import web

from gateway import api, jobseeker_kiosk, jobseeker_pages, trust_pages
from gateway.typedefs import OPERATIONS_BY_ROUTE
from gateway.views import dashboard, jobseeker_reports, live, reports, supply, waiting
from web import (
    employer,
    fair_pass_page,
    hall,
    i18n,
    kiosk,
    my_registration,
    organiser,
    pages,
    sign_in,
    ticket_print,
    worker,
    worker_link,
)


def setup_routes(app: web.Application) -> None:
    app[OPERATIONS_BY_ROUTE] = api.BY_ROUTE
    r = app.router
    for operation in api.OPERATIONS:
        add = r.add_get if operation.method == "GET" else r.add_post  # add_get answers HEAD too
        add(operation.path, operation.handler, name=operation.name)
    # exports (CSV) of the reports and the supply list (issue 5)
    r.add_get("/exports/reports.csv", reports.get_report_csv, name="reports_csv")
    r.add_get("/exports/lists.csv", reports.get_lists_csv, name="report_lists_csv")
    r.add_get("/exports/supply.csv", supply.get_supply_csv, name="supply_csv")
    # pages
    r.add_get("/", pages.index, name="index")
    r.add_get("/tickets/{checkin_id}", pages.ticket, name="ticket_page")
    r.add_get("/supply", supply.supply_page, name="supply_page")
    r.add_get("/dashboard", dashboard.dashboard_page, name="dashboard_page")
    r.add_get("/dashboard/events", dashboard.dashboard_events, name="dashboard_events")
    # County staff dashboard: the wall display (数据大屏, 1920x1080)
    r.add_get("/dashboard/wall", dashboard.dashboard_wall, name="dashboard_wall")
    # page sessions
    r.add_get("/sign-in", sign_in.get_sign_in, name="sign_in")
    r.add_post("/sign-in", sign_in.post_sign_in, name="sign_in_post")
    r.add_post("/sign-out", sign_in.post_sign_out, name="sign_out")
    # pages of issue 6: kiosk, worker phone, employer, organiser; live views (SSE); language switch
    r.add_get("/lang", i18n.switch, name="lang")
    r.add_get("/kiosk", kiosk.kiosk, name="kiosk")
    r.add_post("/kiosk/phone-link", kiosk.phone_link, name="kiosk_phone_link")
    r.add_get("/w/{token}", worker_link.redeem, name="worker_link")
    r.add_post("/w/{token}", worker_link.bind, name="worker_link_bind")
    r.add_get("/worker", worker.worker, name="worker")
    r.add_get("/employer", employer.post_job_page, name="employer")
    # employers finish their day in the pages (issue 24): registration, "我的用工"
    r.add_get("/employer/register", employer.register_page, name="employer_register")
    r.add_get("/employer/requests", employer.requests_page, name="employer_requests")
    r.add_get("/employer/requests/{request_id}", employer.job_request_page, name="employer_request")
    r.add_get("/organiser", organiser.fairs_page, name="organiser")
    # registered job seekers: the county board and a person's page (issue 27)
    r.add_get("/jobseekers", jobseeker_pages.board_page, name="jobseekers_page")
    r.add_get("/jobseekers/{registration_id}", jobseeker_pages.person_page, name="jobseeker_page")
    # organisers run a fair from the pages (issue 24): scheduling form (before the fair's own path)
    r.add_get("/organiser/fairs/new", organiser.new_fair_page, name="organiser_new_fair")
    r.add_get("/organiser/fairs/{fair_id}", organiser.fair_page, name="organiser_fair")
    r.add_get("/fair-pass", fair_pass_page.get_fair_pass, name="fair_pass")
    r.add_post("/fair-pass", fair_pass_page.post_fair_pass, name="fair_pass_post")
    r.add_get("/live/tickets/{checkin_id}", live.ticket_stream, name="live_ticket")
    r.add_get("/live/job-requests/{request_id}", live.job_request_stream, name="live_job_request")
    # offers that say when they end (issue 23): a paused worker confirms "我还在等工作" on the ticket page
    r.add_post("/tickets/{checkin_id}/still-waiting", waiting.post_ticket_still_waiting, name="ticket_still_waiting")
    # a worker without a phone (issue 23): "查看我的登记" at the kiosk, the hall screen, the printed ticket
    r.add_post("/kiosk/my-registration", my_registration.lookup, name="kiosk_my_registration")
    r.add_get("/kiosk/queue-place/{checkin_id}", my_registration.place, name="kiosk_queue_place")
    r.add_get("/kiosk/tickets/{checkin_id}/print", ticket_print.print_ticket, name="kiosk_ticket_print")
    r.add_get("/hall/{market_id}", hall.hall_page, name="hall")
    r.add_get("/live/hall/{market_id}", hall.hall_stream, name="live_hall")
    # recommendations from the matcher (issue 27): the kiosk and the phone page show them
    r.add_post("/kiosk/recommendations", jobseeker_kiosk.recommendations, name="kiosk_recommendations")
    r.add_post("/worker/recommendations", jobseeker_kiosk.phone_recommendations, name="phone_recommendations")
    # issue 27: reports of registered job seekers (grade and category, "1311" on time, targets): JSON, CSV, page
    r.add_get("/exports/jobseekers.csv", jobseeker_reports.get_csv, name="jobseeker_report_csv")
    r.add_get("/jobseeker-report", jobseeker_pages.report_page, name="jobseeker_report_page")
    # trust on both sides (issue 28): the staff's queue of complaints and wage disputes
    r.add_get("/cases", trust_pages.cases_page, name="cases_page")
    r.add_static("/static/", pages.STATIC_DIR, name="static")
