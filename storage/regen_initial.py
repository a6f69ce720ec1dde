"""Development only, until the first release: regenerate migration 0001 from storage/models.py.

``python -m storage.regen_initial``. After a release, write a new revision instead.
"""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from alembic import command

from storage.db import MIGRATIONS, alembic_config, make_engine


async def main() -> None:
    target = MIGRATIONS / "versions" / "0001_initial_schema.py"
    target.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite+aiosqlite:///{Path(tmp) / 'gen.db'}")
        async with engine.begin() as conn:
            await conn.run_sync(
                lambda c: command.revision(
                    alembic_config(c), message="initial schema", autogenerate=True, rev_id="0001"
                )
            )
        await engine.dispose()
    tidy(target)
    print(f"wrote {target}")


def tidy(target: Path) -> None:
    lines = [line for line in target.read_text().splitlines(keepends=True) if "# ###" not in line]
    # A stable file: no generation date, and formatted, so two branches that change the models
    # merge their migrations like any other code.
    text = re.sub(
        r"^Create Date: .*$", "Create Date: (regenerated from storage/models.py)", "".join(lines), flags=re.M
    )
    target.write_text(text)
    ruff = Path(sys.executable).with_name("ruff")
    if ruff.exists():
        subprocess.run([str(ruff), "format", "--quiet", "--isolated", "--line-length", "110", str(target)])
        subprocess.run(
            [str(ruff), "check", "--quiet", "--isolated", "--select", "I", "--fix", str(target)],
            check=False,
        )


if __name__ == "__main__":
    asyncio.run(main())
