"""Duplicate-hint benchmark: one new question compared with a session's window of earlier ones
(bot/routing.py, DUPLICATE_WINDOW of them), with varied wording as citizens write it.

    .venv/bin/python bench/duplicates.py [--questions 50]

Prints the CPU time per new question with the word and three-letter-piece overlaps the bot uses,
and, in the same run for reference, with difflib's SequenceMatcher ratio (what it used before, the
cheap bounds first), and the ratio of the two. The comparison runs on the bot's event loop, so
every millisecond here is a millisecond in which no citizen gets an answer.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from difflib import SequenceMatcher
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.domain.routing import DUPLICATE_THRESHOLD, DUPLICATE_WINDOW, _prepared, similarity  # noqa: E402

SUBJECTS = [
    "đường liên thôn bị hỏng nặng",
    "tiền hỗ trợ hộ nghèo chưa được chi trả",
    "rác thải đổ bừa bãi ven sông",
    "hồ sơ cấp giấy chứng nhận quyền sử dụng đất chậm",
    "đèn đường không sáng vào ban đêm",
    "trạm y tế thiếu thuốc",
    "trường mẫu giáo xuống cấp",
    "chế độ trợ cấp người cao tuổi",
    "nước sinh hoạt bị nhiễm bẩn",
    "mương thủy lợi bị bồi lấp",
]
PLACES = ["thôn Trung Sơn", "thôn Đông", "xóm Bãi", "tổ dân phố 3", "thôn Hạ", "khu Chợ"]
FRAMES = [
    "Xin hỏi vì sao {s} ở {p} mà đến nay xã vẫn chưa giải quyết?",
    "Đề nghị xã cho biết khi nào xử lý việc {s} tại {p}.",
    "Gia đình tôi ở {p}, thấy {s} đã lâu, xã có kế hoạch gì không?",
    "Tại {p} {s} từ năm ngoái, bà con rất bức xúc, mong xã sớm trả lời.",
]


def question(rng: random.Random) -> str:
    text = rng.choice(FRAMES).format(s=rng.choice(SUBJECTS), p=rng.choice(PLACES))
    return f"{text} (hộ số {rng.randint(1, 400)})"


def difflib_similarity(a: str, b: str) -> float:
    """The method used before: word Jaccard, else SequenceMatcher's ratio behind its cheap bounds."""
    pa, pb = _prepared(a), _prepared(b)
    if pa.folded == pb.folded:
        return 1.0
    jaccard = len(pa.words & pb.words) / len(pa.words | pb.words) if pa.words and pb.words else 0.0
    if jaccard >= DUPLICATE_THRESHOLD:
        return jaccard
    matcher = SequenceMatcher(None, pa.folded, pb.folded, autojunk=False)
    if matcher.real_quick_ratio() < DUPLICATE_THRESHOLD or matcher.quick_ratio() < DUPLICATE_THRESHOLD:
        return jaccard
    return max(jaccard, matcher.ratio())


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--questions", type=int, default=50)
    args = parser.parse_args()
    rng = random.Random(42)
    window = [question(rng) for _ in range(DUPLICATE_WINDOW)]
    new = [question(rng) for _ in range(args.questions)]
    for text in window + new:
        _prepared(text)  # as in the bot: each text is prepared once and then compared many times

    started = time.process_time()
    ours = [sum(similarity(q, e) >= DUPLICATE_THRESHOLD for e in window) for q in new]
    ours_s = (time.process_time() - started) / len(new)
    started = time.process_time()
    before = [sum(difflib_similarity(q, e) >= DUPLICATE_THRESHOLD for e in window) for q in new]
    before_s = (time.process_time() - started) / len(new)

    print(f"one new question against {DUPLICATE_WINDOW} earlier ones, {len(new)} new questions:")
    print(f"  word + three-letter overlaps (the bot): {ours_s * 1000:.2f} ms CPU, {sum(ours)} hints")
    print(f"  difflib SequenceMatcher (before):       {before_s * 1000:.2f} ms CPU, {sum(before)} hints")
    print(f"ratio bot / before: {ours_s / before_s:.3f}")


if __name__ == "__main__":
    main()
