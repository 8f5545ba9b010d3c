"""Deployment tooling for lingong (not imported by the services themselves)."""
