"""Hostile citizen messages: what an attacker (or a careless phone) may put in a message text.

Every entry carries a plain `marker` that must be visible, as text, wherever the message is shown. The
payloads call `alert()` and set `window.__hostile`, so a browser test can tell that nothing ran.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Hostile:
    name: str
    text: str
    marker: str
    author_name: str = "Ola Nordmann"
    raw_body: bytes | None = None  # a body that is not valid UTF-8 JSON at all (the adapter must refuse it)


def _m(n: int) -> str:
    return f"HOSTILE{n:02d}"


CORPUS: tuple[Hostile, ...] = (
    Hostile("script_tag", f"{_m(1)} <script>window.__hostile=1;alert(1)</script>", _m(1)),
    Hostile("img_onerror", f'{_m(2)} <img src=x onerror="window.__hostile=2;alert(2)">', _m(2)),
    Hostile("event_handler_attr", f'{_m(3)} " autofocus onfocus="window.__hostile=3" x="', _m(3)),
    Hostile(
        "javascript_url",
        f'{_m(4)} <a href="javascript:window.__hostile=4">klikk</a> javascript:alert(4)',
        _m(4),
    ),
    Hostile("svg_onload", f'{_m(5)} <svg onload="window.__hostile=5;alert(5)"><circle r="9"/></svg>', _m(5)),
    Hostile(
        "closing_textarea", f"{_m(6)} </textarea></title></style><script>window.__hostile=6</script>", _m(6)
    ),
    Hostile("template_syntax", f"{_m(7)} {{{{ request.user }}}} {{% debug %}} ${{7*7}}", _m(7)),
    Hostile("huge_string", f"{_m(8)} " + "Ø" * 200_000, _m(8)),
    Hostile("rtl_override", f"{_m(9)} \u202eexe.gpj\u202c fil fra \u2067kommunen\u2069", _m(9)),
    Hostile("zero_width", f"{_m(10)} s\u200bk\u200cr\u200di\ufeffv", _m(10)),
    Hostile("emoji", f"{_m(11)} 👩🏽‍🚒🇳🇴 brann i 🏠! 🤬🤬", _m(11)),
    Hostile("nul_bytes", f"{_m(12)} før\x00etter\x00", _m(12)),
    Hostile("lone_surrogate", f"{_m(13)} halv \ud800 surrogat", _m(13)),
    Hostile("norwegian", f"{_m(14)} Kjære Sørum kommune: Æ, Ø og Å – «sitat» … §13", _m(14)),
    Hostile(
        "html_in_author",
        f"{_m(15)} navnet er farlig",
        _m(15),
        author_name='<img src=x onerror="window.__hostile=15">',
    ),
    Hostile("control_chars", f"{_m(16)} \x07\x08\x1b[31mrød\x1b[0m\r\n\tny linje", _m(16)),
    Hostile(
        "css_injection",
        f'{_m(17)} <style>body{{display:none}}</style><div style="position:fixed">x</div>',
        _m(17),
    ),
    Hostile(
        "data_url",
        f'{_m(18)} <iframe src="data:text/html,<script>parent.__hostile=18</script>"></iframe>',
        _m(18),
    ),
    Hostile(
        "invalid_utf8_body",
        "",
        _m(19),
        raw_body=(
            b'{"id": 99019, "post": 1, "date_gmt": "2026-01-01T10:00:00", "content": {"raw": "\xff\xfe\xc3"}}'
        ),
    ),
)

# Markup that must never appear in a page as live markup (the base templates contain none of it).
FORBIDDEN_MARKUP = ("<script", "<svg", "<img", "<iframe", "<style>")
