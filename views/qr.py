"""QR codes for links people scan: at an action's entrance, on a poster, on a phone held up."""

from __future__ import annotations

import io

import segno

# Modules of 16 pixels: a check-in link's code is about 800 pixels square, sharp when printed
# on a page or shown full-screen on a phone; the border of 4 modules is the standard's quiet
# zone, without which some readers fail.
SCALE = 16
BORDER = 4


def qr_png(link: str) -> bytes:
    """The link as a QR code image (PNG), error correction M: a code still reads with a
    seventh of it smudged or covered."""
    out = io.BytesIO()
    segno.make(link, error="m", micro=False).save(out, kind="png", scale=SCALE, border=BORDER)
    return out.getvalue()
