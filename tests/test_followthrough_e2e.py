"""Issue #13 end to end, over the fake Bot API: a session taken through questions that did not come
through the chat (an MTTQ spreadsheet — a bad one refused first —, a question from the floor), the
agenda worked through with buttons at the session, a question forwarded to the district and answered
in the district's own group, a written response sent as a numbered document, a complaint set aside,
and the report whose figures include every one of them. Everything is reached through the product:
chats, buttons, replies to prompts, the clock and the real tick."""

from __future__ import annotations

import io
from datetime import date, timedelta

import docx
import openpyxl

from bot.domain.deadlines import WorkCalendar, conclusion_due
from tests.dsl import labels, procedure, text_of

SESSION_DAY = date(2026, 12, 13)  # the sample session: 20 days after Monday 23/11/2026
NOTICE_DAY = date(2026, 12, 15)
CAL = WorkCalendar()
LAND_Q = "Đề nghị xã cấp sổ đỏ cho thửa đất nhà tôi ở thôn 3, hồ sơ đã nộp từ năm ngoái"
ROAD_Q = "Đường liên thôn 3 bị hỏng nặng từ tháng 9, khi nào xã sửa chữa?"
COMPLAINT_Q = "Tôi khiếu nại quyết định thu hồi đất số 15 của UBND xã vì bồi thường không đúng diện tích"
MTTQ_DYKE = "Đề nghị nâng cấp đê bao sông Nghèn đoạn qua thôn 5, mùa lũ năm nay nước tràn vào khu dân cư"
MTTQ_SEED = "Khi nào xã chi trả tiền hỗ trợ giống lúa vụ xuân cho các hộ bị thiệt hại do bão?"
FLOOR_Q = "Đề nghị lắp thêm đèn chiếu sáng đoạn đường từ trường tiểu học đến chợ thôn 2"


def spreadsheet(template: bytes, rows: list[dict[str, str]]) -> bytes:
    """The downloaded template with its two example rows replaced by ``rows`` (by heading)."""
    wb = openpyxl.load_workbook(io.BytesIO(template))
    ws = wb.worksheets[0]
    headings = {str(c.value).split(" /")[0]: c.column for c in ws[4] if c.value}
    ws.delete_rows(5, 2)
    for i, row in enumerate(rows, start=5):
        ws.cell(row=i, column=1, value=i - 4)
        for heading, value in row.items():
            ws.cell(row=i, column=headings[heading], value=value)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def docx_text(content: bytes) -> str:
    document = docx.Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append(" | ".join(cell.text for cell in row.cells))
    return "\n".join(parts)


