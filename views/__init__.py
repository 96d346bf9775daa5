"""Telegram views: how cards, keyboards and status messages look. They render what the domain
decided; they decide nothing themselves."""
