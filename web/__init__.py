"""Pages: jinja2 templates (autoescaped), static files, handlers that read the read models."""
