"""Muster: a Telegram bot that turns supporters into turnout."""
