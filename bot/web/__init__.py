"""The public website: what was asked, what was answered, and who is late.

``bot.web.app.make_web_app(settings, sessionmaker, clock)`` builds the aiohttp application (server-side
rendered Jinja2 templates, one stylesheet, no JavaScript); ``bot.web.server`` runs it inside
``doithoai run`` or alone (``doithoai web``). ``bot.web.links`` builds its addresses (no heavy imports:
the bot's messages link to the site too). Nothing here imports aiogram.
"""
