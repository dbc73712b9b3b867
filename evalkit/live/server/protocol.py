"""What the venue server and its pages agree on: the shapes a token and a message
id must have, the size and connection limits, and the refusals a page shows (both
languages; the page picks one)."""
from __future__ import annotations

import re

TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{16,128}")
OP_SHAPE = re.compile(r"[A-Za-z0-9_.:-]{8,80}")
MAX_MESSAGE = 16 * 1024          # bytes of one websocket message
MAX_WRITE_BUFFER = 1024 * 1024   # bytes queued for one slow client before it is dropped
MAX_CONNECTIONS = 400
MAX_PER_ADDRESS = 40

REFUSALS = {
    "locked": ("本轮评分已锁定，不能再提交或修改", "This round is locked: no more scores or changes"),
    "conflict": ("您与该项目存在利益关系，须回避", "You have a conflict of interest with this project"),
    "not_pitched": ("该项目尚未路演，不能评分", "This project has not pitched yet"),
    "not_judge_item": ("此项不由评委填写", "This item is not scored by judges"),
    "bad_link": ("链接无效或已更换，请向评审秘书索取新链接", "This link is not valid (any more): ask the secretary"),
    "rate": ("操作过于频繁，请稍候", "Too many requests: please wait a moment"),
    "bad_message": ("无法识别的请求", "Request not understood"),
    "fix_boxes": ("请修改标红的项", "Please correct the boxes marked in red"),
    "store": ("暂时无法保存，请稍后重试", "Could not save just now: please try again"),
}


def refusal(key: str) -> dict:
    zh, en = REFUSALS[key]
    return {"zh": zh, "en": en}


def raw_token(handler) -> str:
    """The token exactly as sent (tornado's get_argument would drop control characters)."""
    values = handler.request.query_arguments.get("token") or [b""]
    return values[0].decode("utf-8", "replace") if len(values) == 1 else ""
