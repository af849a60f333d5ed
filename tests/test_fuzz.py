"""Fuzz the loaders of untrusted input: briefs, catalogs and inline Markdown."""

from __future__ import annotations

import functools
import os
import re
import resource
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from polybrief.content import Brief, load_brief
from polybrief.errors import ProjectError
from polybrief.files import describe_control
from polybrief.i18n import MessageCatalog, load_catalog, parse_language
from polybrief.markdown import SAFE_LINK, markup_problem, render_inline, strip_inline

MINI = Path(__file__).resolve().parent / "fixtures" / "mini"
BRIEF_FILE = "content/mini/brief.yaml"
CATALOG_FILE = "locales/ru/LC_MESSAGES/mini.po"
BRIEF = (MINI / BRIEF_FILE).read_bytes()
CATALOG = (MINI / CATALOG_FILE).read_bytes()
RUSSIAN = parse_language("ru")

# `make test` runs a small fixed set of examples; POLYBRIEF_FUZZ_EXAMPLES=n (`make fuzz`)
# runs n examples per test from random seeds.
BUDGET = os.environ.get("POLYBRIEF_FUZZ_EXAMPLES")
FUZZ = settings(
    max_examples=int(BUDGET) if BUDGET else 150,
    derandomize=not BUDGET,
    deadline=5000,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

MB = 1024 * 1024
MEMORY_GROWTH = 500 * MB

# --- Pieces to mutate with ---------------------------------------------------------------

CHARACTERS = [
    b"\x00", b"\x01", b"\x08", b"\x0b", b"\x0c", b"\x1b", b"\x7f", b"\x85", b"\xc2\x85",
    b"\xc2\x9f", b"\r", b"\r\n", b"\n", b"\t", b"\xff", b"\xfe", b"\xc3", b"\xe2\x80",
    b"\xed\xa0\x80", b"\xf4\x90\x80\x80", "\u2028".encode(), "\u2029".encode(),
    "\ufeff".encode(), "\ufffe".encode(), "\U0001f30a".encode(), "жү".encode(), b" ", b"",
]
YAML_PIECES = [
    b"&a ", b"*a", b"[", b"]", b"{", b"}", b"!!python/object:os.system ",
    b"!!python/object/apply:os.system [ls]", b"!!python/name:os.system", b": ", b"- ", b"? ",
    b"|", b"|-\n", b">", b"'", b'"', b"#", b",", b"%YAML 1.1\n", b"%TAG ! tag:x,2000:\n",
    b"---\n", b"...\n", b"!!int ", b"!!str ", b"!!binary ", b"!!map ", b"!!seq ", b"!!null ",
    b"!local ", b"!<tag:x> ", b"~", b"<<: ", b"@", b"`", b"\\", b'"\\x01"', b'"\\0"',
    b'"\\ud800"', b'"\\U0010FFFF"', b"  ", b"\t- ",
]
PO_PIECES = [
    b"msgid ", b"msgstr ", b"msgstr[0] ", b"msgstr[2] ", b"msgstr[9] ", b"msgid_plural ",
    b"msgctxt ", b'"', b'""', b"\\", b"\\\\", b"\\n", b"\\t", b"\\r", b"\\f", b"\\v",
    b"\\a", b"\\x01", b"\\033", b"\\0", b"\\u0001", b'\\"', b"#~ ", b"#| ", b"#, fuzzy\n",
    b"#: x:1\n", b"#. ", b"#", b"\n\n", b"nplurals=", b"nplurals=2", b"plural=(",
    b"%s", b"{name}",
]

BRIEF_KEYS = [
    "id", "lang", "title", "subtitle", "date", "author", "publisher", "summary", "key_points",
    "countries", "sections", "sources", "max_pages", "heading", "blocks", "paragraph", "list",
    "table", "quote", "text", "context", "attribution", "header", "rows", "caption", "url",
    "unknown", "", "? [a]",
]
YAML_VALUES = [
    "", "~", "null", "[]", "{}", "[[]]", "[{}]", "mini", "Mini", "en", "xx", "zh-Hans", "e",
    "0", "-3", "2", "1.5", ".inf", ".nan", "0x1f", "0b101", "0o17", "017", "1:30", "1_000",
    "+5", "yes", "no", "2025-06-17", "2025-13-45", "2025-06-17T10:00:00Z", "!!int x",
    "!!int", "!!int [1]", "!!int {a: 1}", "!!float x", "!!timestamp x", "!!null x",
    "!!bool maybe", "!!str 12", "&a x", "*a", "'single'", '"double"', '"\\x01"', '"\\e"',
    '"\\0"', '"\\ud800"', '"\\u2028"', "|\n  block", ">-\n  folded", "{text: a, context: b}",
    "{text: a}", "{text: {text: a, context: b}, context: c}", "[KZ, kz, KZZ]", "[KZ, [KZ]]",
    "http://", "https://example.org", "javascript:alert(1)", "[paragraph: a]",
    "[{paragraph: a}, {list: [a, b]}]", "[{table: {header: [a], rows: [[a, b]]}}]",
    "[{quote: {text: a}}]", "[{heading: a, blocks: [{paragraph: b}]}]", "[{title: a}]",
    "**a**", "*" * 40 + "a" + "*" * 40, "[a](javascript:x)", "{漢字|かんじ}", "`a`", "x" * 300,
    "[" * 40 + "x" + "]" * 40, "{a: " * 40 + "b" + "}" * 40, "- " * 40 + "x",
]
PO_KEYWORDS = [
    "msgid", "msgstr", "msgstr[0]", "msgstr[1]", "msgstr[2]", "msgstr[3]", "msgstr[x]",
    "msgid_plural", "msgctxt", "#~ msgid", "#~ msgstr", "#~ msgctxt", "#| msgid", "#| ",
    "#~| msgid", "#, fuzzy", "#, python-format", "#:", "#.", "#", "", "msgid\t",
]
PO_STRINGS = [
    '""', '"text"', '"Реки степи"', '"a\\nb"', '"a\\tb"', '"\\r"', '"\\f"', '"\\v"',
    '"\\x01"', '"\\033"', '"\\a"', '"\\\\"', '"\\"', '"unterminated', '"a\\"', '"a"b"',
    "'single'", '"\\u0001"', '"\\q"', '"Rivers of the Steppe"', '"Background"',
    '"Plural-Forms: nplurals=3; plural=n;\\n"', '"Plural-Forms: nplurals=1; plural=0;\\n"',
    '"Plural-Forms: nplurals=x; plural=(;\\n"', '"Language: xx_YY\\n"', '"Language: \\n"',
    '"Content-Type: text/plain; charset=latin-1\\n"', '"Content-Type: ;;;\\n"',
    '"POT-Creation-Date: 2026-99-99 99:99+9999\\n"', '"PO-Revision-Date: x\\n"',
    '"%s {name} %(x)d"', '"' + "ж" * 300 + '"', "",
]

# --- Strategies --------------------------------------------------------------------------


def pieces(specials: list[bytes]) -> st.SearchStrategy[bytes]:
    """Draw a short run of bytes that a parser treats specially, or any short bytes."""
    return st.one_of(
        st.sampled_from(CHARACTERS + specials),
        st.binary(max_size=4),
        st.text(max_size=4).map(str.encode),
        st.lists(st.sampled_from(CHARACTERS + specials), min_size=2, max_size=6).map(b"".join),
    )


def yaml_lines() -> st.SearchStrategy[bytes]:
    """Draw one brief line: a known or odd field with an ordinary or hostile value."""
    return st.builds(
        lambda indent, item, key, value: f"{' ' * indent}{item}{key}: {value}".encode(),
        st.sampled_from([0, 0, 2, 4, 6, 8, 10, 1, 3]),
        st.sampled_from(["", "", "- "]),
        st.sampled_from(BRIEF_KEYS),
        st.sampled_from(YAML_VALUES),
    )


def po_lines() -> st.SearchStrategy[bytes]:
    """Draw one catalog line: a keyword or comment with an ordinary or hostile string."""
    return st.builds(
        lambda keyword, string: f"{keyword} {string}".strip(" ").encode(),
        st.sampled_from(PO_KEYWORDS),
        st.sampled_from(PO_STRINGS),
    )


def deep(openers: list[bytes], closers: list[bytes]) -> st.SearchStrategy[bytes]:
    """Draw a deep run of openers, sometimes closed again."""
    return st.builds(
        lambda opener, n, inner, closer, closed: opener * n + inner + (closer * n if closed
                                                                      else b""),
        st.sampled_from(openers), st.integers(1, 300), st.sampled_from([b"", b"a", b"x: y"]),
        st.sampled_from(closers), st.booleans(),
    )


@st.composite
def mutated(draw: st.DrawFn, base: bytes, specials: list[bytes],
            lines: st.SearchStrategy[bytes], nesting: st.SearchStrategy[bytes]) -> bytes:
    """Draw a valid file with one to five mutations applied to it."""
    data = base
    for _ in range(draw(st.integers(1, 5))):
        rows = data.split(b"\n")
        row = draw(st.integers(0, len(rows) - 1))
        at = draw(st.integers(0, len(data)))
        match draw(st.sampled_from(["insert", "insert-at-line", "replace", "add", "duplicate",
                                    "delete", "swap", "truncate", "nest"])):
            case "insert":
                data = data[:at] + draw(pieces(specials)) + data[at:]
            case "insert-at-line":
                rows[row] = draw(pieces(specials)) + rows[row]
                data = b"\n".join(rows)
            case "replace":
                rows[row] = draw(st.one_of(lines, pieces(specials)))
                data = b"\n".join(rows)
            case "add":
                rows.insert(row, draw(lines))
                data = b"\n".join(rows)
            case "duplicate":
                rows.insert(row, rows[row])
                data = b"\n".join(rows)
            case "delete":
                del rows[row]
                data = b"\n".join(rows)
            case "swap":
                other = draw(st.integers(0, len(rows) - 1))
                rows[row], rows[other] = rows[other], rows[row]
                data = b"\n".join(rows)
            case "truncate":
                data = data[:at]
            case "nest":
                data = data[:at] + draw(nesting) + data[at:]
    return data


BRIEFS = mutated(
    BRIEF, YAML_PIECES, yaml_lines(),
    deep([b"[", b"{", b"- ", b"{a: ", b"[{", b"? ", b"{? ", b"[a, ", b"!!seq ["],
         [b"]", b"}", b"", b"]}"]))
CATALOGS = mutated(
    CATALOG, PO_PIECES, po_lines(),
    deep([b"msgid ", b'"', b"\\", b"#~ ", b'msgid "a"\nmsgstr "b"\n', b"\n"], [b'"', b""]))

MARKDOWN_ALPHABET = "*_[]()`{}|!<>\\#&;:/ \n\tabcXYZ09.-=漢字かんじжү"
MARKDOWN_RUNS = [
    "*", "_", "**", "__", "*a", "_a_", "[", "]", "[a](", "](#)", "[a](#)", "![", "(", ")",
    "`", "``", "{", "}", "{a|", "|b}", "<", "<a>", "<script>", "\\", "\\*", "&amp;", "&#0;",
    "*_", "_*", "**_", "[*", "*]", "javascript:", "https://", "mailto:", "  \n",
]
MARKDOWN = st.lists(
    st.one_of(
        st.text(alphabet=MARKDOWN_ALPHABET, max_size=40),
        st.builds(lambda run, n: run * n, st.sampled_from(MARKDOWN_RUNS), st.integers(1, 400)),
        st.builds(lambda left, right, n, middle: left * n + middle + right * n,
                  st.sampled_from(["*", "_", "**", "[", "*[", "_[", "{", "`", "*_"]),
                  st.sampled_from(["*", "_", "**", "](#)", "](https://a.b)*", "]_", "}", "`"]),
                  st.integers(1, 200), st.sampled_from(["a", "a|b", " ", ""])),
    ),
    max_size=8,
).map("".join)

# --- Checks ------------------------------------------------------------------------------


def peak_memory() -> int:
    """Return the peak resident memory of this process in bytes."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def bounded_memory(test):
    """Fail a test whose examples together raise the peak memory by MEMORY_GROWTH or more."""
    @functools.wraps(test)
    def run(*args, **kwargs):
        before = peak_memory()
        test(*args, **kwargs)
        grown = peak_memory() - before
        assert grown < MEMORY_GROWTH, f"peak memory grew by {grown // MB} MB"
    return run


def check_located(error: ProjectError, display: str, data: bytes) -> None:
    """Assert that every problem names the file and, where located, a place inside it."""
    assert error.problems
    lines = data.count(b"\n") + 1
    for problem in error.problems:
        assert problem.path == display, problem
        assert isinstance(problem.message, str) and problem.message, problem
        # libyaml puts the end of a file without a final newline on the line after it.
        end = lines + (problem.column == 1 and not data.endswith(b"\n"))
        assert problem.line is None or 1 <= problem.line <= end, (problem, lines)
        assert problem.column is None or problem.column >= 1, problem
        event("located" if problem.line is not None else f"whole file: {problem.message}")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project folder that holds the one brief and the one catalog being fuzzed."""
    root = tmp_path_factory.mktemp("fuzz")
    (root / BRIEF_FILE).parent.mkdir(parents=True)
    (root / CATALOG_FILE).parent.mkdir(parents=True)
    return root


# --- Tests -------------------------------------------------------------------------------


@bounded_memory
@FUZZ
@given(source=BRIEFS)
@example(source=BRIEF)
@example(source=b"")
@example(source=b"max_pages: 0x10\n")
@example(source=b"max_pages: !!int [1]\n")
@example(source=b"\xe2\x80\xa8\xe2\x80\xa8id: x\n")
@example(source=BRIEF.replace(b"author: Test Desk", b"author: \"Test\\x01 Desk\""))
def test_brief_loader_gives_a_located_error_or_a_brief_for_any_mutation(
        project: Path, source: bytes) -> None:
    """Load a mutated brief: a brief or a ProjectError located in the file, nothing else."""
    (project / BRIEF_FILE).write_bytes(source)
    try:
        brief = load_brief(project / BRIEF_FILE, BRIEF_FILE, project)
    except ProjectError as error:
        check_located(error, BRIEF_FILE, source)
    else:
        assert isinstance(brief, Brief) and brief.path == BRIEF_FILE
        assert not any(describe_control(text.value) for text in brief.texts())
        event("loaded")


@bounded_memory
@FUZZ
@given(source=CATALOGS)
@example(source=CATALOG)
@example(source=b"")
@example(source=b'msgid_plural ""\n')
@example(source=b"\xe2\x80\xa8m")
def test_catalog_loader_gives_a_located_error_or_a_catalog_for_any_mutation(
        project: Path, source: bytes) -> None:
    """Load a mutated catalog: a catalog or a ProjectError naming the file, nothing else."""
    (project / CATALOG_FILE).write_bytes(source)
    try:
        catalog = load_catalog(project / CATALOG_FILE, CATALOG_FILE, "mini", RUSSIAN, project)
    except ProjectError as error:
        check_located(error, CATALOG_FILE, source)
    else:
        assert isinstance(catalog, MessageCatalog) and catalog.display == CATALOG_FILE
        event("loaded")


ALLOWED_TAGS = {"em", "strong", "a", "code", "ruby", "rp", "rt", "br"}


@bounded_memory
@FUZZ
@given(source=MARKDOWN)
@example(source="*" * 20 + "a" + "*" * 20)
@example(source="[" * 2000)
def test_inline_markdown_renders_whatever_the_nesting_check_accepts(source: str) -> None:
    """Check any text: refused with a reason, or rendered with safe tags and links only."""
    problem = markup_problem(source)
    assert problem is None or isinstance(problem, str) and problem
    if problem is not None:
        event("refused")
        return
    html = render_inline(source)
    assert isinstance(html, str)
    assert isinstance(strip_inline(source), str)
    for tag in re.findall(r"</?([A-Za-z][^\s/>]*)", html):
        assert tag in ALLOWED_TAGS, (tag, html)
    for href in re.findall(r'href="([^"]*)"', html):
        assert not href or SAFE_LINK.match(href), (href, html)
    event("rendered")
