"""Request documents → domain values, and domain objects → API documents (shared by the API and the
web pages), one module per resource, named as its router and its schemas. ``quantities.py`` reads
quantity text strictly and writes volumes; ``findings.py`` orders and writes the safety review's
findings; ``idempotency.py`` and ``paging.py`` serve several routers. Nothing here decides anything
clinical.
"""
