"""Project settings: the ``[tool.polybrief]`` table of ``pyproject.toml``."""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path

from .errors import Problem, Problems, ProjectError
from .files import excerpt, inside, plain_relative, read_text
from .fonts import FontStack, default_stack
from .i18n import Language, parse_language
from .layouts import DEFAULT_LAYOUT, LAYOUTS
from .tagging import DEFAULT_STANDARDS, standards_problem
from .theme import Theme, load_theme

PAPER_SIZES = ("A3", "A4", "A5", "B4", "B5", "letter", "legal", "ledger")
FONT_ROLES = ("serif", "sans")
FAMILY = re.compile(r"[\w][\w .\-]*")
KNOWN_KEYS = ("languages", "out_dir", "paper", "fonts", "min_coverage", "compact_fonts",
              "pdf_standards", "theme", "base_url", "layout")


@dataclass(frozen=True)
class Config:
    """Validated project settings."""

    root: Path
    languages: tuple[Language, ...]
    out_dir: Path
    paper: str = "A4"
    fonts: dict[str, FontStack] = field(default_factory=dict)
    min_coverage: dict[str, float] = field(default_factory=dict)
    compact_fonts: bool = True
    pdf_standards: tuple[str, ...] = DEFAULT_STANDARDS
    digest: str = ""
    theme: Theme = field(default_factory=Theme)
    base_url: str | None = None   # where dist/ is published: https://…/, ending in /
    layout: str = DEFAULT_LAYOUT  # of the briefs that do not name one

    @property
    def content_dir(self) -> Path:
        return self.root / "content"

    @property
    def locales_dir(self) -> Path:
        return self.root / "locales"

    @property
    def templates_dir(self) -> Path:
        return self.root / "templates"

    def required_coverage(self, language: Language) -> float:
        """The share of segments (0–100) a language must have translated to be built."""
        return self.min_coverage.get(language.tag, self.min_coverage.get("*", 0.0))

    def with_pdf_standards(self, standards: tuple[str, ...]) -> Config:
        """These settings with the PDF standards given on the command line."""
        if problem := standards_problem(standards):
            raise ProjectError(Problem("--pdf-standard", problem))
        digest = hashlib.sha256(f"{self.digest}:{','.join(standards)}".encode()).hexdigest()
        return replace(self, pdf_standards=tuple(standards), digest=digest)

    def fonts_for(self, language: Language) -> FontStack | None:
        """The font stack configured for a language, else for its script, else the
        installed Noto families that cover it."""
        return (self.fonts.get(language.tag) or self.fonts.get(language.script)
                or default_stack(language))


def line_of(text: str, key: str) -> int | None:
    """Find the line a key is set on, for messages about values tomllib accepted."""
    pattern = re.compile(rf'^\s*"?{re.escape(key)}"?\s*=', re.MULTILINE)
    match = pattern.search(text)
    return text.count("\n", 0, match.start()) + 1 if match else None


