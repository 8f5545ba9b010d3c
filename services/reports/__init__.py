"""Reporting: periods in Asia/Shanghai time, figures computed from the day ledgers, CSV export (pure)."""
