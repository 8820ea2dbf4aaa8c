"""Packaging glue that pyproject.toml cannot express: ship data/ and conversations/ inside the wheel.

They stay at the repository's root, where maintainers review them, and are
installed as ``resource_bot/bundled/...`` so an installed bot works from any
folder (see ``resource_bot.paths``).
"""

from pathlib import Path

from setuptools import find_packages, setup

ROOT = Path(__file__).parent
BUNDLED = {"data": "data", "conversations": "conversations"}

packages = find_packages("src")
package_dir = {"": "src"}
package_data = {}
for name, folder in BUNDLED.items():
    for sub in [ROOT / folder, *sorted(p for p in (ROOT / folder).rglob("*") if p.is_dir())]:
        relative = sub.relative_to(ROOT / folder)
        dotted = ".".join(("resource_bot", "bundled", name, *relative.parts))
        packages.append(dotted)
        package_dir[dotted] = str(Path(folder, relative))
        package_data[dotted] = ["*.yaml", "*.md"]

setup(packages=packages, package_dir=package_dir, package_data=package_data)
