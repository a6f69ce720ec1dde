"""``doithoai doctor``: is this deployment ready to serve? One line per check: ``ok`` or ``FIX`` with
what to do; the exit code is 1 when anything needs fixing.

- the bot token (``getMe``), and that the bot may be added to groups;
- the database: reachable, migrated (no pending migration);
- admins configured (they link the groups and read the audit log);
- the office group and every active department's group: linked, the bot is in it (``getChat``) and
  may send messages there (``getChatMember``), and it is a group;
- the working-day calendar covers the months ahead (``HORIZON_DAYS``): the ``holidays`` package
  knows the year, and the year's decreed days off / make-up days are known (listed by the package,
  or in the directory's ``[calendar]``);
- the Zalo token, when one is set; the Official Account's settings with ``DOITHOAI_ZALO_CHANNEL=oa``.

It talks to the Bot API directly (aiohttp, no aiogram), so it starts quickly.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import aiohttp
from sqlalchemy import extract, select

from bot.clock import Clock, SystemClock
from bot.i18n import local_date, set_timezone
from bot.settings import Settings

HORIZON_DAYS = 183  # deadlines are computed this far ahead (a response is due ~6 weeks after a notice,
# extensions add months): every calendar year this reaches must be covered
GROUP_TYPES = ("group", "supergroup")
TIMEOUT = 10


@dataclass
class Findings:
    lines: list[tuple[bool, str]] = field(default_factory=list)

    def ok(self, text: str) -> None:
        self.lines.append((True, text))

    def fix(self, text: str) -> None:
        self.lines.append((False, text))

    @property
    def problems(self) -> int:
        return sum(1 for good, _ in self.lines if not good)


class BotApi:
    """Bare Bot API calls: (ok, result or the error's body)."""

    def __init__(self, base: str, token: str) -> None:
        self.base = f"{base.rstrip('/')}/bot{token}"
        self.session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> BotApi:
        self.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=TIMEOUT))
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self.session is not None:
            await self.session.close()

    async def call(self, method: str, **params: Any) -> tuple[bool, Any]:
        assert self.session is not None
        async with self.session.post(f"{self.base}/{method}", json=params) as resp:
            try:
                body = await resp.json(content_type=None)
            except (aiohttp.ContentTypeError, ValueError):
                return False, {"error_code": resp.status, "description": f"HTTP {resp.status}"}
        if body.get("ok"):
            return True, body.get("result")
        return False, body


# --- the checks ------------------------------------------------------------------------------------------


async def check_token(api: BotApi, settings: Settings, found: Findings) -> dict[str, Any] | None:
    try:
        ok, result = await api.call("getMe")
    except (aiohttp.ClientError, TimeoutError) as exc:
        found.fix(
            f"cannot reach the Bot API at {settings.telegram_api} ({type(exc).__name__}: {exc}): "
            "check the network and DOITHOAI_TELEGRAM_API"
        )
        return None
    if not ok:
        found.fix(
            f"Telegram refuses the token ({result.get('description', result)}): check DOITHOAI_BOT_TOKEN "
            "(from @BotFather)"
        )
        return None
    me = result
    found.ok(f"token: @{me.get('username')} (id {me.get('id')})")
    if me.get("can_join_groups") is False:
        found.fix("the bot cannot be added to groups: in @BotFather, /setjoingroups → Enable")
    return me


