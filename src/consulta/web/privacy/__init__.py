"""Personal data: erasure on request, retention, and the database hygiene both need (ADR 0008)."""
