"""The intake chat bot's adapters (Telegram, terminal) around one transport-free service."""
