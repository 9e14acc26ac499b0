"""Check that the lock files match pyproject.toml, offline and deterministically (no resolving, no network).

- every line of requirements.lock and requirements-dev.lock that names a package pins it exactly (`==`);
- every runtime requirement of pyproject.toml is pinned in both files, every dev-extra requirement in
  requirements-dev.lock, and each pin lies within the requirement's range;
- the dev lock carries the runtime pins unchanged (the image and CI run the same versions).

New upstream releases cannot turn this red; a requirement added or narrowed in pyproject.toml without
`make lock` does. Exit status 1 with one line per problem.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

try:
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name
except ImportError:  # a bare interpreter: pip vendors the same library
    from pip._vendor.packaging.requirements import Requirement
    from pip._vendor.packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?==(?P<version>[^\s;]+)\s*(;.*)?$")


def read_lock(path: Path, problems: list[str]) -> dict[str, str]:
    pins: dict[str, str] = {}
    if not path.exists():
        problems.append(f"{path.name}: missing (run `make lock`)")
        return pins
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith("#") or raw[:1].isspace():
            continue  # comments and uv's indented "# via" lines
        if line.startswith("-"):
            problems.append(f"{path.name}:{number}: option lines are not allowed: {line}")
            continue
        match = PIN.match(line)
        if match is None:
            problems.append(f"{path.name}:{number}: not an exact pin: {line}")
            continue
        pins[canonicalize_name(match["name"])] = match["version"]
    return pins


def check_requirements(requirements: list[str], pins: dict[str, str], lock: str, problems: list[str]) -> None:
    for text in requirements:
        requirement = Requirement(text)
        if requirement.marker is not None and not requirement.marker.evaluate():
            continue
        name = canonicalize_name(requirement.name)
        version = pins.get(name)
        if version is None:
            problems.append(f"{lock}: {requirement.name} is not pinned (pyproject: {text}); run `make lock`")
        elif not requirement.specifier.contains(version, prereleases=True):
            problems.append(
                f"{lock}: {requirement.name}=={version} is outside pyproject's range {text!r}; "
                "run `make lock`"
            )


def main(root: Path = ROOT) -> int:
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    runtime = project.get("dependencies", [])
    dev = project.get("optional-dependencies", {}).get("dev", [])
    problems: list[str] = []
    runtime_pins = read_lock(root / "requirements.lock", problems)
    dev_pins = read_lock(root / "requirements-dev.lock", problems)
    check_requirements(runtime, runtime_pins, "requirements.lock", problems)
    check_requirements([*runtime, *dev], dev_pins, "requirements-dev.lock", problems)
    for name, version in sorted(runtime_pins.items()):
        if dev_pins and dev_pins.get(name) != version:
            problems.append(
                f"requirements-dev.lock: {name}=={dev_pins.get(name)} differs from "
                f"requirements.lock ({version})"
            )
    for problem in problems:
        print(problem)  # noqa: T201
    if not problems:
        print(  # noqa: T201
            f"lock files match pyproject.toml: {len(runtime_pins)} runtime pins, {len(dev_pins)} with dev"
        )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
