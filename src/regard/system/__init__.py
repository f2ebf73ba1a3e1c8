"""Operational records: failed tasks and system mail kept for admins."""
