"""The site folder: every page and every file its pages link, in one folder, links rewritten to stay inside."""

from __future__ import annotations

from helpers.publish.render.site import SITE_DIR, links, make_site


def test_pages_and_linked_files_land_in_one_folder(tmp_path):
    report = tmp_path / "2018"
    (report / "html").mkdir(parents=True)
    (report / "data" / "03_policy").mkdir(parents=True)
    (report / "data" / "03_policy" / "tabel-3-1.csv").write_text("a\n")
    (report / "monitor_2018.pdf").write_bytes(b"%PDF")
    (report / "indicators.csv").write_text("x\n")
    (report / "html" / "index.html").write_text(
        '<a href="03_policy.html#fig-3-1">3</a> <a href="../monitor_2018.pdf">PDF</a> '
        '<a href="../indicators.csv">i</a> <a href="https://www.kis.nl/">web</a> <a href="#top">top</a> '
        '<img src="data:image/png;base64,AAAA"> <a href="../../elsewhere.txt">out</a>'
    )
    (report / "html" / "03_policy.html").write_text('<a href="../data/03_policy/tabel-3-1.csv?x=1">csv</a>')
    site = make_site(report)
    assert site == report / SITE_DIR
    index = (site / "index.html").read_text()
    assert 'href="monitor_2018.pdf"' in index and 'href="indicators.csv"' in index
    assert 'href="03_policy.html#fig-3-1"' in index and 'href="https://www.kis.nl/"' in index
    assert 'href="../../elsewhere.txt"' in index  # outside the report: not copied, left for the link check
    assert 'href="data/03_policy/tabel-3-1.csv?x=1"' in (site / "03_policy.html").read_text()
    for name in ("monitor_2018.pdf", "indicators.csv", "data/03_policy/tabel-3-1.csv"):
        assert (site / name).is_file(), name
    assert links(index) == ["03_policy.html", "monitor_2018.pdf", "indicators.csv", "../../elsewhere.txt"]
    (report / "html" / "index.html").write_text("<p>opnieuw</p>")
    make_site(report)  # rebuilt whole: nothing of the previous site stays
    assert not (site / "monitor_2018.pdf").exists()
