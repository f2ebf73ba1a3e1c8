"""Live chat: the embeddable widget, its streams, and chats as conversations."""
