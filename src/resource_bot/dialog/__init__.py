"""How a conversation goes: menus, events, the engine, replies and danger words. Imports nothing from Telegram."""
