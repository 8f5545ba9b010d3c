"""Thin JSON handlers: parse, check, publish, answer."""
