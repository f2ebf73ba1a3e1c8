"""How much one visitor, or one address, may do: (scope, limit, window seconds).

Generous enough for a busy office behind one address and for bench/chat.py (1,000 visitors from
one machine), tight enough that a script cannot flood the inbox or send mail to strangers.
"""

START_PER_IP = ("chat-start-ip", 2000, 600)
MESSAGES_PER_VISITOR = ("chat-message", 60, 60)
TYPING_PER_VISITOR = ("chat-typing", 120, 60)
OFFLINE_PER_IP = ("chat-offline-ip", 5, 600)
TRANSCRIPT_PER_VISITOR = ("chat-transcript", 3, 3600)
TRANSCRIPT_PER_ADDRESS = ("chat-transcript-to", 5, 3600)
