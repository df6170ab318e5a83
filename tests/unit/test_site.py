"""The site folder: the pages and every report file they link, in one folder that stands on its own."""

from __future__ import annotations

from helpers.publish.render.site import SITE_DIR, complete_site, links


def _report(tmp_path):
    report = tmp_path / "2018"
    (report / SITE_DIR).mkdir(parents=True)
    (report / "data" / "03_policy").mkdir(parents=True)
    (report / "data" / "03_policy" / "tabel-3-1.csv").write_text("a\n")
    (report / "data" / "03_policy" / "unused.csv").write_text("b\n")
    (report / "monitor_2018.pdf").write_bytes(b"%PDF")
    (report / "indicators.csv").write_text("x\n")
    (report / SITE_DIR / "index.html").write_text(
        '<a href="03_policy.html#fig-3-1">3</a> <a href="monitor_2018.pdf">PDF</a> '
        '<a href="indicators.csv">i</a> <a href="https://www.kis.nl/">web</a> <a href="#top">top</a> '
        '<img src="data:image/png;base64,AAAA"> <a href="../../elsewhere.txt">out</a>'
    )
    (report / SITE_DIR / "03_policy.html").write_text('<a href="data/03_policy/tabel-3-1.csv?x=1">csv</a>')
    return report


def test_linked_report_files_are_copied_beside_the_pages_and_nothing_else(tmp_path):
    report = _report(tmp_path)
    site = complete_site(report)
    assert site == report / SITE_DIR
    for name in ("monitor_2018.pdf", "indicators.csv", "data/03_policy/tabel-3-1.csv"):
        assert (site / name).read_bytes() == (report / name).read_bytes(), name
    assert not (site / "data" / "03_policy" / "unused.csv").exists()  # not linked: not shipped
    assert not (tmp_path / "elsewhere.txt").exists() and not (site / "elsewhere.txt").exists()
    index = (site / "index.html").read_text()
    assert links(index) == ["03_policy.html", "monitor_2018.pdf", "indicators.csv", "../../elsewhere.txt"]


def test_a_second_completion_keeps_the_pages_and_drops_what_they_no_longer_link(tmp_path):
    report = _report(tmp_path)
    complete_site(report)
    (report / SITE_DIR / "index.html").write_text("<p>opnieuw</p>")
    complete_site(report)
    assert (report / SITE_DIR / "03_policy.html").is_file() and (report / SITE_DIR / "index.html").is_file()
    assert not (report / SITE_DIR / "monitor_2018.pdf").exists()
    assert (report / SITE_DIR / "data" / "03_policy" / "tabel-3-1.csv").is_file()


def _edition(reports, year, title):
    site = reports / str(year) / SITE_DIR
    site.mkdir(parents=True)
    (site / "index.html").write_text(f"<html><head><title>{title}</title></head><body>x</body></html>")
    (site / "data").mkdir()
    (site / "data" / "figuur-3-1.csv").write_text("a,b\n1,2\n")


def test_make_site_zips_every_edition_reproducibly_and_lists_them_escaped(tmp_path):
    import zipfile

    from helpers.cli import main
    from helpers.publish.render.site import EDITIONS_INDEX, package_sites, site_zip_name

    reports = tmp_path / "reports"
    _edition(reports, 2018, "Monitor 2018")
    _edition(reports, 2019, "Monitor &lt;script&gt;alert(1)&lt;/script&gt; 2019")
    (reports / "2018-feedback" / SITE_DIR).mkdir(parents=True)  # private: never listed or zipped
    (reports / "2018-feedback" / SITE_DIR / "index.html").write_text("<title>GM0363</title>")
    first = package_sites(reports, 1523318400)
    assert [p.name for p in first] == [EDITIONS_INDEX, site_zip_name(2018), site_zip_name(2019)]
    digest = (reports / site_zip_name(2018)).read_bytes()
    assert main(["site", "--reports-dir", str(reports)]) == 0  # the command, without SOURCE_DATE_EPOCH
    package_sites(reports, 1523318400)
    assert (reports / site_zip_name(2018)).read_bytes() == digest  # same site, same bytes
    with zipfile.ZipFile(reports / site_zip_name(2018)) as zf:
        assert zf.namelist() == ["monitor_2018_site/data/figuur-3-1.csv", "monitor_2018_site/index.html"]
        assert {i.date_time for i in zf.infolist()} == {(2018, 4, 10, 0, 0, 0)}
    index = (reports / EDITIONS_INDEX).read_text()
    assert 'href="2018/site/index.html"' in index and 'href="2019/site/index.html"' in index
    assert "<script>alert" not in index and "&lt;script&gt;" in index
    assert "feedback" not in index and "GM0363" not in index
    assert sorted(p.name for p in reports.glob("*.zip")) == [site_zip_name(2018), site_zip_name(2019)]


def test_make_site_without_a_built_edition_says_what_to_do(tmp_path, capsys):
    from helpers.cli import main

    (tmp_path / "2018-failed").mkdir()
    assert main(["site", "--reports-dir", str(tmp_path)]) == 1
    assert "make report" in capsys.readouterr().err
    assert not (tmp_path / "index.html").exists()
