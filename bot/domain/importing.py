"""Importing questions gathered on paper — typically by the Fatherland Front (MTTQ) and the mass
organisations before a session — from a spreadsheet (.xlsx), and the template the office fills in.

All or nothing: every row is checked first; if any row is wrong, nothing is imported and each bad
row is reported with its row number (as the spreadsheet numbers it) and the reason. The columns are
found by their headings (diacritics and case do not matter), so the office may reorder them or add
its own; the template's headings are Vietnamese with the English name after a slash.

    problems, questions = await read_questions(db, content, session_id)
    if not problems: subs = await recording.record_many(db, questions, actor, now, prefix)

``Problem.reason`` is a stable word (``text_missing``, ``source_unknown``…) that
bot/texts/office_extra.py turns into a sentence.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import recording
from bot.domain.errors import InvalidInput
from bot.domain.text import fold
from storage.models import Topic

MAX_ROWS = 2000

# column key → (template heading, other headings people write); matched folded
COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "text": ("Nội dung câu hỏi / Question", ("noi dung", "cau hoi", "noi dung kien nghi", "question")),
    "topic": ("Lĩnh vực / Topic", ("linh vuc", "topic")),
    "source": ("Nguồn / Source", ("nguon", "source", "hinh thuc tiep nhan")),
    "org": (
        "Tổ chức thu thập / Organisation",
        ("to chuc", "to chuc thu thap", "organisation", "organization"),
    ),
    "nature": ("Tính chất / Nature", ("tinh chat", "loai", "nature")),
    "name": ("Họ và tên / Name", ("ho va ten", "ho ten", "nguoi hoi", "name")),
    "phone": ("Điện thoại / Phone", ("dien thoai", "so dien thoai", "sdt", "phone")),
    "hamlet": ("Thôn, xóm / Hamlet", ("thon xom", "thon", "dia chi", "hamlet", "address")),
    "public": ("Công khai tên / Name public", ("cong khai ten", "cong khai", "name public", "public")),
}
REQUIRED = ("text", "source")

# what people write in the "source" column → the source
SOURCE_WORDS = {
    recording.FLOOR: ("tai hoi nghi", "hoi nghi", "phat bieu", "floor", "at the session"),
    recording.FRONT: ("mttq", "mat tran", "doan the", "to chuc", "front", "mass organisation"),
    recording.PAPER: ("giay", "van ban", "thu", "hom thu", "paper"),
    recording.PHONE: ("dien thoai", "goi dien", "phone"),
}
SOURCE_LABELS = {  # the template's dropdown
    recording.FLOOR: "Tại hội nghị",
    recording.FRONT: "MTTQ, đoàn thể",
    recording.PAPER: "Giấy, thư",
    recording.PHONE: "Điện thoại",
}
NATURE_WORDS = {
    "proposal": ("kien nghi", "de nghi", "proposal"),
    "feedback": ("phan anh", "feedback"),
    "policy": ("hoi dap chinh sach", "hoi dap", "chinh sach", "policy", "policy question"),
    "complaint": ("khieu nai", "complaint"),
    "denunciation": ("to cao", "denunciation"),
}
NATURE_LABELS = {
    "proposal": "Kiến nghị",
    "feedback": "Phản ánh",
    "policy": "Hỏi đáp chính sách",
    "complaint": "Khiếu nại",
    "denunciation": "Tố cáo",
}
YES = ("co", "x", "yes", "y", "1", "dong y", "cong khai")
NO = ("khong", "no", "n", "0", "")


@dataclass
class Problem:
    row: int  # the spreadsheet's row number; 0 for the file as a whole
    reason: str  # not_xlsx | no_header | missing_column | no_rows | too_many_rows | text_missing | …
    field: str = ""
    value: str = ""


def _word(value: str, words: dict[str, tuple[str, ...]]) -> str | None:
    folded = fold(value)
    if not folded:
        return None
    for key, options in words.items():
        if folded == key or folded in options:
            return key
    for key, options in words.items():  # "MTTQ xã", "Hội Nông dân (đoàn thể)"
        if any(o in folded for o in options if len(o) > 3):
            return key
    return "?"


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _names(key: str) -> set[str]:
    heading, others = COLUMNS[key]
    return {fold(part) for part in heading.split("/")} | set(others)


def _header(cells: list[str]) -> dict[str, int] | None:
    """Which column holds what, if this row is the heading row."""
    found: dict[str, int] = {}
    for index, cell in enumerate(cells):
        if not cell:
            continue
        forms = {fold(cell), fold(cell.split("/")[0])}
        for key in COLUMNS:
            if key not in found and forms & _names(key):
                found[key] = index
                break
    return found if "text" in found else None


async def read_questions(
    db: AsyncSession, content: bytes, session_id: int
) -> tuple[list[Problem], list[recording.NewQuestion]]:
    """Every row checked; returns (problems, questions). Questions are good only when problems is empty."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError):
        return [Problem(0, "not_xlsx")], []
    sheet = workbook.worksheets[0]
    rows = [[_cell(v) for v in values] for values in sheet.iter_rows(values_only=True)]
    workbook.close()
    columns, start = None, 0
    for number, cells in enumerate(rows[:30], start=1):
        columns = _header(cells)
        if columns is not None:
            start = number
            break
    if columns is None:
        return [Problem(0, "no_header")], []
    missing = [key for key in REQUIRED if key not in columns]
    if missing:
        return [Problem(0, "missing_column", COLUMNS[missing[0]][0])], []
    data = [(n, cells) for n, cells in enumerate(rows[start:], start=start + 1) if any(cells)]
    if not data:
        return [Problem(0, "no_rows")], []
    if len(data) > MAX_ROWS:
        return [Problem(0, "too_many_rows", value=str(MAX_ROWS))], []
    topics = list(await db.scalars(select(Topic).where(Topic.active)))
    by_name = {}
    for t in topics:
        for key in (t.code, t.name_vi, t.name_en):
            by_name[fold(key)] = t.id
    problems: list[Problem] = []
    questions: list[recording.NewQuestion] = []
    for number, cells in data:

        def get(key: str, cells: list[str] = cells) -> str:
            index = columns.get(key)
            return cells[index] if index is not None and index < len(cells) else ""

        found = _row(number, get, by_name, session_id)
        if isinstance(found, Problem):
            problems.append(found)
        else:
            questions.append(found)
    return problems, questions