async def test_a_session_through_recorded_questions_the_agenda_forwarding_documents_and_the_report(
    database_url,
):
    async with procedure(database_url) as w:
        office, land = w.office, w.land
        an, lan, binh = (
            w.citizen(1001, "Nguyễn Văn An"),
            w.citizen(1002, "Trần Thị Lan"),
            w.citizen(1003, "Lê Bình"),
        )
        land_code = await an.asks(LAND_Q)
        road_code = await lan.asks(ROAD_Q)
        complaint_code = await binh.asks(COMPLAINT_Q)

        # --- the Front's spreadsheet: a bad one is refused whole, with row numbers and reasons -------
        template = await office.downloads_template()
        bad = spreadsheet(
            template,
            [
                {
                    "Nội dung câu hỏi": MTTQ_DYKE,
                    "Nguồn": "MTTQ, đoàn thể",
                    "Tổ chức thu thập": "Hội Nông dân xã",
                },
                {"Nội dung câu hỏi": "", "Nguồn": "MTTQ, đoàn thể", "Tổ chức thu thập": "Hội Nông dân xã"},
                {"Nội dung câu hỏi": MTTQ_SEED, "Nguồn": "Bồ câu đưa thư"},
                {"Nội dung câu hỏi": MTTQ_SEED, "Nguồn": "MTTQ", "Tổ chức thu thập": "", "Điện thoại": "12"},
            ],
        )
        refused = await office.imports(bad, "mttq-sai.xlsx")
        assert "Không nhập tệp mttq-sai.xlsx: 3 lỗi" in refused and "Chưa câu hỏi nào được nhập" in refused
        assert "Dòng 6: thiếu nội dung câu hỏi" in refused
        assert "Dòng 7: nguồn «Bồ câu đưa thư» không hợp lệ" in refused
        assert "Dòng 8: nguồn MTTQ, đoàn thể nhưng thiếu tên tổ chức" in refused
        await w.deliver()
        assert office.chat.count(MTTQ_DYKE[:40]) == 0  # nothing half-imported
        good = spreadsheet(
            template,
            [
                {
                    "Nội dung câu hỏi": MTTQ_DYKE,
                    "Lĩnh vực": "Nông nghiệp, thủy lợi",
                    "Nguồn": "MTTQ, đoàn thể",
                    "Tổ chức thu thập": "Hội Nông dân xã",
                    "Tính chất": "Kiến nghị",
                    "Họ và tên": "Phạm Văn Đê",
                    "Điện thoại": "0987 654 321",
                    "Thôn, xóm": "Thôn 5",
                },
                {"Nội dung câu hỏi": MTTQ_SEED, "Nguồn": "MTTQ", "Tổ chức thu thập": "Ủy ban MTTQ xã"},
            ],
        )
        imported = await office.imports(good, "mttq.xlsx")
        assert "Đã nhập 2 câu hỏi" in imported
        dyke_code, seed_code = (c for c in imported.split(": ", 1)[1].split(".")[0].split(", "))
        await w.deliver()
        dyke_card = await office.chat.hears(dyke_code, "Hội Nông dân xã", limit=30)
        assert "0987654321" in text_of(dyke_card)  # the office may call the asker
        assert "Người hỏi chưa dùng Telegram/Zalo" in text_of(dyke_card)

        # --- the asker the Front took down follows the question in a chat: code + last four digits --
        de = w.citizen(1004, "Phạm Văn Đê")
        assert "còn 2 lần thử" in await de.links(dyke_code, "1111")
        assert "Đã liên kết câu hỏi" in await de.links(dyke_code, "4321")

        # --- triage: routing, forwarding the dyke upwards, the complaint set aside --------------------
        await office.routes(land_code, "Địa chính")
        await office.routes(road_code, "Địa chính")
        await office.routes(seed_code, "Xã hội")
        await office.forwards(
            dyke_code, "UBND huyện", "12/UBND-VP 23/11/2026 Đê bao sông Nghèn do huyện quản lý"
        )
        await w.deliver()
        told = text_of(await de.hears(dyke_code, "UBND huyện Thạch Hà"))
        assert "văn bản số 12/UBND-VP ngày 23/11/2026" in told and "do huyện quản lý" in told
        await office.sets_aside(complaint_code, "Bộ phận tiếp công dân UBND xã thụ lý theo Luật Khiếu nại")
        await w.deliver()
        assert "Luật Khiếu nại" in text_of(await binh.hears(complaint_code, "khiếu nại"))

        # --- the day before: each department gets the list of its questions -------------------------
        await w.at(SESSION_DAY - timedelta(days=1), hour=8)
        await w.tick()
        invitation = text_of(await land.chat.hears("Mời dự hội nghị", limit=30))
        assert land_code in invitation and road_code in invitation and seed_code not in invitation

        # --- at the session: a question from the floor, the agenda worked through with buttons -------
        await w.at(SESSION_DAY, hour=9)
        await office.marks_held(85)
        floor_code = await office.records(FLOOR_Q, asker="Hoàng Thị Đèn; 0911 222 333; Thôn 2")
        await office.answers_by_button(road_code, "Xã sẽ sửa đường liên thôn 3 trong quý I/2027.")
        await office.answers_by_button(floor_code, "Xã lắp 5 đèn chiếu sáng trong tháng 1/2027.")
        await office.marks_follow_up(seed_code)
        await office.marks_follow_up(land_code)
        card = await office.floor_card()
        assert "Đã đi hết các câu hỏi" in text_of(card)
        assert "Đã trả lời tại hội nghị: 2 · Cần xử lý sau: 2" in text_of(card)
        await w.deliver()
        await lan.hears(road_code, "quý I/2027")
        # the floor's asker has no chat: the office is given the number to call, with the answer
        calls = text_of(await office.chat.hears("Cần gọi điện", floor_code, limit=40))
        assert "0911222333" in calls and "lắp 5 đèn" in calls

        # --- the notice, then the written response as a numbered document ------------------------------
        await w.at(NOTICE_DAY, hour=10)
        await office.issues_notice()
        await w.deliver()
        await an.hears(land_code, "chậm nhất ngày")
        await w.at(NOTICE_DAY + timedelta(days=7), hour=10)
        await land.answers_with_document(
            land_code,
            "45/UBND-ĐC 21/12/2026",
            "Hồ sơ đủ điều kiện; xã cấp giấy chứng nhận trong tháng 01/2027.",
        )
        await w.deliver()
        response = await an.hears(land_code, "45/UBND-ĐC")
        assert "ngày 21/12/2026" in text_of(response) and "tháng 01/2027" in text_of(response)
        assert response.get("document") or an.last_with("45/UBND-ĐC").get("document")
        await w.social.answers(seed_code, "Xã chi trả hỗ trợ giống lúa trước ngày 15/01/2027.")  # text only

        # --- the district answers in its own group; every asker hears it --------------------------------
        await w.district.answers(dyke_code, "Huyện đã bố trí vốn nâng cấp đê bao sông Nghèn trong năm 2027.")
        await w.deliver()
        await de.hears(dyke_code, "UBND huyện Thạch Hà", "bố trí vốn")
        await office.chat.hears(dyke_code, "đã trả lời", limit=40)
        card = w.district.card(dyke_code, "chuyển kiến nghị")  # answered once: a second reply changes nothing
        await w.tg.send_text(
            w.district.group, "Trả lời lần hai", from_user=w.district.user, reply_to=card["message_id"]
        )
        await w.district.chat.hears("Không ghi được trả lời")

        # --- the report of the current window: its figures include every one of them -----------------
        await w.at(date(2026, 12, 28), hour=9)
        workbook_message, document_message = await office.report_files()
        wb = openpyxl.load_workbook(io.BytesIO(office.file(workbook_message)))
        summary = {row[0]: row[1] for row in wb["Tổng hợp"].iter_rows(values_only=True) if row[0]}
        assert summary["Số ý kiến, kiến nghị nhận được"] == 6
        assert summary["   trong đó: khiếu nại, tố cáo chuyển xử lý theo quy định"] == 1
        assert summary["Số vụ việc phải giải quyết"] == 5
        assert summary["Trả lời trực tiếp tại hội nghị"] == 2
        assert summary["   trong đó: trả lời bằng văn bản có số"] == 1
        assert summary["Chuyển cấp có thẩm quyền"] == 1
        assert summary["   trong đó: cấp trên đã trả lời"] == 1
        assert summary["Qua Telegram/Zalo"] == 3 and summary["MTTQ, đoàn thể tổng hợp"] == 2
        assert summary["   trong đó: Hội Nông dân xã"] == 1 and summary["Phát biểu tại hội nghị"] == 1
        text = docx_text(office.file(document_message))
        assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
        assert "Thạch Đài, ngày 28 tháng 12 năm 2026" in text
        assert "Số 45/UBND-ĐC ngày 21/12/2026" in text  # the response list shows the document number
        assert "Cấp trên đã trả lời" in text and "Số 12/UBND-VP ngày 23/11/2026" in text
        assert f"{complaint_code} (Khiếu nại)" in text
        due = conclusion_due(SESSION_DAY, CAL)
        assert "15/12/2026, đúng hạn" in text and due >= NOTICE_DAY
        assert " | 85 | " in text  # participants, asked when the session was marked held
        for heading in ("Bài học kinh nghiệm", "Cách làm hay", "PHƯƠNG HƯỚNG, NHIỆM VỤ KỲ TỚI"):
            assert heading in text
        assert "Ban Dân vận Huyện ủy (b/c)" in text and "TM. ỦY BAN NHÂN DÂN" in text
        assert labels(workbook_message) == []


