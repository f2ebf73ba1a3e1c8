"""Service levels, business hours, routing and escalation."""
