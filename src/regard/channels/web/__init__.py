"""The web form: a hosted page and an embeddable form that open a conversation."""
