"""Publishing metadata: the PDF as an alternate, and with base_url canonical and Open Graph."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
from pathlib import Path
from xml.etree import ElementTree

import html5lib
import pytest

from conftest import ROOT, run, tree_digest


@pytest.fixture
def project(tmp_path: Path) -> Path:
    folder = tmp_path / "p"
    assert run(tmp_path, "new", str(folder), "--source", "ja", "--languages", "en,ar",
               "-q") == 0
    return folder


def set_base_url(project: Path, value: str) -> None:
    config = project / "pyproject.toml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        'paper = "A4"\n', f'paper = "A4"\nbase_url = "{value}"\n'), encoding="utf-8")


def test_every_page_names_its_pdf_and_only_a_published_one_has_a_canonical(project):
    assert run(project, "build", "-q") == 0
    page = (project / "dist/en/example.html").read_text(encoding="utf-8")
    assert ('<link rel="alternate" type="application/pdf" hreflang="en" '
            'href="example.en.pdf">') in page
    assert "canonical" not in page and "og:" not in page


def test_base_url_gives_canonical_and_open_graph(project):
    set_base_url(project, "https://example.org/briefs")
    assert run(project, "build", "-q") == 0
    page = (project / "dist/ar/example.html").read_text(encoding="utf-8")
    html5lib.HTMLParser(strict=True).parse(page)
    assert '<link rel="canonical" href="https://example.org/briefs/ar/example.html">' in page
    assert '<meta property="og:url" content="https://example.org/briefs/ar/example.html">' \
        in page
    assert '<meta property="og:locale" content="ar_EG">' in page
    assert re.findall(r'og:locale:alternate" content="([^"]+)"', page) == ["ja_JP", "en_US"]
    assert '<meta property="og:type" content="article">' in page
    assert re.search(r'<meta property="og:title" content="[^"]+">', page)


@pytest.mark.parametrize("value", ["http://example.org/", "example.org", "https://",
                                   "https://example.org/a b", "javascript:alert(1)"])
def test_a_bad_base_url_is_one_line_naming_the_key(project, capsys, value):
    assert run(project, "build", "-q") == 0
    before = tree_digest(project / "dist")
    set_base_url(project, value)
    assert run(project, "build") == 1
    err = capsys.readouterr().err
    assert re.search(r"error: pyproject\.toml:\d+: \[tool\.polybrief\] 'base_url' must be an "
                     r"absolute https URL", err), err
    assert tree_digest(project / "dist") == before


# --- The publishable site: indexes, feeds, sitemap -------------------------------------

SITEMAP_XSD = ROOT / ".stamps/axe/node_modules/sitemap/schema/sitemap.xsd"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """A project of two briefs, the older translated into Arabic, built with a base_url."""
    tmp = tmp_path_factory.mktemp("site")
    folder = tmp / "p"
    assert run(tmp, "new", str(folder), "--source", "en", "--languages", "ja,ar", "-q") == 0
    older = folder / "content/older"
    older.mkdir()
    text = (folder / "content/example/brief.yaml").read_text(encoding="utf-8")
    text = re.sub(r"(?m)^id: example$", "id: older", text)
    text = re.sub(r"(?m)^date: .*$", "date: 2024-03-01", text)
    text = re.sub(r'(?m)^title: .*$', 'title: "An older brief"', text)
    (older / "brief.yaml").write_text(text, encoding="utf-8")
    set_base_url(folder, "https://example.org/briefs/")
    assert run(folder, "update", "-q") == 0
    assert run(folder, "build", "-q") == 0
    return folder


def test_each_language_has_an_index_of_its_briefs_newest_first(site):
    page = (site / "dist/ja/index.html").read_text(encoding="utf-8")
    html5lib.HTMLParser(strict=True).parse(page)
    links = re.findall(r'<h2 id="brief-\d+"><a href="([^"]+)"', page)
    assert links == ["../ja/example.html", "../ja/older.html"]
    assert page.index("2026") < page.index("2024")   # the example is dated today
    # Untranslated briefs say so, and their titles keep the source's language.
    assert page.count('class="draft-notice"') == 2
    assert '<a href="../ja/older.html" lang="en">An older brief</a>' in page
    assert 'href="../ja/older.ja.pdf" type="application/pdf">PDF</a>' in page


def test_the_language_indexes_switch_between_each_other_and_name_the_feed(site):
    page = (site / "dist/ar/index.html").read_text(encoding="utf-8")
    assert re.findall(r'<li><a href="([^"]+)" hreflang', page) == [
        "../en/index.html", "../ja/index.html", "../ar/index.html"]
    assert 'href="../ar/index.html" hreflang="ar" lang="ar" dir="rtl" aria-current="page"' \
        in page
    assert '<link rel="alternate" type="application/atom+xml" href="feed.xml"' in page
    assert '<link rel="alternate" hreflang="x-default" href="../index.html">' in page
    assert '<link rel="canonical" href="https://example.org/briefs/ar/index.html">' in page


def test_the_root_index_links_every_language_index_and_every_file(site):
    page = (site / "dist/index.html").read_text(encoding="utf-8")
    html5lib.HTMLParser(strict=True).parse(page)
    assert re.findall(r'<li><a href="([^"]+)" hreflang', page) == [
        "en/index.html", "ja/index.html", "ar/index.html"]
    assert 'href="ar/older.ar.pdf"' in page and 'href="en/example.html"' in page


def test_a_brief_links_back_to_its_language_index(site):
    page = (site / "dist/ja/example.html").read_text(encoding="utf-8")
    assert '<a class="home-link" href="index.html">' in page


def test_every_relative_link_names_a_file_of_the_site(site):
    """What a sub-path (https://example.org/briefs/) and file:// both need: no link from
    the server's root, none to a folder, and every target in dist/."""
    dist = site / "dist"
    checked = 0
    for page in dist.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        for attribute, target in re.findall(r'\b(href|src)="([^"#][^"]*)"', text):
            if re.match(r"(https?|mailto|data):", target):
                continue
            assert not target.startswith("/"), (page, target)
            resolved = (page.parent / target.split("#")[0]).resolve()
            assert resolved.is_file(), f"{page.relative_to(dist)}: {attribute}={target}"
            assert dist.resolve() in resolved.parents
            checked += 1
    assert checked > 40


def test_the_sitemap_validates_against_its_schema_and_lists_every_alternate(site):
    if not SITEMAP_XSD.is_file():
        if "POLYBRIEF_AXE" in os.environ:
            pytest.fail("make test should have installed sitemap.js's XSD")
        pytest.skip("the sitemap's XSD comes with 'make test'")
    schema = _sitemap_schema()
    data = (site / "dist/sitemap.xml").read_bytes()
    schema.validate(data.decode("utf-8"))
    tree = ElementTree.fromstring(data)
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9",
          "x": "http://www.w3.org/1999/xhtml"}
    urls = {url.findtext("s:loc", namespaces=ns): url for url in tree.findall("s:url", ns)}
    base = "https://example.org/briefs/"
    for tag in ("en", "ja", "ar"):
        for rel in (f"{tag}/example.html", f"{tag}/older.{tag}.pdf", f"{tag}/index.html"):
            assert base + rel in urls, rel
    page = urls[base + "ar/example.html"]
    assert page.findtext("s:lastmod", namespaces=ns) == dt.date.today().isoformat()
    alternates = {link.get("hreflang"): link.get("href")
                  for link in page.findall("x:link", ns)}
    assert alternates == {tag: f"{base}{tag}/example.html" for tag in ("en", "ja", "ar")} | {
        "x-default": f"{base}en/example.html"}   # the source's, as the page itself says
    index = {link.get("hreflang"): link.get("href")
             for link in urls[base + "ja/index.html"].findall("x:link", ns)}
    assert index["x-default"] == base + "index.html" and index["ar"] == base + "ar/index.html"
    pdf = {link.get("hreflang") for link in urls[base + "ja/older.ja.pdf"].findall("x:link", ns)}
    assert pdf == {"en", "ja", "ar"}
    # Each URL of the sitemap is a file of the site.
    for loc in urls:
        assert (site / "dist" / loc.removeprefix(base)).is_file(), loc


