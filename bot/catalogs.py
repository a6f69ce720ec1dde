"""Keep the gettext catalogs in step with the code: ``python -m bot.catalogs update [DOMAIN…]|check``.

A module declares its domain with ``_ = Translator("domain")``; every ``_("…")`` and
``_.n("…", "…", n)`` in it belongs to that domain. ``update`` adds new message ids to
``locales/{vi,en}/LC_MESSAGES/<domain>.po`` (vi gets the id itself, which is Vietnamese), drops
ids no longer used, and keeps existing translations. ``check`` lists what is untranslated.
"""

from __future__ import annotations

import re
import sys
from collections import defaultdict
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po, write_po

from bot.i18n import LOCALES, LOCALES_DIR

ROOT = LOCALES_DIR.parent
SOURCE_DIRS = ("bot", "handlers", "storage")
DOMAIN_RE = re.compile(r"""^_\s*=\s*Translator\(\s*["'](\w+)["']\s*\)""", re.M)
KEYWORDS = {"_": None, "n": (1, 2)}


def source_messages() -> dict[str, dict[str, list[tuple[str, int]]]]:
    """domain -> message id (or (singular, plural)) -> places."""
    found: dict[str, dict] = defaultdict(dict)
    for folder in SOURCE_DIRS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            text = path.read_text(encoding="utf-8")
            match = DOMAIN_RE.search(text)
            if not match:
                continue
            domain = match.group(1)
            for lineno, message, _comments, _ctx in extract_from_file(
                "python", str(path), keywords=KEYWORDS, options={"encoding": "utf-8"}
            ):
                found[domain].setdefault(message, []).append((str(path.relative_to(ROOT)), lineno))
    return found


def _load(path: Path, locale: str, domain: str) -> Catalog:
    if path.exists():
        with path.open("rb") as fh:
            return read_po(fh, locale=locale, domain=domain)
    return Catalog(locale=locale, domain=domain, project="doithoai")


def _known_translations(locale: str) -> dict[str, object]:
    """Every translated message of a locale, whatever its domain: a sentence moved from one audience's
    module to another keeps its translation."""
    known: dict[str, object] = {}
    for path in sorted((LOCALES_DIR / locale / "LC_MESSAGES").glob("*.po")):
        for msg in _load(path, locale, path.stem):
            key = msg.id[0] if isinstance(msg.id, tuple) else msg.id
            strings = msg.string if isinstance(msg.string, tuple) else (msg.string,)
            if key and all(strings) and not msg.fuzzy:
                known.setdefault(key, msg.string)
    return known


def update(only: set[str] | None = None) -> None:
    known = {locale: _known_translations(locale) for locale in LOCALES}
    for domain, messages in source_messages().items():
        if only and domain not in only:
            continue
        for locale in LOCALES:
            path = LOCALES_DIR / locale / "LC_MESSAGES" / f"{domain}.po"
            old = _load(path, locale, domain)
            new = Catalog(locale=locale, domain=domain, project="doithoai")
            new.creation_date = old.creation_date  # no churn in the header: catalogs merge cleanly
            for message, places in messages.items():
                key = message[0] if isinstance(message, tuple) else message
                previous = old.get(key)
                if previous is not None and previous.string:
                    string = previous.string
                elif key in known[locale]:
                    string = known[locale][key]
                elif locale == "vi":
                    string = message
                else:
                    string = ("", "") if isinstance(message, tuple) else ""
                new.add(message, string, locations=places)
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("wb") as fh:
                write_po(fh, new, width=100, omit_header=False, sort_output=True, no_location=True)


def missing() -> list[str]:
    problems = []
    for domain, messages in source_messages().items():
        for locale in LOCALES:
            path = LOCALES_DIR / locale / "LC_MESSAGES" / f"{domain}.po"
            cat = _load(path, locale, domain)
            for message in messages:
                key = message[0] if isinstance(message, tuple) else message
                entry = cat.get(key)
                strings = entry.string if entry is not None else ""
                if isinstance(strings, str):
                    strings = (strings,)
                if entry is None or entry.fuzzy or not all(strings):
                    problems.append(f"{locale}/{domain}: {key[:70]!r}")
    return problems


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    if args[:1] == ["update"]:
        update(set(args[1:]) or None)
    problems = missing()
    for line in problems:
        print("untranslated:", line)
    print(f"{len(problems)} untranslated message(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
