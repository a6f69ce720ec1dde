"""A hand-counted world for the reports: rows written directly (no workflow), so every figure in
tests/test_metrics.py and tests/test_reports.py can be checked against a count done by hand.

Today is 25/05/2026 (09:00 in Hà Nội). Sessions:
  S1  10/03/2026, periodic, held, 120 participants — items 1–11 (R5 due date 27/04/2026)
  S2  20/05/2026, ad hoc, held, participants not recorded — items 12–13
  S4  25/06/2026, announced (not held yet) — item 14
  S3  01/07/2026 local time (30/06 18:00 UTC), held — item 15: in H2, not in H1

  #   session dept  what                                                      H1 figures
  1   S1  A  answered at the session, rated 5, name public                   at session, on time
  2   S1  A  responded 20/04 (received 01/03), rated 4                       on time, 50 days
  3   S1  A  responded 04/05, rated 2 (received 02/03)                       late 7 days, 63 days
  4   S1  B  extended to 15/05, responded 10/05 (after the original date)    on time, extended, 68 days
  5   S1  B  extended to 15/05, still awaiting                               overdue 10 days, extended
  6   S1  B  forwarded 10/04 to the district (received 04/03)                forwarded, awaiting, 37 days
  7   S1  A  merged into 2, rated 5                                           received, not a case
  8   S1  B  withdrawn                                                        received, not a case
  9   S1  -  rejected                                                         received, not a case
  10  S1  A  reopened once, responded again 25/04 (received 05/03)           on time, reopened, 51 days
  11  S1  B  awaiting, due 10/06, name NOT public                             open within time
  12  S2  A  routed, no due date yet                                          open within time
  13  S2  A  answered at the session, no topic                                at session, on time
  14  S4  -  received, not routed                                             open within time, unassigned
  15  S3  A  responded                                                        (H2 only)

H1 2026 by hand: received 14; merged 1, withdrawn 1, rejected 1; cases 11; at session 2; responded 4
(on time 3, late 1); forwarded 1 (awaiting; never judged on time); open 4 (overdue 1); on time 5, late 1,
judged 7 → 71.4 %; extended 2;
reopened 1; rated 5 (sum 19 → 3.8; 4–5 points: 3 → 60 %); days to respond 50+63+68+37+51 = 269 / 5 = 53.8.
By department — A: received 7, cases 6, on time 4, late 1, overdue 0, open 1 → 80 %;
B: received 5, cases 4, on time 1, late 0, overdue 1, open 2 → 1/2; unassigned: received 2, cases 1.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    AppConfig,
    Citizen,
    Department,
    DialogueSession,
    Submission,
    SubmissionEvent,
    Topic,
)

NOW = datetime(2026, 5, 25, 2, 0, tzinfo=UTC)  # 09:00 on 25/05/2026 in Hà Nội
DUE = date(2026, 4, 27)
EXTENDED_DUE = date(2026, 5, 15)
UNIT_VI = "UBND xã Thạch Đài"
HIDDEN_NAME = "Trần Thị Bí Mật"
PUBLIC_NAME = "Nguyễn Văn An"
PHONE = "0912345678"


def utc(y: int, m: int, d: int, h: int = 3) -> datetime:
    return datetime(y, m, d, h, 0, tzinfo=UTC)


async def build(db: AsyncSession) -> dict[str, int]:
    """Write the world; returns ids by name (sessions "S1".."S4", departments "A", "B")."""
    db.add_all(
        [
            AppConfig(key="unit_name_vi", value=UNIT_VI),
            AppConfig(key="unit_name_en", value="Thach Dai Commune People's Committee"),
        ]
    )
    a = Department(
        code="DIA_CHINH", name_vi="Địa chính – Xây dựng", name_en="Land administration", keywords=[]
    )
    b = Department(code="XA_HOI", name_vi="Văn hóa – Xã hội", name_en="Social welfare", keywords=[])
    db.add_all([a, b])
    await db.flush()
    t1 = Topic(code="DAT_DAI", name_vi="Đất đai", name_en="Land", department_id=a.id, sort_order=1)
    t2 = Topic(
        code="CHINH_SACH",
        name_vi="Chính sách xã hội",
        name_en="Social policy",
        department_id=b.id,
        sort_order=2,
    )
    db.add_all([t1, t2])
    citizen = Citizen(channel="telegram", chat_id="1001", locale="vi", created_at=utc(2026, 2, 1))
    db.add(citizen)

    def session(title: str, starts: datetime, status: str, **kw) -> DialogueSession:
        row = DialogueSession(
            title=title,
            starts_at=starts,
            place="Hội trường UBND xã",
            status=status,
            created_at=utc(2026, 1, 5),
            **kw,
        )
        db.add(row)
        return row

    s1 = session(
        "Hội nghị đối thoại quý I",
        utc(2026, 3, 10, 1),
        "concluded",
        held_at=utc(2026, 3, 10, 4),
        notice_at=utc(2026, 3, 16),
        participants=120,
    )
    s2 = session(
        "Đối thoại về đường liên thôn", utc(2026, 5, 20, 1), "held", held_at=utc(2026, 5, 20, 4), kind="adhoc"
    )
    s4 = session("Hội nghị đối thoại quý II", utc(2026, 6, 25, 1), "announced", announced_at=utc(2026, 6, 1))
    s3 = session(
        "Hội nghị đối thoại quý III",
        datetime(2026, 6, 30, 18, 0, tzinfo=UTC),
        "held",
        held_at=utc(2026, 7, 1),
    )
    await db.flush()

    counter = 0

    def sub(
        session_row: DialogueSession, dept: Department | None, status: str, received: datetime, **kw
    ) -> Submission:
        nonlocal counter
        counter += 1
        row = Submission(
            code=f"TD-{counter:04d}",
            session_id=session_row.id,
            citizen_id=citizen.id,
            department_id=dept.id if dept else None,
            topic_id=kw.pop("topic_id", (t1.id if dept is a else t2.id) if dept else None),
            text=kw.pop("text", f"Câu hỏi số {counter} về đất đai và chính sách ở thôn 3"),
            asker_name=kw.pop("asker_name", PUBLIC_NAME),
            public_name=kw.pop("public_name", True),
            phone=PHONE,
            address="Thôn 3",
            status=status,
            created_at=received,
            updated_at=received,
            **kw,
        )
        db.add(row)
        return row

    sub(s1, a, "answered_at_session", utc(2026, 3, 1), session_answer="Đã trả lời", satisfaction=5)
    two = sub(
        s1,
        a,
        "responded",
        utc(2026, 3, 1),
        response_due=DUE,
        original_due=DUE,
        responded_at=utc(2026, 4, 20),
        satisfaction=4,
    )
    sub(
        s1,
        a,
        "responded",
        utc(2026, 3, 2),
        response_due=DUE,
        original_due=DUE,
        responded_at=utc(2026, 5, 4),
        satisfaction=2,
    )
    sub(
        s1,
        b,
        "responded",
        utc(2026, 3, 3),
        response_due=EXTENDED_DUE,
        original_due=DUE,
        extension_reason="Cần đo đạc lại thửa đất",
        responded_at=utc(2026, 5, 10),
        satisfaction=3,
    )
    sub(
        s1,
        b,
        "awaiting_response",
        utc(2026, 3, 3),
        response_due=EXTENDED_DUE,
        original_due=DUE,
        extension_reason="Chờ ý kiến cấp huyện",
    )
    six = sub(
        s1,
        b,
        "forwarded",
        utc(2026, 3, 4),
        response_due=DUE,
        original_due=DUE,
        forwarded_to="UBND huyện Thạch Hà",
        forward_reason="Vượt thẩm quyền cấp xã",
    )
    await db.flush()
    sub(s1, a, "merged", utc(2026, 3, 2), merged_into_id=two.id, satisfaction=5)
    sub(s1, b, "withdrawn", utc(2026, 3, 2), withdrawn_at=utc(2026, 3, 5))
    sub(s1, None, "rejected", utc(2026, 3, 2), rejection_reason="Không thuộc nội dung hội nghị")
    sub(
        s1,
        a,
        "responded",
        utc(2026, 3, 5),
        response_due=DUE,
        original_due=DUE,
        responded_at=utc(2026, 4, 25),
        reopened_count=1,
    )
    sub(
        s1,
        b,
        "awaiting_response",
        utc(2026, 3, 6),
        response_due=date(2026, 6, 10),
        original_due=date(2026, 6, 10),
        asker_name=HIDDEN_NAME,
        public_name=False,
    )
    sub(s2, a, "routed", utc(2026, 5, 12), routed_at=utc(2026, 5, 13))
    sub(s2, a, "answered_at_session", utc(2026, 5, 13), topic_id=None, session_answer="Sẽ sửa trong tháng 6")
    sub(s4, None, "received", utc(2026, 5, 24))
    sub(s3, a, "responded", utc(2026, 6, 20), responded_at=utc(2026, 7, 2))
    await db.flush()
    # the forward happened on 10/04 (updated_at says later: the reports read the event)
    six.updated_at = utc(2026, 5, 1)
    db.add(
        SubmissionEvent(
            submission_id=six.id,
            at=utc(2026, 4, 10),
            actor="dept:1",
            action="forward",
            detail={"to": "huyện"},
        )
    )
    await db.flush()
    return {"S1": s1.id, "S2": s2.id, "S3": s3.id, "S4": s4.id, "A": a.id, "B": b.id}