async def check_database(settings: Settings, found: Findings) -> bool:
    """Reachable and migrated; True when the groups and the calendar can be read from it."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from storage.db import alembic_config, make_engine

    engine = make_engine(settings.database_url)
    try:
        async with engine.connect() as conn:
            current = await conn.run_sync(lambda c: set(MigrationContext.configure(c).get_current_heads()))
    except Exception as exc:  # noqa: BLE001 - whatever it is, it is the answer
        found.fix(f"cannot open the database ({type(exc).__name__}: {exc}): check DOITHOAI_DATABASE_URL")
        return False
    finally:
        await engine.dispose()
    heads = set(ScriptDirectory.from_config(alembic_config()).get_heads())
    if not current:
        found.fix("the database is empty: run `doithoai db upgrade`, then `doithoai directory load FILE`")
        return False
    if current != heads:
        found.fix(
            f"the database is at migration {', '.join(sorted(current))}, this version needs "
            f"{', '.join(sorted(heads))}: run `doithoai db upgrade`"
        )
        return False
    found.ok("database: reachable and migrated")
    return True


async def check_group(
    api: BotApi, me: dict[str, Any], chat_id: int, label: str, relink: str, found: Findings
) -> None:
    bot = f"@{me.get('username')}"
    ok, chat = await api.call("getChat", chat_id=chat_id)
    if not ok:
        description = chat.get("description", "")
        migrated = (chat.get("parameters") or {}).get("migrate_to_chat_id")
        if migrated:
            found.fix(f"{label} ({chat_id}) became a supergroup ({migrated}): send {relink} in it again")
        elif chat.get("error_code") == 403:
            found.fix(
                f"{label} ({chat_id}): the bot is no longer in it (Telegram: {description}): "
                f"add {bot} to the group again, then send {relink} there"
            )
        else:
            found.fix(
                f"{label} ({chat_id}): the bot is not in this group or it does not exist (Telegram: "
                f"{description}): add {bot} to the group, then send {relink} there"
            )
        return
    if chat.get("type") not in GROUP_TYPES:
        found.fix(
            f"{label} ({chat_id}) is a {chat.get('type')} chat, not a group: send {relink} in the group"
        )
        return
    ok, member = await api.call("getChatMember", chat_id=chat_id, user_id=me["id"])
    if not ok:
        found.fix(f"{label} ({chat_id}): cannot read the bot's membership ({member.get('description')})")
        return
    status = member.get("status")
    title = chat.get("title") or chat_id
    if status in ("left", "kicked"):
        found.fix(f"{label} «{title}»: the bot is not a member ({status}): add {bot} to the group again")
    elif status == "restricted" and not member.get("can_send_messages", False):
        found.fix(
            f"{label} «{title}»: the bot may not send messages there: lift its restriction "
            "(group settings → Permissions)"
        )
    else:
        found.ok(f"{label} «{title}»: the bot is a {status}")


async def check_groups(api: BotApi, me: dict[str, Any], settings: Settings, found: Findings) -> None:
    from bot.domain.directory import office_chat_id
    from storage.db import make_engine, make_sessionmaker
    from storage.models import Department, Unit

    engine = make_engine(settings.database_url)
    try:
        async with make_sessionmaker(engine)() as db:
            office = await office_chat_id(db)
            departments = (
                await db.execute(
                    select(Department.code, Department.name_vi, Department.chat_id, Unit.code.label("unit"))
                    .outerjoin(Unit, Unit.id == Department.unit_id)
                    .where(Department.active)
                    .order_by(Department.id)
                )
            ).all()
            offices = (
                await db.execute(
                    select(Unit.code, Unit.name_vi, Unit.office_chat_id, Unit.parent_id)
                    .where(Unit.active)
                    .order_by(Unit.id)
                )
            ).all()
            await db.rollback()
    finally:
        await engine.dispose()
    many = len(offices) > 1
    top = next((u.code for u in offices if u.parent_id is None), None) if many else None
    link = f"/link_office {top}" if top else "/link_office"
    if office is None:
        found.fix(f"no office group is linked: add the bot to the office group and send {link} there")
    else:
        await check_group(api, me, office, "office group", link, found)
    if many:
        await check_unit_offices(api, me, offices, office, found)
    if not departments:
        found.fix("no departments: load the directory (`doithoai directory load FILE`)")
    for dept in departments:
        # several units may share a code: the unit is named (/link_department would ask which)
        relink = (
            f"/link_department {dept.unit} {dept.code}"
            if many and dept.unit
            else f"/link_department {dept.code}"
        )
        label = f"department {dept.code} ({dept.name_vi})"
        if dept.chat_id is None:
            found.fix(f"{label} has no group: add the bot to its group and send {relink} there")
            continue
        await check_group(api, me, dept.chat_id, f"{label} group", relink, found)


async def check_unit_offices(
    api: BotApi, me: dict[str, Any], offices: list[Any], deployment: int | None, found: Findings
) -> None:
    """Each unit's office group (a deployment of many units): a unit without one gets no cards at all
    (its questions wait in its /inbox), so it is named."""
    for unit in offices:
        relink = f"/link_office {unit.code}"
        label = f"unit {unit.code} ({unit.name_vi})"
        if unit.office_chat_id is None:
            found.fix(
                f"{label} has no office group: its questions wait unseen in its /inbox; add the bot to "
                f"its office group and send {relink} there"
            )
        elif unit.office_chat_id != deployment:
            await check_group(api, me, unit.office_chat_id, f"{label} office group", relink, found)


def decreed_years() -> set[int]:
    """Years for which the ``holidays`` package lists the government's decreed days off / make-up
    days (they are announced year by year)."""
    try:
        from holidays.countries.vietnam import VietnamStaticHolidays
    except ImportError:  # a future version moved it: rely on the directory
        return set()
    return set(getattr(VietnamStaticHolidays, "special_public_holidays", {}) or {})


async def check_calendar(settings: Settings, today: date, found: Findings, with_database: bool) -> None:
    import holidays

    from storage.db import make_engine, make_sessionmaker
    from storage.models import CalendarDay

    years = list(range(today.year, (today + timedelta(days=HORIZON_DAYS)).year + 1))
    own: set[int] = set()
    if with_database:
        engine = make_engine(settings.database_url)
        try:
            async with make_sessionmaker(engine)() as db:
                rows = await db.scalars(select(extract("year", CalendarDay.day)).distinct())
                own = {int(year) for year in rows}
                await db.rollback()
        finally:
            await engine.dispose()
    decreed = decreed_years()
    for year in years:
        national = holidays.Vietnam(years=year)
        if len(national) == 0:
            found.fix(
                f"the holidays package knows no Vietnamese holidays in {year}: "
                "upgrade it (pip install -U holidays)"
            )
            continue
        if year in decreed or year in own:
            source = "the holidays package" if year in decreed else "the directory's [calendar]"
            found.ok(f"calendar {year}: {len(national)} public holidays, decreed days from {source}")
            continue
        found.fix(
            f"calendar {year}: the days off and make-up working days decreed for {year} (Tết, 30/4–1/5, 2/9) "
            "are not known: add them to the directory's [calendar] and run `doithoai directory load FILE` "
            "(if none were decreed, list the year's Tết days there to say it was checked)"
        )


async def check_zalo(settings: Settings, found: Findings) -> None:
    from bot.channels.zalo.client import ZaloClient, ZaloError

    client = ZaloClient(settings.zalo_token, settings.zalo_api)
    try:
        me = await client.get_me()
    except (ZaloError, aiohttp.ClientError, TimeoutError) as exc:
        found.fix(
            f"Zalo refuses or cannot be reached ({exc}): check DOITHOAI_ZALO_TOKEN and DOITHOAI_ZALO_API"
        )
        return
    finally:
        await client.close()
    found.ok(f"Zalo: {me.get('account_name') or me.get('display_name') or me.get('id') or 'token accepted'}")


def check_zalo_oa(settings: Settings, found: Findings) -> None:
    """``DOITHOAI_ZALO_CHANNEL=oa``: what the OA's webhook and its messages need (no call is made)."""
    from bot.channels.zalo.oa import parse_templates

    missing = [
        name
        for name, value in (
            ("DOITHOAI_ZALO_OA_ACCESS_TOKEN", settings.zalo_oa_access_token),
            ("DOITHOAI_ZALO_OA_APP_ID", settings.zalo_oa_app_id),
            ("DOITHOAI_ZALO_OA_SECRET_KEY", settings.zalo_oa_secret_key),
        )
        if not value
    ]
    if missing:
        found.fix(f"Zalo OA: set {', '.join(missing)} (the OA's page in the Zalo developer console)")
        return
    try:
        templates = parse_templates(settings.zalo_zns_templates)
    except ValueError as exc:
        found.fix(f"DOITHOAI_ZALO_ZNS_TEMPLATES: {exc} (a JSON object of purpose → template id)")
        return
    found.ok(f"Zalo OA: configured, {len(templates)} ZNS template(s) for messages after the 7-day window")
    if "*" not in templates:
        found.ok(
            'Zalo OA: no "*" ZNS template: other kinds of messages after the 7-day window go to the '
            "office, with the phone number to call"
        )


