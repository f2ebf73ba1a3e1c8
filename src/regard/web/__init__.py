"""The agent workspace."""
