"""Customers, their identities, organizations, notes, compass and moments."""
