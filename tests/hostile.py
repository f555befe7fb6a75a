"""One hostile corpus for every text field in every output."""

from __future__ import annotations

HOSTILE: tuple[str, ...] = (
    "Title\n# Forged heading\n- forged bullet\r\n* another",
    "# Heading at the start",
    "- bullet at the start",
    "<script>alert(1)</script>",
    "<svg/onload=alert(1)>",
    "\"'><img src=x onerror=alert(1)>",
    "<!channel> <https://evil.test|click> <@U0ADMIN>",
    "*bold* _it_ ~strike~ `code` [link](https://evil.test)",
    "&<>&amp;",
    "=HYPERLINK(\"https://evil.test\",\"x\")",
    "+cmd|' /C calc'!A0",
    "abc\u202etxt.exe",  # right-to-left override, no NUL
)
ALL = " | ".join(HOSTILE)