def _row(number: int, get, topics: dict[str, int], session_id: int) -> Problem | recording.NewQuestion:
    raw_text = get("text")
    if not raw_text:
        return Problem(number, "text_missing", "text")
    try:
        text = recording.check_text(raw_text)
    except InvalidInput as exc:
        return Problem(number, "text_long" if "max" in exc.values else "text_short", "text")
    source = _word(get("source"), SOURCE_WORDS)
    if source is None:
        return Problem(number, "source_missing", "source")
    if source == "?":
        return Problem(number, "source_unknown", "source", get("source"))
    org = get("org")
    if source == recording.FRONT and not org:
        return Problem(number, "org_missing", "org")
    if len(org) > recording.ORG_MAX:
        return Problem(number, "org_long", "org")
    topic_id = None
    if get("topic"):
        topic_id = topics.get(fold(get("topic")))
        if topic_id is None:
            return Problem(number, "topic_unknown", "topic", get("topic"))
    nature = _word(get("nature"), NATURE_WORDS)
    if nature == "?":
        return Problem(number, "nature_unknown", "nature", get("nature"))
    public = fold(get("public"))
    if public not in YES and public not in NO:
        return Problem(number, "public_unknown", "public", get("public"))
    try:
        asker = recording.check_asker(
            recording.Asker(get("name") or None, get("phone") or None, get("hamlet") or None, public in YES)
        )
    except InvalidInput as exc:
        field = str(exc.values.get("field", "name"))
        return Problem(number, f"{field}_bad", field, get(field))
    return recording.NewQuestion(
        session_id=session_id,
        text=text,
        source=source,
        topic_id=topic_id,
        source_org=org if source == recording.FRONT else None,
        nature=nature,
        asker=asker,
    )


