"""Regard: customer service where no customer is ever nameless."""

__version__ = "0.1.0"
