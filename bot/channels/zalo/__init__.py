"""Zalo channel: a thin Bot API client, the outbox sender, (later) the receiver and conversation."""
