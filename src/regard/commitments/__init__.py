"""Promises agents make, tracked until kept."""
