"""Surveys, the indifference radar, gratitude, advocates and kudos."""
