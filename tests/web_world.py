"""A commune with a past session, answered and published in part, an upcoming one and a draft, for the
public website's tests (HTTP and browser). States are reached through the product's own operations
(intake, workflow, publication, the citizen's own data deletion) — never by writing a status.

Every citizen's phone number, address and private name, and the text of every question not published,
carry markers the tests look for on every page: none may ever appear.

Timeline (Hà Nội time): 23/11/2026 session A announced for 03/12; six questions; A held 03/12; notice
05/12 (text and a PDF); answers, one late; published: three (one edited to take a name out), one more
whose asker later deleted their data. 20/02/2027 ("now"): session B announced for 12/03/2027, a draft C.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import FixedClock
from bot.domain import at_session, intake, publication, queries, sessions, triage
from bot.domain import department as answering
from bot.domain.directory import apply, parse
from storage.models import Department, Topic
from tests.scenario import SAMPLE_DIRECTORY

START = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # 09:00 in Hà Nội, a Monday
NOW = datetime(2027, 2, 22, 2, 0, tzinfo=UTC)  # 09:00, Monday 22/02/2027
NOTICE_FILE = "NOTICE-FILE-A"
NOTICE_PDF = b"%PDF-1.4\n% the conclusion notice\n"
OFFICE = queries.office_actor(5000001)
LAND = queries.dept_actor(5000002)
SOCIAL = queries.dept_actor(5000003)


@dataclass
class Seeded:
    session_a: int = 0
    session_b: int = 0
    session_c: int = 0
    codes: dict[str, str] = field(default_factory=dict)  # name -> tracking code
    published: dict[str, str] = field(default_factory=dict)  # code -> the text as published
    published_answers: dict[str, str] = field(default_factory=dict)  # code -> the answer shown
    public_names: dict[str, str] = field(default_factory=dict)  # code -> the name shown
    secrets: list[str] = field(default_factory=list)  # must appear on no page
    notice_text: str = ""

    @property
    def private_codes(self) -> list[str]:
        return [self.codes["withdrawn"], self.codes["rejected"], self.codes["deleted"]]


def _secret(seeded: Seeded, *values: str) -> None:
    seeded.secrets.extend(v for v in values if v)


async def _ask(
    db: AsyncSession,
    seeded: Seeded,
    session_id: int,
    n: int,
    text: str,
    topic: str | None,
    now: datetime,
    *,
    public_name: bool = True,
    name: str | None = None,
):
    """A citizen asks; their phone, address and chat id are secrets (and the name, unless public)."""
    chat_id = str(7770000 + n)
    phone = f"09{n:02d}7{n:02d}4{n:02d}3"
    address = f"Xóm Kín {n}, thôn Riêng Tư {n}"
    citizen = await intake.give_consent(db, "telegram", chat_id, "vi", now)
    topic_id = await db.scalar(select(Topic.id).where(Topic.code == topic)) if topic else None
    asker = name or f"Người hỏi số {n}"
    sub = await intake.submit(
        db,
        citizen=citizen,
        session_id=session_id,
        topic_id=topic_id,
        text=text,
        attachments=[],
        name=asker,
        phone=phone,
        address=address,
        public_name=public_name,
        now=now,
        default_prefix="DT",
    )
    _secret(seeded, phone, address, chat_id)
    if not public_name:
        _secret(seeded, asker)
    return sub


async def department(db: AsyncSession, code: str) -> Department:
    return await db.scalar(select(Department).where(Department.code == code))


async def seed(sessionmaker, clock: FixedClock) -> Seeded:
    seeded = Seeded()
    clock.set(START)
    now = clock.now()
    async with sessionmaker() as db:
        await apply(db, parse(SAMPLE_DIRECTORY.read_text(encoding="utf-8")), now)
        a = await sessions.create_session(
            db,
            title="Hội nghị đối thoại cuối năm 2026",
            place="Hội trường UBND xã Thạch Đài",
            starts_at=now + timedelta(days=10),
            now=now,
            announce=True,
        )
        seeded.session_a = a.id
        land, social = await department(db, "DIA_CHINH"), await department(db, "XA_HOI")
        road = await _ask(
            db,
            seeded,
            a.id,
            1,
            "Đường liên thôn 3 hỏng nặng, mùa mưa đi lại rất khó. Khi nào sửa?",
            "XAY_DUNG",
            now,
        )
        land_q = await _ask(
            db,
            seeded,
            a.id,
            2,
            "Tôi là Lê Văn Lộ ở xóm Kín 2, đề nghị cấp giấy chứng nhận quyền sử dụng đất cho thửa 45.",
            "DAT_DAI",
            now,
        )
        poor = await _ask(
            db,
            seeded,
            a.id,
            3,
            "Gia đình tôi khó khăn, xin xét hộ cận nghèo năm 2027 thế nào? (câu hỏi kín 3)",
            "CHINH_SACH",
            now,
            public_name=False,
            name="Trần Thị Kín Tên",
        )
        late_q = await _ask(
            db,
            seeded,
            a.id,
            4,
            "Kênh mương nội đồng bị bồi lấp, đề nghị nạo vét (câu hỏi kín 4).",
            "DAT_DAI",
            now,
        )
        open_q = await _ask(
            db,
            seeded,
            a.id,
            5,
            "Đề nghị đo đạc lại ranh giới thửa đất giáp đường (câu hỏi kín 5).",
            "DAT_DAI",
            now,
        )
        dup = await _ask(
            db, seeded, a.id, 6, "Đường liên thôn 3 hỏng quá, bao giờ sửa ạ? (câu hỏi kín 6)", None, now
        )
        forwarded = await _ask(
            db, seeded, a.id, 7, "Đề nghị làm rõ quy hoạch tỉnh lộ qua xã (câu hỏi kín 7).", "XAY_DUNG", now
        )
        withdrawn = await _ask(db, seeded, a.id, 8, "Câu hỏi tôi sẽ rút lại (câu hỏi kín 8).", None, now)
        rejected = await _ask(db, seeded, a.id, 9, "Nội dung không liên quan (câu hỏi kín 9).", None, now)
        deleted = await _ask(
            db, seeded, a.id, 10, "Đèn đường thôn 1 hỏng đã lâu (câu hỏi kín 10), xin thay.", "XAY_DUNG", now
        )
        for q in (road, land_q, late_q, open_q, forwarded, deleted):
            await triage.route(db, q.id, land.id, OFFICE, now)
        await triage.route(db, poor.id, social.id, OFFICE, now)
        await triage.merge(db, dup.id, road.id, OFFICE, now)
        await triage.reject(db, rejected.id, "Không thuộc nội dung hội nghị", OFFICE, now)
        citizen8 = await intake.find_citizen(db, "telegram", "7770008")
        await intake.withdraw(db, citizen8, withdrawn.id, now)
        await db.commit()
        seeded.codes = {
            "road": road.code,
            "land": land_q.code,
            "poor": poor.code,
            "late": late_q.code,
            "open": open_q.code,
            "dup": dup.code,
            "forwarded": forwarded.code,
            "withdrawn": withdrawn.code,
            "rejected": rejected.code,
            "deleted": deleted.code,
        }
        _secret(
            seeded,
            *(q.text for q in (land_q, poor, late_q, open_q, dup, forwarded, withdrawn, rejected, deleted)),
        )

    held = START + timedelta(days=10)
    async with sessionmaker() as db:
        await sessions.mark_held(db, a.id, "office:4000001", held, participants=85)
        await at_session.answer_at_session(
            db, road.id, "Xã đã bố trí kinh phí, tháng 3/2027 khởi công sửa đường liên thôn 3.", OFFICE, held
        )
        await at_session.answer_at_session(
            db, deleted.id, "Tuần sau điện lực thay bóng đèn thôn 1.", OFFICE, held
        )
        seeded.notice_text = (
            "Kết luận của Chủ tịch UBND xã tại hội nghị đối thoại cuối năm 2026.\nGiao các bộ phận trả lời."
        )
        await at_session.issue_conclusion_notice(
            db, a.id, seeded.notice_text, NOTICE_FILE, OFFICE, held + timedelta(days=2)
        )
        await db.commit()
    async with sessionmaker() as db:
        await answering.respond(
            db,
            land_q.id,
            land.id,
            "Hồ sơ của ông Lê Văn Lộ đủ điều kiện; giấy chứng nhận trả ngày 20/12.",
            None,
            LAND,
            held + timedelta(days=10),
        )
        await answering.respond(
            db,
            poor.id,
            social.id,
            "Xã sẽ rà soát hộ cận nghèo vào tháng 10 hằng năm.",
            None,
            SOCIAL,
            held + timedelta(days=12),
        )
        await answering.forward(
            db,
            forwarded.id,
            land.id,
            "UBND huyện Thạch Hà",
            "Vượt thẩm quyền cấp xã",
            LAND,
            held + timedelta(days=8),
        )
        await db.commit()
    # late: answered after its due date (30 working days after 05/12/2026)
    async with sessionmaker() as db:
        sub = await queries.get_submission(db, late_q.id)
        late_day = datetime.combine(
            sub.response_due + timedelta(days=6), datetime.min.time(), UTC
        ) + timedelta(hours=3)
        await answering.respond(
            db, late_q.id, land.id, "Đã nạo vét xong kênh mương nội đồng.", None, LAND, late_day
        )
        await db.commit()

    # the office publishes: one as it is, one edited (the asker's name and hamlet out), one anonymous
    published_at = held + timedelta(days=20)
    edited = "Đề nghị cấp giấy chứng nhận quyền sử dụng đất cho một thửa đất ở thôn."
    edited_answer = "Hồ sơ đủ điều kiện; giấy chứng nhận được trả trong tháng 12."
    async with sessionmaker() as db:
        await publication.publish(db, road.id, OFFICE, published_at)
        await publication.publish(db, land_q.id, OFFICE, published_at, text=edited, answer=edited_answer)
        await publication.publish(db, poor.id, OFFICE, published_at)
        await publication.publish(db, deleted.id, OFFICE, published_at)
        await db.commit()
    seeded.published = {road.code: road.text, land_q.code: edited, poor.code: poor.text}
    seeded.published_answers = {
        road.code: "Xã đã bố trí kinh phí, tháng 3/2027 khởi công sửa đường liên thôn 3.",
        land_q.code: edited_answer,
        poor.code: "Xã sẽ rà soát hộ cận nghèo vào tháng 10 hằng năm.",
    }
    seeded.public_names = {road.code: "Người hỏi số 1", land_q.code: "Người hỏi số 2"}
    seeded.secrets = [s for s in seeded.secrets if s not in (poor.text,)]  # published on purpose
    # the original wording of the edited question, and its answer, stay private
    _secret(seeded, "Lê Văn Lộ", land_q.text)

    # the asker of a published question deletes their data: it leaves the site
    async with sessionmaker() as db:
        citizen10 = await intake.find_citizen(db, "telegram", "7770010")
        await intake.delete_personal_data(db, citizen10, published_at + timedelta(days=1))
        await db.commit()
    _secret(seeded, "Tuần sau điện lực thay bóng đèn thôn 1.")

    clock.set(NOW)
    now = clock.now()
    async with sessionmaker() as db:
        b = await sessions.create_session(
            db,
            title="Hội nghị đối thoại quý I năm 2027",
            place="Nhà văn hóa thôn 2",
            starts_at=now + timedelta(days=18),
            now=now,
            announce=True,
        )
        c = await sessions.create_session(
            db, title="Bản nháp chưa công bố", place="Chưa rõ", starts_at=now + timedelta(days=40), now=now
        )
        await db.commit()
        seeded.session_b, seeded.session_c = b.id, c.id
    _secret(seeded, "Bản nháp chưa công bố")
    return seeded


LOREM = (
    "Đề nghị xã xem xét sửa chữa tuyến đường, khơi thông cống rãnh và lắp thêm đèn chiếu sáng "
    "để người dân đi lại an toàn vào mùa mưa. "
)


async def publish_many(
    sessionmaker, clock: FixedClock, session_id: int, n: int, *, length: int = 400, batch: int = 100
) -> list[str]:
    """``n`` questions asked in an open session, answered in writing and published: through the product's
    own operations (the benchmark's 1,000 answers, the page-weight test's long ones). Returns the codes."""
    codes: list[str] = []
    now = clock.now()
    text = (LOREM * (length // len(LOREM) + 1))[:length]
    for start in range(0, n, batch):
        async with sessionmaker() as db:
            land = await department(db, "DIA_CHINH")
            for i in range(start, min(n, start + batch)):
                citizen = await intake.give_consent(db, "telegram", str(8800000 + i), "vi", now)
                sub = await intake.submit(
                    db,
                    citizen=citizen,
                    session_id=session_id,
                    topic_id=None,
                    text=f"{i}. {text}",
                    attachments=[],
                    name=f"Công dân {i}",
                    phone=None,
                    address=None,
                    public_name=i % 2 == 0,
                    now=now,
                    default_prefix="DT",
                )
                await triage.route(db, sub.id, land.id, OFFICE, now)
                await answering.respond(db, sub.id, land.id, f"Trả lời {i}: {text}"[:3500], None, LAND, now)
                await publication.publish(db, sub.id, OFFICE, now)
                codes.append(sub.code)
            await db.commit()
    return codes
