"""The pump twin behind the pump driver port: the in-memory driver (``driver``), the persisted
driver whose twins are rebuilt from the command log (``store``), and a twin's saved state as JSON
(``state``)."""