async def diagnose(settings: Settings, clock: Clock | None = None) -> Findings:
    set_timezone(settings.timezone)
    found = Findings()
    today = local_date((clock or SystemClock()).now())
    with_database = await check_database(settings, found)
    if not settings.admin_ids:
        found.fix("DOITHOAI_ADMIN_IDS is empty: nobody can link the groups or read the audit log")
    else:
        found.ok(f"admins: {len(settings.admin_ids)}")
    if not settings.bot_token:
        found.fix("DOITHOAI_BOT_TOKEN is not set: ask @BotFather for the bot's token and put it in .env")
    else:
        async with BotApi(settings.telegram_api, settings.bot_token) as api:
            me = await check_token(api, settings, found)
            if me is not None and with_database:
                await check_groups(api, me, settings, found)
    await check_calendar(settings, today, found, with_database)
    if settings.zalo_channel == "oa":
        check_zalo_oa(settings, found)
    elif settings.zalo_token:
        await check_zalo(settings, found)
    return found


async def run_doctor(
    settings: Settings, clock: Clock | None = None, out: Callable[[str], None] = print
) -> int:
    """Print one line per check; 0 when nothing needs fixing, else 1."""
    try:
        found = await asyncio.wait_for(diagnose(settings, clock), timeout=120)
    except TimeoutError:
        out("FIX  the checks did not finish within two minutes: is the network or the database hanging?")
        return 1
    for good, text in found.lines:
        out(f"{'ok ' if good else 'FIX'}  {text}")
    out("all checks passed" if not found.problems else f"{found.problems} problem(s) to fix")
    return 0 if not found.problems else 1