def load_config(root: Path) -> Config:
    """Read and validate ``[tool.polybrief]``; raise ProjectError on any problem."""
    path = root / "pyproject.toml"
    name = "pyproject.toml"
    if not path.exists() and not path.is_symlink():
        raise ProjectError(Problem(name, "no pyproject.toml in the project root"))
    text = read_text(path, root, name, "config")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        line, col = (int(match[1]), int(match[2])) if match else (None, None)
        if "(at end of document)" in str(exc):
            line = text.count("\n") + 1
        message = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", str(exc))
        raise ProjectError(Problem(name, message, line, col)) from None
    tool = data.get("tool", {})
    table = tool.get("polybrief") if isinstance(tool, dict) else None
    if not isinstance(table, dict):
        raise ProjectError(Problem(name, "missing the [tool.polybrief] table"))

    problems = Problems()

    def bad(key: str, message: str) -> None:
        problems.add(name, f"[tool.polybrief] {message}", line_of(text, key.split(".")[-1]))

    for key in table:
        if key not in KNOWN_KEYS:
            bad(key, f"unknown key '{key}' (known: {', '.join(KNOWN_KEYS)})")

    languages: list[Language] = []
    tags = table.get("languages")
    if not isinstance(tags, list) or not tags or not all(isinstance(t, str) for t in tags):
        bad("languages", "'languages' must be a non-empty list of BCP 47 tags")
    else:
        for tag in tags:
            try:
                language = parse_language(tag)
            except ValueError as exc:
                bad("languages", f"'languages': {exc}")
                continue
            if language in languages:
                bad("languages", f"'languages': '{tag}' is listed twice")
            languages.append(language)

    out_dir = table.get("out_dir", "dist")
    if not isinstance(out_dir, str) or plain_relative(out_dir.rstrip("/")) is None:
        bad("out_dir", "'out_dir' must be a folder inside the project, such as \"dist\" "
                       "(to build elsewhere, use --out)")
        out_dir = "dist"
    elif inside(root / out_dir, root) is None:
        bad("out_dir", f"'out_dir' {excerpt(out_dir)} is a link to a folder outside the "
                       f"project (to build elsewhere, use --out)")

    paper = table.get("paper", "A4")
    if paper not in PAPER_SIZES:
        bad("paper", f"'paper' must be one of {', '.join(PAPER_SIZES)} "
            f"(got {excerpt(paper)})")

    fonts = _load_fonts(table.get("fonts", {}), bad)
    min_coverage = _load_min_coverage(table.get("min_coverage", {}), languages, bad)
    compact_fonts = table.get("compact_fonts", True)
    if not isinstance(compact_fonts, bool):
        bad("compact_fonts", "'compact_fonts' must be true or false")
    pdf_standards = table.get("pdf_standards", list(DEFAULT_STANDARDS))
    if problem := standards_problem(pdf_standards):
        bad("pdf_standards", f"'pdf_standards' {problem}")
        pdf_standards = DEFAULT_STANDARDS
    base_url = table.get("base_url")
    if base_url is not None:
        if not isinstance(base_url, str) or not re.fullmatch(
                r"https://[A-Za-z0-9.-]+(?::\d+)?(?:/[A-Za-z0-9._~%!$&'()*+,;=:@/-]*)?", base_url):
            bad("base_url", f"'base_url' must be an absolute https URL such as "
                            f"\"https://example.org/briefs/\" (got {excerpt(base_url)})")
            base_url = None
        else:
            base_url = base_url.rstrip("/") + "/"
    layout = table.get("layout", DEFAULT_LAYOUT)
    if layout not in LAYOUTS:
        bad("layout", f"'layout' must be one of {', '.join(LAYOUTS)} (got {excerpt(layout)})")
        layout = DEFAULT_LAYOUT
    theme = load_theme(table.get("theme"), root, bad)
    problems.raise_if_any()
    digest = hashlib.sha256(json.dumps(table, sort_keys=True, default=str).encode()
                            + theme.digest.encode()).hexdigest()   # the logo's bytes too
    return Config(root=root, languages=tuple(languages), out_dir=root / out_dir,
                  paper=paper, fonts=fonts, min_coverage=min_coverage,
                  compact_fonts=compact_fonts is not False,
                  pdf_standards=tuple(pdf_standards), digest=digest, theme=theme,
                  base_url=base_url, layout=layout)


def _load_min_coverage(value: object, languages: list[Language], bad) -> dict[str, float]:
    """A percentage for every language, or a table of percentages per language tag."""
    def percent(v: object) -> bool:
        return isinstance(v, int | float) and not isinstance(v, bool) and 0 <= v <= 100

    if percent(value):
        return {"*": float(value)}
    if not isinstance(value, dict):
        bad("min_coverage", "'min_coverage' must be a percentage or a table of them per language")
        return {}
    tags = {language.tag for language in languages}
    result = {}
    for tag, v in value.items():
        if tag not in tags:
            bad("min_coverage", f"'min_coverage.{tag}': '{tag}' is not in 'languages'")
        elif not percent(v):
            bad("min_coverage", f"'min_coverage.{tag}' must be a percentage from 0 to 100")
        else:
            result[tag] = float(v)
    return result


def _load_fonts(table: object, bad) -> dict[str, FontStack]:
    if not isinstance(table, dict):
        bad("fonts", "'fonts' must be a table of language tags or scripts")
        return {}
    fonts: dict[str, FontStack] = {}
    for key, stack in table.items():
        if not re.fullmatch(r"[A-Z][a-z]{3}", key):
            try:
                parse_language(key)
            except ValueError as exc:
                bad(f"fonts.{key}", f"'fonts.{key}': not a language tag or ISO 15924 script: {exc}")
                continue
        if not isinstance(stack, dict) or set(stack) - set(FONT_ROLES) or not stack:
            bad(f"fonts.{key}", f"'fonts.{key}' must set {' and/or '.join(FONT_ROLES)}")
            continue
        roles = {}
        for role in FONT_ROLES:
            families = stack.get(role, stack.get("sans" if role == "serif" else "serif"))
            if isinstance(families, str):
                families = [families]
            if not isinstance(families, list) or not all(
                    isinstance(f, str) and FAMILY.fullmatch(f) for f in families):
                bad(f"fonts.{key}", f"'fonts.{key}.{role}' must be a list of font family names")
                break
            roles[role] = tuple(families)
        else:
            fonts[key] = FontStack(**roles)
    return fonts

