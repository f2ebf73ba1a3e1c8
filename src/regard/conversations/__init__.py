"""Conversations, messages, attachments and the timeline of events."""
