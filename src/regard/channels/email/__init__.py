"""The e-mail channel: parse raw messages and feed them into the inbound pipeline."""
