"""Backups of a clinic and their restore, verified before they are accepted (issue 16 §2).

* ``survey.py`` — what a database holds: its schema revision, the rows of every table and the
  audit chain's recorded head (the backup's manifest, and the figures a restore must match);
* ``manifest.py`` — the manifest written beside each backup file (``<file>.manifest.json``);
* ``check.py`` — a candidate database checked before it is accepted: integrity, a schema this
  code knows, the whole audit chain against its recorded head with this server's key, the row
  counts and head of the manifest;
* ``sqlite_files.py`` — SQLite's online backup API, both ways;
* ``postgres_dumps.py`` — ``pg_dump`` / ``pg_restore`` / ``psql`` for PostgreSQL.
"""
