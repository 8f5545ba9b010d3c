"""Screening of what employers post: refusals the law requires and flags for staff review."""
