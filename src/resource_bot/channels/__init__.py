"""Where people talk to the bot: thin adapters over the dialog engine."""
