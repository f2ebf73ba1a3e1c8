"""Realistic demo data."""
