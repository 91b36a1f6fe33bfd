"""A calm placeholder portrait for a therapist who has not uploaded a photo: initials on a soft,
deterministic colour field, as SVG. Colours are chosen so the initials keep a contrast ratio
above 4.5:1 (WCAG AA) against their background.
"""

import hashlib
from html import escape

# (background, foreground) pairs from the stylesheet's palette; contrast checked in tests.
PALETTE = (
    ("#dce9e4", "#1f4d43"),
    ("#e9e1d6", "#5a3e22"),
    ("#dde3ef", "#2b3f66"),
    ("#efdfe2", "#6b2c3a"),
    ("#e4e8d8", "#3d4a1f"),
    ("#e3dcec", "#4a3266"),
)


def initials(name: str) -> str:
    words = [word for word in name.replace(",", " ").split() if word[:1].isalpha()]
    if not words:
        return "?"
    if len(words) == 1:
        return words[0][0].upper()
    return (words[0][0] + words[-1][0]).upper()


def placeholder_svg(name: str) -> str:
    digest = hashlib.sha256(name.encode()).digest()
    background, foreground = PALETTE[digest[0] % len(PALETTE)]
    letters = escape(initials(name))
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 240 240" role="img">'
        f'<rect width="240" height="240" fill="{background}"/>'
        f'<circle cx="200" cy="40" r="90" fill="{foreground}" fill-opacity="0.06"/>'
        f'<circle cx="30" cy="220" r="70" fill="{foreground}" fill-opacity="0.05"/>'
        f'<text x="120" y="120" dy="0.35em" text-anchor="middle" fill="{foreground}" '
        'font-family="Georgia, \'Times New Roman\', serif" font-size="88" '
        f'letter-spacing="2">{letters}</text></svg>'
    )


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(first: str, second: str) -> float:
    """WCAG 2.x contrast ratio between two #rrggbb colours."""
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)