def test_the_schema_check_rejects_a_broken_sitemap(site):
    if not SITEMAP_XSD.is_file():
        pytest.skip("the sitemap's XSD comes with 'make test'")
    schema = _sitemap_schema()
    data = (site / "dist/sitemap.xml").read_text(encoding="utf-8")
    for broken in (data.replace("<loc>", "<location>", 1).replace("</loc>", "</location>", 1),
                   data.replace('rel="alternate"', 'rel="alternate" color="red"', 1),
                   data.replace("<lastmod>", "<lastmod>June ", 1)):
        assert not schema.is_valid(broken)


def _sitemap_schema():
    import xmlschema

    xhtml = Path(xmlschema.__file__).parent / "schemas/XHTML/xhtml1-strict.xsd"
    return xmlschema.XMLSchema(str(SITEMAP_XSD),
                               locations=[("http://www.w3.org/1999/xhtml", str(xhtml))])


def test_each_language_has_an_atom_feed_with_the_pdfs_as_enclosures(site):
    import feedparser

    data = (site / "dist/ar/feed.xml").read_bytes()
    feed = feedparser.parse(data)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert feed.feed.id == "https://example.org/briefs/ar/feed.xml"
    assert feed.feed.language == "ar"
    assert [entry.link for entry in feed.entries] == [
        "https://example.org/briefs/ar/example.html", "https://example.org/briefs/ar/older.html"]
    for entry in feed.entries:
        assert entry.id == entry.link and entry.title and entry.summary
        assert entry.updated_parsed and entry.author
        (enclosure,) = entry.enclosures
        assert enclosure.type == "application/pdf"
        pdf = site / "dist" / enclosure.href.removeprefix("https://example.org/briefs/")
        assert int(enclosure.length) == pdf.stat().st_size
    # What RFC 4287 requires once per feed, which feedparser forgives.
    tree = ElementTree.fromstring(data)
    atom = "{http://www.w3.org/2005/Atom}"
    for name in ("id", "title", "updated"):
        assert len(tree.findall(atom + name)) == 1, name
    assert tree.find(f"{atom}link[@rel='self']").get("href") == feed.feed.id


