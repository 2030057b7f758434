"""Server-rendered pages (Jinja2, plain HTML forms, no JavaScript build step)."""
