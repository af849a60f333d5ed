"""An organisation's look: ``[tool.polybrief.theme]``.

Keys: ``organisation`` (its name), ``logo`` (an SVG or PNG file of the project; a
language's own file such as ``logo.ar.svg`` beside it is used for that language),
``primary`` and ``accent`` (CSS hex colours: headings and rules, links and labels),
``licence`` (``CC BY 4.0``), ``contact`` (an https URL) and ``colophon`` (a sentence).
Colours must reach WCAG AA contrast (4.5:1) for text on the page and on the boxes of
the summary and callouts; the logo is checked as a figure is. The organisation's name,
licence and colophon go to translators in the UI catalog.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from .files import excerpt, inside, plain_relative, read_bytes

KEYS = ("organisation", "logo", "primary", "accent", "licence", "contact", "colophon")
HEX = re.compile(r"#(?:[0-9a-fA-F]{3}){1,2}")
PAGE, PANEL = "#ffffff", "#f4f1ea"     # the page and the summary and callout boxes
AA = 4.5
LOGO_KINDS = {".svg": "image/svg+xml", ".png": "image/png"}
TEXT_KEYS = ("organisation", "licence", "colophon")   # shown to readers, translated


@dataclass(frozen=True)
class Logo:
    display: str
    mime: str
    data: bytes


@dataclass(frozen=True)
class Theme:
    organisation: str | None = None
    primary: str | None = None
    accent: str | None = None
    licence: str | None = None
    contact: str | None = None
    colophon: str | None = None
    logos: dict[str, Logo] = field(default_factory=dict)   # "" for the shared file
    digest: str = ""

    def logo_for(self, tag: str) -> Logo | None:
        return self.logos.get(tag) or self.logos.get("")


def contrast(foreground: str, background: str) -> float:
    """The WCAG contrast ratio of two hex colours."""
    def luminance(colour: str) -> float:
        digits = colour[1:]
        if len(digits) == 3:
            digits = "".join(d * 2 for d in digits)
        channels = [int(digits[i:i + 2], 16) / 255 for i in (0, 2, 4)]
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
                  for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    lighter, darker = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def load_theme(table: object, root: Path, bad) -> Theme:
    """Read and check ``[tool.polybrief.theme]``; ``bad(key, message)`` reports."""
    if table is None:
        return Theme()
    if not isinstance(table, dict):
        bad("theme", "'theme' must be a table of " + ", ".join(KEYS))
        return Theme()
    for key in table:
        if key not in KEYS:
            bad(key, f"'theme.{key}' is not a theme key (known: {', '.join(KEYS)})")
    values: dict[str, str | None] = {}
    for key in ("organisation", "licence", "colophon", "primary", "accent", "contact",
                "logo"):
        value = table.get(key)
        if value is not None and (not isinstance(value, str) or not value.strip()
                                  or len(value) > 500):
            bad(key, f"'theme.{key}' must be a non-empty string")
            value = None
        values[key] = value.strip() if value else None
    for key in ("primary", "accent"):
        colour = values[key]
        if colour is None:
            continue
        if not HEX.fullmatch(colour):
            bad(key, f"'theme.{key}' must be a CSS hex colour such as #1d5f8a "
                     f"(got {excerpt(colour)})")
            values[key] = None
            continue
        for background, where in ((PAGE, "the page"), (PANEL, "the summary and callout "
                                                               "boxes")):
            ratio = contrast(colour, background)
            if ratio < AA:
                bad(key, f"'theme.{key}' {colour} has a contrast of {ratio:.2f}:1 on "
                         f"{where} ({background}); WCAG AA needs {AA}:1 for text")
                values[key] = None
                break
    contact = values["contact"]
    if contact is not None and not re.fullmatch(r"https://[^\s\"'<>]+|mailto:[^\s\"'<>]+",
                                                contact):
        bad("contact", f"'theme.contact' must be an https: or mailto: address "
                       f"(got {excerpt(contact)})")
        values["contact"] = None
    if values["logo"] and not values["organisation"]:
        bad("logo", "'theme.logo' needs 'theme.organisation': the name is the logo's text "
                    "alternative")
    logos = _logos(values["logo"], root, bad) if values["logo"] else {}
    digest = hashlib.sha256(repr(sorted((k, v) for k, v in values.items())).encode()
                            + b"".join(logo.data for _, logo in sorted(logos.items())))
    return Theme(values["organisation"], values["primary"], values["accent"],
                 values["licence"], values["contact"], values["colophon"], logos,
                 digest.hexdigest())


def _logos(src: str, root: Path, bad) -> dict[str, Logo]:
    """The logo file and every language's own (``logo.ar.svg``), read and checked."""
    from .errors import ProjectError
    from .figures import check_image

    path = Path(src)
    suffix = path.suffix.lower()
    if plain_relative(src) is None or suffix not in LOGO_KINDS:
        bad("logo", f"'theme.logo' must be an SVG or PNG file of the project "
                    f"(got {excerpt(src)})")
        return {}
    folder = root / path.parent
    candidates = {"": root / path}
    if folder.is_dir():
        tag = r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*"
        pattern = re.compile(rf"{re.escape(path.stem)}\.({tag}){re.escape(path.suffix)}")
        for sibling in sorted(folder.iterdir()):
            if match := pattern.fullmatch(sibling.name):
                candidates[match[1]] = sibling
    logos = {}
    for tag, file in candidates.items():
        display = file.relative_to(root).as_posix()
        if inside(file, root) is None:
            bad("logo", f"'theme.logo' {display} is a link to a file outside the project")
            continue
        try:
            data = read_bytes(file, root, display, "asset")
        except ProjectError as exc:
            bad("logo", f"'theme.logo' {display}: {exc.problems[0].message}")
            continue
        why, _ = check_image(data, suffix)
        if why:
            bad("logo", f"'theme.logo' {display} {why}")
            continue
        logos[tag] = Logo(display, LOGO_KINDS[suffix], data)
    return logos


def theme_view(theme: Theme, language, translations) -> dict:
    """The theme as templates see it, its words translated by the UI catalog's
    ``translations`` (no formatting: a colophon may hold a % sign)."""
    import base64

    from markupsafe import Markup, escape

    def text(value: str | None):
        return escape(translations.gettext(value)) if value else None

    logo = theme.logo_for(language.tag)
    return {"organisation": text(theme.organisation), "licence": text(theme.licence),
            "colophon": text(theme.colophon), "contact": theme.contact,
            "contact_link": Markup('<a href="%s">%s</a>') % (
                theme.contact, theme.contact.removeprefix("mailto:")) if theme.contact else None,
            "primary": theme.primary, "accent": theme.accent,
            "logo": f"data:{logo.mime};base64,{base64.b64encode(logo.data).decode('ascii')}"
            if logo else None}
