"""The domain never imports Textual (as Harlequin enforces): checked in a fresh interpreter."""

import pkgutil
import subprocess
import sys

import earmark


def _domain_modules() -> list[str]:
    names = []
    for info in pkgutil.walk_packages(earmark.__path__, "earmark."):
        if info.name.startswith("earmark.app") or info.name == "earmark.__main__":
            continue
        names.append(info.name)
    return names


def test_domain_modules_do_not_import_textual():
    modules = _domain_modules()
    assert "earmark.store" in modules and "earmark.audio" in modules
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}:\n"
        "    importlib.import_module(m)\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"textual imported by domain modules: {out.stdout}"