async def test_the_figures_of_a_second_session_agree_in_stats_the_workbook_and_the_document(database_url):
    """Independently of the scenario above: a late conclusion notice, a question recorded on paper and set
    aside, one from the floor answered by button, one forwarded and answered by the higher level — and
    /stats, the workbook and the document count them the same way."""
    async with procedure(database_url) as w:
        office = w.office
        an = w.citizen(1001, "Nguyễn Văn An")
        chat_code = await an.asks(LAND_Q)
        paper_code = await office.records(
            COMPLAINT_Q, source="📄 Giấy, thư", asker="Lê Văn Giấy; 0905 000 111"
        )
        await office.sets_aside(paper_code, "Thanh tra huyện thụ lý theo Luật Khiếu nại")
        await office.forwards(chat_code, "Sở Tài nguyên", "20/UBND-VP 23/11/2026 Thuộc thẩm quyền của Sở")
        await w.at(SESSION_DAY, hour=9)
        await office.marks_held(120)
        floor_code = await office.records(FLOOR_Q)
        await office.answers_by_button(floor_code, "Xã lắp đèn trong tháng 1/2027.")
        late_notice = conclusion_due(SESSION_DAY, CAL) + timedelta(days=2)
        await w.at(late_notice, hour=9)
        await office.issues_notice()
        await office.records_higher_answer(chat_code, "Sở đã giao cấp giấy chứng nhận trong quý I/2027.")
        await w.deliver()
        await an.hears(chat_code, "quý I/2027")

        await office.says("/stats")
        stats = text_of(await office.chat.hears("Theo trạng thái", limit=80))
        assert "• Nhận được: 3" in stats and "• Trả lời tại hội nghị: 1" in stats
        assert "• Chuyển cấp có thẩm quyền: 1 (cấp trên đã trả lời 1, đang chờ 0)" in stats
        assert "Khiếu nại, tố cáo chuyển xử lý theo quy định: 1" in stats
        assert "Qua Telegram/Zalo 1; Phát biểu tại hội nghị 1; Bằng giấy, thư 1" in stats
        assert "• Chung: 100,0%" in stats  # the one answer at the session; the forwarded one is not judged

        workbook_message, document_message = await office.report_files()
        wb = openpyxl.load_workbook(io.BytesIO(office.file(workbook_message)))
        rows = list(wb["Tổng hợp"].iter_rows(values_only=True))
        header = next(r for r in rows if r[0] == "Số" and r[1] == "Ngày")
        session_row = dict(zip(header, rows[rows.index(header) + 1], strict=True))
        assert session_row["Người tham dự"] == 120 and session_row["Trả lời tại hội nghị"] == 1
        assert session_row["Thông báo kết luận"].endswith(
            f"trễ hạn (hạn {conclusion_due(SESSION_DAY, CAL):%d/%m/%Y})"
        )
        assert (session_row["Tin nhắn"], session_row["Tại hội nghị"], session_row["Giấy, thư"]) == (1, 1, 1)
        text = docx_text(office.file(document_message))
        assert "Có 1 hội nghị ban hành thông báo kết luận chậm so với thời hạn 10 ngày." in text
        assert f"{paper_code} (Khiếu nại)" in text and "Cấp trên đã trả lời" in text
        assert "Tỉ lệ giải quyết đúng hạn: 100,0%" in text
