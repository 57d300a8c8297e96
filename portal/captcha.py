"""An offline captcha (shell helper; the login form after repeated failures and the
public suggestion form use it): a small sum drawn with Pillow, or (the accessible
alternative, WCAG 2.1 1.1.1) the same kind of sum asked as text in Chinese
numerals, which a screen reader reads out.  Both kinds share one session slot,
the one-shot nonce and the rate limit.

The session cookie is signed but readable by the client, so it keeps only a nonce,
an expiry and an HMAC (keyed with ``SECRET_KEY``) of the answer, never the answer.
A challenge is used once: checking it removes it from the session, right or
wrong, and records its nonce with :mod:`portal.oneshot`; a nonce found there is
refused (a replayed old cookie would otherwise bring the solved challenge back).
The caller commits right after :func:`check`.
"""

import hashlib
import hmac
import io
import math
import os
import random
import secrets
import time

from flask import current_app, session
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from portal.oneshot import spend

SESSION_KEY = "suggestion_captcha"
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
)
WIDTH, HEIGHT = 180, 60

EXPIRED = "expired"
WRONG = "wrong"
MISSING = "missing"
REUSED = "reused"


def digest(nonce, answer):
    """The HMAC kept in the session for ``answer`` (also used by tests, which hold
    the application's secret key, to recover the answer)."""
    key = current_app.config["SECRET_KEY"].encode()
    message = f"captcha:{nonce}:{answer}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def _challenge(rng):
    a, b = rng.randint(10, 49), rng.randint(1, 9)
    if rng.random() < 0.5:
        return f"{a} + {b} = ?", a + b
    return f"{a} - {b} = ?", a - b


def _font(size):
    for path in FONT_CANDIDATES:
        if os.path.exists(path):
            return ImageFont.truetype(path, size)
    return ImageFont.load_default(size=size)


def render(text, rng):
    """PNG bytes of ``text`` with jittered, rotated glyphs, noise lines and dots."""
    image = Image.new("RGB", (WIDTH, HEIGHT), (246, 248, 250))
    draw = ImageDraw.Draw(image)
    for _ in range(5):
        colour = tuple(rng.randint(120, 200) for _ in range(3))
        points = [(rng.randint(0, WIDTH), rng.randint(0, HEIGHT)) for _ in range(2)]
        draw.line(points, fill=colour, width=2)
    x = 10
    for char in text:
        if char == " ":
            x += 8
            continue
        font = _font(rng.randint(26, 32))
        glyph = Image.new("RGBA", (40, 50), (0, 0, 0, 0))
        colour = tuple(rng.randint(10, 90) for _ in range(3))
        ImageDraw.Draw(glyph).text((6, 4), char, font=font, fill=colour)
        glyph = glyph.rotate(rng.uniform(-25, 25), resample=Image.BICUBIC)
        image.paste(glyph, (x, rng.randint(0, 12)), glyph)
        x += rng.randint(18, 23)
    # A gentle sine wave across the picture.
    phase, amplitude = rng.uniform(0, math.pi), rng.uniform(2, 4)
    waved = Image.new("RGB", image.size, (246, 248, 250))
    for column in range(WIDTH):
        offset = int(amplitude * math.sin(column / 12 + phase))
        strip = image.crop((column, 0, column + 1, HEIGHT))
        waved.paste(strip, (column, offset))
    draw = ImageDraw.Draw(waved)
    for _ in range(120):
        draw.point(
            (rng.randint(0, WIDTH - 1), rng.randint(0, HEIGHT - 1)),
            fill=tuple(rng.randint(80, 200) for _ in range(3)),
        )
    waved = waved.filter(ImageFilter.SMOOTH)
    out = io.BytesIO()
    waved.save(out, format="PNG")
    return out.getvalue()


def _remember(answer, key=SESSION_KEY):
    nonce = secrets.token_hex(8)
    lifetime = current_app.config["SUGGESTION_CAPTCHA_SECONDS"]
    session[key] = {
        "nonce": nonce,
        "digest": digest(nonce, answer),
        "expires": int(time.time()) + lifetime,
    }


def new_challenge(key=SESSION_KEY):
    """Create a challenge, remember it in the session under ``key``; return the
    PNG bytes (the login form keeps its own challenge under another key)."""
    rng = random.SystemRandom()
    text, answer = _challenge(rng)
    _remember(answer, key)
    return render(text, rng)


DIGITS = "零一二三四五六七八九"


def chinese_number(value):
    """``value`` (0-99) in Chinese numerals: 7 -> 七, 10 -> 十, 47 -> 四十七."""
    tens, ones = divmod(value, 10)
    if tens == 0:
        return DIGITS[ones]
    words = ("" if tens == 1 else DIGITS[tens]) + "十"
    return words + (DIGITS[ones] if ones else "")


def new_text_challenge(key=SESSION_KEY):
    """Create a challenge asked as text (no image); remember it in the session and
    return the question, e.g. ``四十七减三等于多少？``."""
    rng = random.SystemRandom()
    a, b = rng.randint(10, 49), rng.randint(1, 9)
    if rng.random() < 0.5:
        question, answer = f"{chinese_number(a)}加{chinese_number(b)}等于多少？", a + b
    else:
        question, answer = f"{chinese_number(a)}减{chinese_number(b)}等于多少？", a - b
    _remember(answer, key)
    return question


def check(answer, key=SESSION_KEY):
    """Check (and consume) the session's challenge.

    :return: None when ``answer`` is right, else ``MISSING``, ``EXPIRED`` or ``WRONG``.
    """
    stored = session.pop(key, None)
    if not stored:
        return MISSING
    if time.time() > stored.get("expires", 0):
        return EXPIRED
    if not spend(f"captcha:{stored.get('nonce')}", stored["expires"]):
        return REUSED
    answer = (answer or "").strip()
    if not answer.lstrip("-").isdigit():
        return WRONG
    expected = stored.get("digest", "")
    if not hmac.compare_digest(digest(stored["nonce"], int(answer)), expected):
        return WRONG
    return None


MESSAGES = {
    MISSING: "请先获取验证码（点击图片可更换，或改用文字题）。",
    EXPIRED: "验证码已过期，请重新输入新的验证码。",
    WRONG: "验证码不正确，请重新输入新的验证码。",
    REUSED: "验证码已使用过，请重新输入新的验证码。",
}
