"""Read models: SQL written for reports and lists, returning the typed rows their ports expect."""
