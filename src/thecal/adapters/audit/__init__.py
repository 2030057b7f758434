"""The audit log outside the database: the key ring's file, the checkpoint file and the server's
checkpoint schedule (the SQL side is ``adapters/sql/repositories/audit.py``)."""
