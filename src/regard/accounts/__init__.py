"""Agents, teams and roles, with every permission decided in one place."""