def template(topics: list[str]) -> bytes:
    """The spreadsheet the office fills in: headings, two example rows, and drop-down lists for the
    source, the topic, the nature and "name public"."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    ws.title = "Câu hỏi"
    ws["A1"] = "DANH SÁCH Ý KIẾN, KIẾN NGHỊ CỦA NHÂN DÂN / QUESTIONS FOR THE DIALOGUE SESSION"
    ws["A1"].font = Font(bold=True, size=13)
    ws["A2"] = (
        "Mỗi dòng một câu hỏi. Bắt buộc: nội dung và nguồn; nguồn «MTTQ, đoàn thể» cần tên tổ chức. "
        "Người hỏi có thể theo dõi trên Telegram/Zalo bằng mã câu hỏi và 4 số cuối điện thoại."
    )
    ws["A2"].font = Font(italic=True)
    keys = list(COLUMNS)
    header_row = 4
    ws.cell(row=header_row, column=1, value="STT / No.")
    for col, key in enumerate(keys, start=2):
        ws.cell(row=header_row, column=col, value=COLUMNS[key][0])
    for cell in ws[header_row]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    examples = [
        {
            "text": "Đề nghị sửa đường liên thôn 2 – thôn 3 bị xuống cấp, mùa mưa đi lại rất khó khăn.",
            "topic": topics[0] if topics else "",
            "source": SOURCE_LABELS[recording.FRONT],
            "org": "Hội Nông dân xã",
            "nature": NATURE_LABELS["proposal"],
            "name": "Nguyễn Văn Ba",
            "phone": "0912345678",
            "hamlet": "Thôn 2",
            "public": "Có",
        },
        {
            "text": "Khi nào xã chi trả tiền hỗ trợ giống lúa vụ xuân cho các hộ bị thiệt hại?",
            "topic": "",
            "source": SOURCE_LABELS[recording.FRONT],
            "org": "Ủy ban MTTQ xã",
            "nature": NATURE_LABELS["policy"],
            "name": "",
            "phone": "",
            "hamlet": "Thôn 5",
            "public": "Không",
        },
    ]
    for i, example in enumerate(examples, start=1):
        ws.cell(row=header_row + i, column=1, value=i)
        for col, key in enumerate(keys, start=2):
            ws.cell(row=header_row + i, column=col, value=example[key])
    widths = [8, 60, 24, 18, 24, 18, 22, 14, 16, 12]
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[ws.cell(row=1, column=col).column_letter].width = width
    lists = wb.create_sheet("Danh mục")
    choices = {
        "source": list(SOURCE_LABELS.values()),
        "topic": topics,
        "nature": list(NATURE_LABELS.values()),
        "public": ["Có", "Không"],
    }
    for col, (key, values) in enumerate(choices.items(), start=1):
        letter = lists.cell(row=1, column=col).column_letter
        lists.cell(row=1, column=col, value=COLUMNS[key][0])
        for row, value in enumerate(values, start=2):
            lists.cell(row=row, column=col, value=value)
        if not values:
            continue
        target = ws.cell(row=1, column=keys.index(key) + 2).column_letter
        rule = DataValidation(
            type="list", formula1=f"='Danh mục'!${letter}$2:${letter}${len(values) + 1}", allow_blank=True
        )
        rule.add(f"{target}{header_row + 1}:{target}{header_row + 500}")
        ws.add_data_validation(rule)
    ws.freeze_panes = ws.cell(row=header_row + 1, column=2)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


async def template_for(db: AsyncSession) -> bytes:
    topics = [
        t.name_vi for t in await db.scalars(select(Topic).where(Topic.active).order_by(Topic.sort_order))
    ]
    return template(topics)
