"""Questions imported from a spreadsheet (the command line and the domain underneath), and the small
parsers of issue #13: document references, the asker as the office types it, the reporting windows
and the directory's new tables."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from bot.domain import importing, recording
from bot.domain.directory import DirectoryError, apply, parse
from bot.domain.forwarding import parse_reference
from bot.domain.reporting import DEFAULT_WINDOWS, Issuer, Reporting
from storage.models import Citizen, Submission
from tests import workflow_world as ww

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def sheet(rows: list[list[object]], header_row: int = 1) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    for i, row in enumerate(rows, start=header_row):
        for j, value in enumerate(row, start=1):
            ws.cell(row=i, column=j, value=value)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


async def session_with_directory(db):
    await ww.load_directory(db, NOW)
    session = await ww.new_session(db, NOW)
    await db.flush()
    return session


async def test_columns_are_found_by_their_headings_in_any_order_and_each_bad_row_is_named(sessionmaker):
    async with sessionmaker() as db:
        session = await session_with_directory(db)
        content = sheet(
            [
                ["Danh sách kiến nghị do MTTQ xã tổng hợp"],
                [],
                ["Điện thoại", "Source", "Noi dung cau hoi", "To chuc", "Linh vuc", "Tính chất", "Ho ten"],
                [
                    "0912 345 678",
                    "MTTQ",
                    "Đề nghị nạo vét kênh mương nội đồng thôn 4 trước vụ xuân",
                    "Hội Nông dân",
                    "NONG_NGHIEP",
                    "kiến nghị",
                    "Lê Văn Kênh",
                ],
                [
                    912345679,
                    "tại hội nghị",
                    "Đề nghị công khai danh sách hộ nghèo năm 2027 tại nhà văn hoá",
                    None,
                    "Chính sách xã hội, người có công",
                    "",
                    None,
                ],
                [None, "giấy", "ngắn", None, None, None, None],
                [
                    None,
                    "điện thoại",
                    "Hỏi về chế độ cho người cao tuổi từ 75 tuổi trở lên",
                    None,
                    "Không có",
                    None,
                    None,
                ],
                [None, None, None, None, None, None, None],
                [
                    "12",
                    "phone",
                    "Hỏi về thủ tục đăng ký tạm trú cho con đi học xa nhà",
                    None,
                    None,
                    "hỏi đáp",
                    None,
                ],
            ]
        )
        problems, questions = await importing.read_questions(db, content, session.id)
        await db.commit()
    assert [(p.row, p.reason) for p in problems] == [
        (6, "text_short"),
        (7, "topic_unknown"),
        (9, "phone_bad"),
    ]
    assert len(questions) == 2
    first, second = questions
    assert (first.source, first.source_org, first.nature) == ("front", "Hội Nông dân", "proposal")
    assert first.asker.phone == "0912345678" and first.asker.name == "Lê Văn Kênh"
    assert (second.source, second.asker.phone) == ("floor", "0912345679")  # the leading 0 Excel dropped


async def test_not_a_spreadsheet_or_no_heading_or_no_rows_is_refused_as_a_whole(sessionmaker):
    async with sessionmaker() as db:
        session = await session_with_directory(db)
        assert (await importing.read_questions(db, b"%PDF-1.4", session.id))[0][0].reason == "not_xlsx"
        assert (await importing.read_questions(db, sheet([["a", "b"]]), session.id))[0][
            0
        ].reason == "no_header"
        empty = sheet([["Nội dung câu hỏi", "Nguồn"]])
        assert (await importing.read_questions(db, empty, session.id))[0][0].reason == "no_rows"
        no_source = sheet([["Nội dung câu hỏi"], ["Đề nghị sửa cống thoát nước thôn 1 bị tắc"]])
        (problem,), _ = await importing.read_questions(db, no_source, session.id)
        assert problem.reason == "missing_column" and "Nguồn" in problem.field
        await db.commit()


async def test_the_template_reads_back_as_its_two_examples(sessionmaker):
    async with sessionmaker() as db:
        session = await session_with_directory(db)
        template = await importing.template_for(db)
        problems, questions = await importing.read_questions(db, template, session.id)
        await db.commit()
    assert problems == [] and [q.source_org for q in questions] == ["Hội Nông dân xã", "Ủy ban MTTQ xã"]


async def test_a_recorded_question_s_asker_is_a_citizen_with_no_chat(sessionmaker):
    async with sessionmaker() as db:
        session = await session_with_directory(db)
        sub = await recording.record(
            db,
            recording.NewQuestion(
                session.id, "Đề nghị sửa cầu tràn thôn 6 bị sạt lở", recording.PAPER,
                asker=recording.split_asker("0987 111 222; Đinh Văn Cầu, Thôn 6"),
            ),
            "office:1",
            NOW,
            "DT",
        )  # fmt: skip
        await db.commit()
        citizen = await db.get(Citizen, sub.citizen_id)
        assert (citizen.chat_id, citizen.channel, citizen.name, citizen.phone) == (
            None,
            recording.OFFLINE,
            "Đinh Văn Cầu",
            "0987111222",
        )
        assert (sub.source, sub.status, sub.address) == ("paper", "received", "Thôn 6")
        await db.commit()


def test_document_references_as_staff_type_them():
    assert parse_reference("12/UBND-VP 20/12/2026 Vượt thẩm quyền cấp xã") == (
        "12/UBND-VP",
        date(2026, 12, 20),
        "Vượt thẩm quyền cấp xã",
    )
    assert parse_reference("Số 45/UBND-ĐC ngày 05/01/2027; tóm tắt") == (
        "45/UBND-ĐC",
        date(2027, 1, 5),
        "tóm tắt",
    )
    assert parse_reference("Chỉ có lý do") == (None, None, "Chỉ có lý do")
    assert parse_reference("12/UBND 31/02/2026 x")[1] is None  # not a real day


def test_the_asker_as_the_office_types_it():
    assert recording.split_asker("-") == recording.Asker()
    found = recording.split_asker("Nguyễn Văn Ba; 0912 345 678; Thôn 2")
    assert (found.name, found.phone, found.hamlet) == ("Nguyễn Văn Ba", "0912 345 678", "Thôn 2")
    with pytest.raises(recording.InvalidInput):
        recording.check_asker(recording.Asker("Ba", "12345"))


def test_reporting_windows_start_the_day_after_the_last_annual_cut_off():
    windows = Reporting(Issuer(), DEFAULT_WINDOWS)
    past, current = windows.around(date(2026, 12, 20))
    assert (current.code, current.start, current.end, current.due) == (
        "H1",
        date(2026, 12, 10),
        date(2027, 6, 14),
        date(2027, 6, 15),
    )
    assert (past.code, past.start, past.end) == ("YEAR", date(2025, 12, 10), date(2026, 12, 9))
    assert windows.around(date(2027, 6, 15))[1].code == "H1"  # due today: still the current one
    assert windows.at(1, 2027).due == date(2027, 12, 10) and windows.at(5, 2027) is None


async def test_the_directory_s_authorities_forwarding_and_reporting(sessionmaker):
    text = ww.SAMPLE_DIRECTORY.read_text(encoding="utf-8")
    data = parse(text)
    assert [a["code"] for a in data["authorities"]] == ["UBND_HUYEN", "SO_TNMT"]
    assert data["reporting"]["dan_van"] == "Ban Dân vận Huyện ủy"
    async with sessionmaker() as db:
        await apply(db, data, NOW)
        await apply(db, data, NOW)  # idempotent
        from storage.models import Authority

        assert await db.scalar(select(func.count(Authority.id))) == 2
        await db.commit()
    # a file without the new tables keeps working
    bare = text.split("# Competent authorities")[0]
    assert parse(bare)["reporting"] is None and parse(bare)["authorities"] == []
    with pytest.raises(DirectoryError, match=r"line \d+, \[\[reporting.windows\]\] #1: field 'due'"):
        parse(
            bare + '\n[reporting]\n[[reporting.windows]]\ncode = "H1"\nname_vi = "6 tháng"\ndue = "15/06"\n'
        )
    with pytest.raises(DirectoryError, match="issuer"):
        parse(bare + '\n[reporting]\nissuer = "ward"\n')


def test_the_command_line_imports_all_rows_or_none(tmp_path: Path, monkeypatch, capsys):
    from bot.cli import main

    monkeypatch.setenv("DOITHOAI_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")
    assert main(["directory", "load", str(ww.SAMPLE_DIRECTORY)]) == 0
    assert (
        main(
            [
                "session",
                "create",
                "--title",
                "Đối thoại",
                "--starts-at",
                "2099-12-15T08:00",
                "--place",
                "Hội trường",
            ]
        )
        == 0
    )
    template = tmp_path / "mau.xlsx"
    assert main(["import-questions", "--template", str(template)]) == 0
    capsys.readouterr()
    wb = openpyxl.load_workbook(template)
    ws = wb.worksheets[0]
    ws["B6"] = ""  # the second example loses its question
    bad = tmp_path / "sai.xlsx"
    wb.save(bad)
    assert main(["import-questions", str(bad), "--session", "1"]) == 2
    err = capsys.readouterr().err
    assert "refused, nothing imported: 1 problem(s)" in err and "Dòng 6: thiếu nội dung câu hỏi" in err
    assert main(["import-questions", str(template), "--session", "1"]) == 0
    out = capsys.readouterr().out
    assert "imported 2 question(s) into session 1: TD-" in out
    assert main(["import-questions", str(template), "--session", "99"]) == 2
    assert "session 99" in capsys.readouterr().err

    async def count() -> int:
        from storage.db import make_engine

        engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")
        async with engine.connect() as conn:
            found = await conn.scalar(select(func.count(Submission.id)))
        await engine.dispose()
        return found

    import asyncio

    assert asyncio.run(count()) == 2  # the refused file left nothing behind
