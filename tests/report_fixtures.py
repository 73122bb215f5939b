"""Inputs for the report tests: two documents with a realigned paragraph, term and number misses, and markup.

Shared by ``test_report.py`` (the page's source) and ``test_report_browser.py``
(the page in Chromium).  The texts are our own Indonesian/English samples.
"""

from __future__ import annotations

from pathlib import Path

#: Text that must stay text in the report, never become markup or run.
INJECTED = "<script>window.__pwned = 1</script><img src=x onerror=\"window.__pwned = 2\">"


def write_inputs(folder: Path) -> tuple[Path, Path, Path, Path]:
    """Source, reference and hypothesis folders and a glossary; returns (src, ref, hyp, glossary)."""
    src, ref, hyp = folder / "src", folder / "ref", folder / "hyp"
    for path in (src, ref, hyp):
        path.mkdir(parents=True)
    (src / "banjir.txt").write_text(
        "Banjir di Jawa Barat\n\n"
        "Hujan deras turun sejak pagi. Air naik 2,5 meter di Bekasi.\n\n"
        "Presiden meninjau lokasi pada Senin.\n", encoding="utf-8")
    (ref / "banjir.txt").write_text(
        "Floods in West Java\n\n"
        "Heavy rain has fallen since the morning. The water rose 2.5 meters in Bekasi.\n\n"
        "The President visited the site on Monday.\n", encoding="utf-8")
    (hyp / "banjir.txt").write_text(
        "Floods in Jawa Barat\n\n"
        "Heavy rain fell since morning and the water rose 2,5 meters in Bekasi.\n\n"
        f"The President visited the site on Monday. {INJECTED}\n", encoding="utf-8")
    (src / "pasar.md").write_text(
        "# Harga beras\n\nHarga beras naik 10 persen di pasar Jakarta.\n\n- Presiden tiba di Bogor.\n",
        encoding="utf-8")
    (ref / "pasar.md").write_text(
        "# Rice prices\n\nRice prices rose 10 percent in Jakarta markets.\n\n"
        "- The President arrived in Bogor.\n", encoding="utf-8")
    (hyp / "pasar.md").write_text(
        "# Price of rice\n\nThe price of rice went up 10 percent at Jakarta markets.\n\n"
        "- President arrived at Bogor.\n", encoding="utf-8")
    glossary = folder / "terms.tsv"
    glossary.write_text("source\ttarget\tcategory\nJawa Barat\tWest Java\tplace\n"
                        "Presiden\tPresident\ttitle\n", encoding="utf-8")
    return src, ref, hyp, glossary


def score_argv(folder: Path, html: Path) -> list[str]:
    src, ref, hyp, glossary = write_inputs(folder)
    return ["score", str(hyp), str(ref), "--source", str(src), "--glossary", str(glossary),
            "--bootstrap", "100", "--html", str(html)]


def compare_argv(folder: Path, html: Path) -> list[str]:
    """A baseline, a better system and the references, as line files."""
    folder.mkdir(parents=True, exist_ok=True)
    ref = folder / "ref.txt"
    ref.write_text("The President arrived in Bogor.\nRice prices rose 10 percent.\nHeavy rain fell.\n"
                   "The water rose in Bekasi.\n", encoding="utf-8")
    base = folder / "base.txt"
    base.write_text("President came to Bogor.\nPrice of rice up 10 percent.\nRain heavy.\nWater up Bekasi.\n",
                    encoding="utf-8")
    better = folder / f"better{INJECTED[:8]}.txt".replace("<", "_").replace(">", "_")
    better.write_text("The President arrived in Bogor.\nRice prices rose 10 percent.\nHeavy rain fell.\n"
                      "The water rose at Bekasi.\n", encoding="utf-8")
    return ["compare", "--ref", str(ref), str(base), str(better), "--bootstrap", "100", "--trials", "64",
            "--html", str(html)]