def test_without_base_url_the_feeds_and_sitemap_are_left_out(site, tmp_path):
    folder = tmp_path / "p"
    shutil.copytree(site, folder)
    config = folder / "pyproject.toml"
    config.write_text(re.sub(r'base_url = "[^"]+"\n', "", config.read_text(encoding="utf-8")),
                      encoding="utf-8")
    assert run(folder, "build", "-q") == 0
    dist = folder / "dist"
    assert not (dist / "sitemap.xml").exists() and not list(dist.glob("*/feed.xml"))
    assert "atom+xml" not in (dist / "en/index.html").read_text(encoding="utf-8")
    assert (dist / "en/index.html").is_file()


def test_the_site_files_are_the_same_bytes_every_build(site, tmp_path):
    folder = tmp_path / "p"
    shutil.copytree(site, folder)
    before = tree_digest(folder / "dist")
    assert run(folder, "build", "-q", "--force") == 0
    assert tree_digest(folder / "dist") == before


def test_markup_in_a_title_stays_text_in_the_indexes_the_feed_and_the_sitemap(site, tmp_path):
    import feedparser

    folder = tmp_path / "p"
    shutil.copytree(site, folder)
    brief = folder / "content/older/brief.yaml"
    brief.write_text(brief.read_text(encoding="utf-8").replace(
        'title: "An older brief"', "title: '<script>alert(1)</script> & \"Q\" ]]>'"),
        encoding="utf-8")
    assert run(folder, "build", "-q") == 0
    dist = folder / "dist"
    for page in ("index.html", "ja/index.html"):
        text = (dist / page).read_text(encoding="utf-8")
        assert "<script>" not in text
        assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;Q&#34; ]]&gt;" in text \
            or "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Q&quot; ]]&gt;" in text
    feed = feedparser.parse((dist / "ja/feed.xml").read_bytes())
    assert not feed.bozo
    assert feed.entries[1].title == '<script>alert(1)</script> & "Q" ]]>'
    ElementTree.fromstring((dist / "sitemap.xml").read_bytes())
