"""Callback data of the staff buttons (ids only, ≤ 64 bytes): every press is re-loaded and re-checked."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


class OfficeCb(CallbackData, prefix="o"):
    a: str  # action
    s: int  # submission / session / extension request id
    x: int = 0  # department id or merge target id


class DeptCb(CallbackData, prefix="d"):
    a: str
    s: int  # submission id


class PubCb(CallbackData, prefix="pub"):
    """Publishing an answered question on the website (handlers/publication.py)."""

    a: str  # go (publish as it is) | edit (edit, then publish or re-publish) | off (unpublish) | no
    s: int  # submission id


__all__ = ["CallbackData", "DeptCb", "OfficeCb", "PubCb"]
