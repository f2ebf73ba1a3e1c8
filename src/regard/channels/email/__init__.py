"""The e-mail channel: parsing raw RFC 5322 messages into plain Python values."""
