"""The public website's addresses, in one place: the site's pages, the Telegram messages that link to
them, the sitemap and the tests all build links here.

Vietnamese pages live at the root (``/hoi-nghi/3``), English ones under ``/en`` (``/en/hoi-nghi/3``);
files and images have one address for both languages.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

LANGS = ("vi", "en")


def _prefix(lang: str) -> str:
    return "/en" if lang == "en" else ""


def home(lang: str = "vi") -> str:
    return f"{_prefix(lang)}/"


def session(session_id: int, lang: str = "vi", page: int = 1) -> str:
    path = f"{_prefix(lang)}/hoi-nghi/{session_id}"
    return f"{path}?trang={page}" if page > 1 else path


def question(session_id: int, code: str, lang: str = "vi") -> str:
    """A published question's own page (its full text; the link the office gets when publishing)."""
    return f"{_prefix(lang)}/hoi-nghi/{session_id}/cau-hoi/{quote(code)}"


def answer_anchor(code: str) -> str:
    return f"cau-{code}"


def notice_file(session_id: int) -> str:
    return f"/hoi-nghi/{session_id}/thong-bao-ket-luan"


def poster(session_id: int, lang: str = "vi") -> str:
    return f"{_prefix(lang)}/hoi-nghi/{session_id}/in"


def accountability(lang: str = "vi") -> str:
    return f"{_prefix(lang)}/giai-trinh"


def lookup(lang: str = "vi", code: str | None = None) -> str:
    path = f"{_prefix(lang)}/tra-cuu"
    return f"{path}?{urlencode({'ma': code})}" if code else path


def qr_session(session_id: int) -> str:
    """The QR code of the Telegram link that opens the bot for this session."""
    return f"/qr/hoi-nghi-{session_id}.png"


def qr_telegram() -> str:
    return "/qr/telegram.png"


def qr_zalo() -> str:
    return "/qr/zalo.png"


def og_image(session_id: int | None = None) -> str:
    """The picture a shared link shows: the session's, or the site's."""
    return f"/og/hoi-nghi-{session_id}.png" if session_id is not None else "/og/trang-chu.png"


def stylesheet(version: str) -> str:
    return f"/static/site.css?v={version}"


def other_language(path: str, lang: str) -> str:
    """The same page in the other language (``/hoi-nghi/3`` ↔ ``/en/hoi-nghi/3``)."""
    if lang == "en":
        rest = path[3:] if path.startswith("/en") else path
        return rest or "/"
    return "/en" + path


def absolute(base_url: str, path: str) -> str:
    """``https://example.gov.vn`` + ``/hoi-nghi/3``; the path alone without a base."""
    return base_url.rstrip("/") + path if base_url else path


def telegram_start_in_unit(username: str, code: str) -> str:
    """The link of one unit's poster (``t.me/<bot>?start=u_TD``): the bot opens with that commune."""
    return f"https://t.me/{quote(username.lstrip('@'))}?start=u_{quote(code)}"


def telegram_start(username: str, session_id: int | None = None) -> str:
    """The link that opens the bot in Telegram (``t.me/<bot>?start=s3`` for a session)."""
    link = f"https://t.me/{quote(username.lstrip('@'))}"
    return f"{link}?start=s{session_id}" if session_id is not None else link
