"""The citizen conversation as channel-neutral screens: prompts, options and validation.

Telegram renders options as inline buttons (handlers/citizen.py); Zalo as numbered text menus.
"""
