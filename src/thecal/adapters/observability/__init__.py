"""Observability: Prometheus metrics, structured JSON logs, the metered pump driver."""
