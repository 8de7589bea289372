"""Assemble README.rst from the readme/ fragments (OCA layout): ``python tools/gen_readme.py``."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SECTIONS = [
    ("DESCRIPTION", None),
    ("INSTALL", "Installation: the two commands"),
    ("ARCHITECTURE", "Architecture"),
    ("CONFIGURE", "Configuration"),
    ("USAGE", "Usage"),
    ("BENCHMARKS", "Benchmarks"),
    ("SCREENSHOTS", "Screenshots"),
    ("CONTRIBUTORS", "Contributors"),
]
TITLE = "Amazon Seller Connector"
BADGES = """.. |license| image:: https://img.shields.io/badge/licence-LGPL--3-blue.png
    :target: http://www.gnu.org/licenses/lgpl-3.0-standalone.html
    :alt: License: LGPL-3

|license| Odoo 19 addon ``amazon_seller``
"""


def build_readme():
    parts = ["=" * len(TITLE), TITLE, "=" * len(TITLE), "", BADGES, ".. contents::", "   :local:", ""]
    for fragment, heading in SECTIONS:
        path = ROOT / "readme" / f"{fragment}.rst"
        if not path.exists():
            continue
        if heading:
            parts += [heading, "=" * len(heading), ""]
        parts += [path.read_text().rstrip(), ""]
    return "\n".join(parts)


if __name__ == "__main__":
    (ROOT / "README.rst").write_text(build_readme())
