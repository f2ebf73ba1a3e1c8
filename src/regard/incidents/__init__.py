"""Incidents that touch many customers, broadcasts and concierges."""
