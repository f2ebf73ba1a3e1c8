"""Channel adapters (e-mail, web, chat) feeding one inbound pipeline."""
