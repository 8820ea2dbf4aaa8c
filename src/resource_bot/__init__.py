"""resource-bot: reach hotlines and local services in a few taps."""

__version__ = "0.1.0"
