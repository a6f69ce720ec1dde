"""Configuration from the environment or a `.env` file, prefix ``DOITHOAI_``."""

from __future__ import annotations

from typing import Annotated

from pydantic import field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

IntList = Annotated[list[int], NoDecode]

TELEGRAM_API_DEFAULT = "https://api.telegram.org"
ZALO_API_DEFAULT = "https://bot-api.zaloplatforms.com"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DOITHOAI_", env_file=".env", extra="ignore")

    bot_token: str = ""
    telegram_api: str = TELEGRAM_API_DEFAULT
    database_url: str = "sqlite+aiosqlite:///doithoai.db"
    redis_url: str = ""
    admin_ids: IntList = []
    timezone: str = "Asia/Ho_Chi_Minh"
    default_locale: str = "vi"
    code_prefix: str = "DT"
    max_concurrent_updates: int = 50
    # Webhook mode (`doithoai run --webhook`): the secret token Telegram sends back (derived from the bot
    # token when empty), and how many worker processes share the address (set by `--workers`; more
    # than one needs PostgreSQL, and Redis optionally).
    telegram_webhook_secret: str = ""
    workers: int = 1

    # citizen intake limits
    question_min_chars: int = 15
    question_max_chars: int = 3000
    max_attachments: int = 10

    # outbox / dispatcher (Telegram's published limits)
    rate_global_per_s: float = 30.0
    rate_private_per_s: float = 1.0
    rate_group_per_min: float = 20.0
    # a row left 'sending' this long (by a killed process) goes back to pending and is sent again
    outbox_sending_timeout_s: float = 120.0
    # direct replies: attempts after a 429 or a network/5xx failure before the failure is logged
    reply_attempts: int = 4
    # one `doithoai run` per database: the others wait as hot standbys; the holder renews its lease
    # every few seconds and a standby takes over this long after the holder stops renewing it
    run_lease_s: float = 10.0
    # flood control: more than `flood_max_updates` updates in `flood_window_s` seconds from one
    # person → one "please slow down", then their updates are ignored for `flood_mute_s` seconds
    flood_max_updates: int = 20
    flood_window_s: float = 10.0
    flood_mute_s: float = 30.0
    reminder_working_days: IntList = [5, 1]

    # Zalo
    zalo_token: str = ""
    zalo_api: str = ZALO_API_DEFAULT
    zalo_webhook_secret: str = ""
    zalo_rate_per_s: float = 10.0
    # Days after a citizen's last message during which free-form messages may reach them: 0 for the
    # Bot API (no window documented), 7 for an Official Account (later follow-ups then fail visibly).
    zalo_proactive_window_days: int = 0
    # A Zalo Official Account instead of a Zalo bot ("oa"): free messages inside the 7-day window,
    # the approved ZNS templates (JSON: message purpose → template id, "*" for any other) after it.
    zalo_channel: str = "bot"
    zalo_oa_access_token: str = ""
    zalo_oa_api: str = "https://openapi.zalo.me"
    zalo_zns_api: str = "https://business.openapi.zalo.me"
    zalo_zns_templates: str = ""
    zalo_oa_app_id: str = ""
    zalo_oa_secret_key: str = ""

    # Personal data (bot.domain.privacy): a delivered message's content is kept this many days (it is
    # only needed to deliver it); the personal data of questions settled this many months ago is erased
    # by the tick (the figures stay). 0 turns either off.
    outbox_keep_days: int = 30
    retention_months: int = 24

    # Operations (bot.ops): one JSON object per log line; the health and metrics endpoint of
    # `doithoai run` (off unless a port is set).
    log_json: bool = False
    ops_host: str = "127.0.0.1"
    ops_port: int | None = None

    # The public website and channel (bot/web, bot/notify/public.py). ``doithoai run`` serves the site
    # only when ``web_port`` is set; ``doithoai web`` serves it alone (port 8080 when unset).
    web_host: str = "127.0.0.1"
    web_port: int | None = None
    public_url: str = ""  # e.g. https://doithoai.thachdai.gov.vn: absolute links (sitemap, Open Graph)
    public_channel_id: int | None = None  # a Telegram channel (-100…) for announcements and summaries
    zalo_bot_link: str = ""  # e.g. https://zalo.me/…: shown on the home page beside the Telegram link

    @field_validator("admin_ids", "reminder_working_days", mode="before")
    @classmethod
    def _split_ints(cls, value: object) -> object:
        if isinstance(value, int):
            return [value]
        if isinstance(value, str):
            return [int(part) for part in value.replace(";", ",").split(",") if part.strip()]
        return value
