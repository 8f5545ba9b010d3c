"""The whole URL table, on one screen. Names are used to build URLs (``app.router[name].url_for``)."""

from __future__ import annotations

from aiohttp import web

from gateway import jobseeker_pages, openapi, trust_pages
from gateway.views import (
    accounts,
    checkins,
    dashboard,
    fairs,
    health,
    job_requests,
    jobseekers,
    live,
    offers,
    placement_steps,
    reports,
    staff,
    supply,
    trust,
    waiting,
)
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
    # a request's life on the clock (issue 23): "still needed, start as soon as possible"
    r.add_post(
        "/api/v1/job-requests/{request_id}/reopen",
        job_requests.post_reopen_job_request,
        name="job_request_reopen",
    )
    # employers finish their day in the pages (issue 24): change a request's headcount; registration, "我的用工"
    r.add_post("/api/v1/job-requests/{request_id}/headcount", job_requests.post_headcount, name="job_request_headcount")
    r.add_get("/employer/register", employer.register_page, name="employer_register")
    r.add_get("/employer/requests", employer.requests_page, name="employer_requests")
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
    # registered job seekers, "四级三类" and the "1311" clock (issue 27)
    r.add_post("/api/v1/jobseekers", jobseekers.post_jobseeker, name="jobseekers")
    r.add_get("/api/v1/jobseekers", jobseekers.get_board, name="jobseeker_board")
    r.add_get("/api/v1/jobseekers/{registration_id}", jobseekers.get_jobseeker, name="jobseeker")
    r.add_post("/api/v1/jobseekers/{registration_id}/confirm", jobseekers.post_confirm, name="jobseeker_confirm")
    r.add_post("/api/v1/jobseekers/{registration_id}/refuse", jobseekers.post_refuse, name="jobseeker_refuse")
    r.add_post("/api/v1/jobseekers/{registration_id}/end", jobseekers.post_end, name="jobseeker_end")
    r.add_post("/api/v1/jobseekers/{registration_id}/services", jobseekers.post_service, name="jobseeker_services")
    r.add_get("/api/v1/jobseeker-commands/{command_id}", jobseekers.get_command, name="jobseeker_command")
    # accounts, tokens and staff views of personal data (issue 7)
    r.add_post("/api/v1/sessions", accounts.post_session, name="sessions")
    r.add_post("/api/v1/sessions/revoke", accounts.post_session_revoke, name="session_revoke")
    r.add_post("/api/v1/employers", accounts.post_employer, name="employers")
    r.add_post("/api/v1/accounts", accounts.post_account, name="accounts")
    r.add_get("/api/v1/accounts/{account_id}", accounts.get_account, name="account")
    r.add_post("/api/v1/accounts/{account_id}/revoke", accounts.post_account_revoke, name="account_revoke")
    r.add_post("/api/v1/devices", accounts.post_device, name="devices")
    r.add_post("/api/v1/credentials/{credential_id}/revoke", accounts.post_credential_revoke, name="credential_revoke")
    r.add_get("/api/v1/staff/checkins/{checkin_id}", staff.get_staff_checkin, name="staff_checkin")
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
    # County staff dashboard: the wall display (数据大屏, 1920x1080)
    r.add_get("/dashboard/wall", dashboard.dashboard_wall, name="dashboard_wall")
    # docs
    r.add_get("/api/openapi.json", openapi.openapi_json, name="openapi")
    r.add_get("/", pages.index, name="index")
    r.add_get("/tickets/{checkin_id}", pages.ticket, name="ticket_page")
    # page sessions
    r.add_get("/sign-in", sign_in.get_sign_in, name="sign_in")
    r.add_post("/sign-in", sign_in.post_sign_in, name="sign_in_post")
    r.add_post("/sign-out", sign_in.post_sign_out, name="sign_out")
    # pages of issue 6: kiosk, worker phone, employer, organiser; live views (SSE); language switch
    r.add_get("/lang", i18n.switch, name="lang")
    r.add_post("/api/v1/placements/{placement_id}/steps", placement_steps.post_placement_step, name="placement_step")
    # placement life (issue 23): corrections within the window, the worker's "没拿到工资"
    r.add_post(
        "/api/v1/placements/{placement_id}/corrections", placement_steps.post_correction, name="placement_correction"
    )
    r.add_post("/api/v1/placements/{placement_id}/unpaid", placement_steps.post_unpaid, name="placement_unpaid")
    r.add_get("/kiosk", kiosk.kiosk, name="kiosk")
    r.add_post("/kiosk/phone-link", kiosk.phone_link, name="kiosk_phone_link")
    r.add_get("/w/{token}", worker_link.redeem, name="worker_link")
    r.add_post("/w/{token}", worker_link.bind, name="worker_link_bind")
    r.add_get("/worker", worker.worker, name="worker")
    r.add_get("/employer", employer.post_job_page, name="employer")
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
    # offers that say when they end (issue 23): a paused worker confirms "我还在等工作"
    r.add_post("/api/v1/checkins/{checkin_id}/still-waiting", waiting.post_still_waiting, name="still_waiting")
    r.add_post("/tickets/{checkin_id}/still-waiting", waiting.post_ticket_still_waiting, name="ticket_still_waiting")
    # a worker without a phone (issue 23): "查看我的登记" at the kiosk, the hall screen, the printed ticket
    r.add_post("/kiosk/my-registration", my_registration.lookup, name="kiosk_my_registration")
    r.add_get("/kiosk/queue-place/{checkin_id}", my_registration.place, name="kiosk_queue_place")
    r.add_get("/kiosk/tickets/{checkin_id}/print", ticket_print.print_ticket, name="kiosk_ticket_print")
    r.add_get("/hall/{market_id}", hall.hall_page, name="hall")
    r.add_get("/live/hall/{market_id}", hall.hall_stream, name="live_hall")
    # issue 28: trust on both sides: complaints and wage disputes as cases, the staff's queue, the records
    r.add_post("/api/v1/placements/{placement_id}/complaints", trust.post_complaint, name="placement_complaints")
    r.add_get("/api/v1/cases", trust.get_cases, name="cases")
    r.add_get("/api/v1/cases/{case_id}", trust.get_case, name="case")
    r.add_post("/api/v1/cases/{case_id}/answer", trust.post_case_answer, name="case_answer")
    r.add_post("/api/v1/cases/{case_id}/actions", trust.post_case_action, name="case_actions")
    r.add_get("/api/v1/trust-commands/{command_id}", trust.get_command, name="trust_command")
    r.add_get("/api/v1/employers/{employer_id}/record", trust.get_employer_record, name="employer_record")
    r.add_get("/cases", trust_pages.cases_page, name="cases_page")
    r.add_static("/static/", pages.STATIC_DIR, name="static")
