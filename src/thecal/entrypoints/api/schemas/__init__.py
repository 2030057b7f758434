"""Pydantic documents of the API, one module per resource, named as its router
(``routers/refills.py`` answers with ``schemas/refills.py``). ``fields.py`` holds the field types
and the two strict bases every document extends; ``problems.py`` the error document;
``findings.py`` the safety review's findings and overrides, which several resources carry.
"""
