"""Pure functions over text: emotion, reply coaching and commitment extraction."""
