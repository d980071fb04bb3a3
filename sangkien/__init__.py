"""Sáng kiến: an initiative campaign across a trade-union hierarchy."""
