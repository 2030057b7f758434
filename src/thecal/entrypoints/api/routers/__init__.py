"""One router per resource, mounted under ``/api/v1`` by :func:`thecal.entrypoints.api.create_app`."""
