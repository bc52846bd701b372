"""The chat surface: handlers, keyboards, conversation steps and texts."""
