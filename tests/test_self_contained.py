"""The suite carries its own reference data (issue 15): a clone with nothing beside
it runs every test. No test reads a path outside the repository, and every file in
tests/reference/ is accounted for in its README (where it came from)."""
import io
import re
import tokenize

from conftest import REFERENCE, ROOT

OUTSIDE = [re.compile(p) for p in (r"parents\[[2-9]\]", r"\bROOT\.parent\b", r"\.\.[/\\]shared")]
OUTSIDE_TEXT = re.compile(r"^shared$|(^|/)shared/reference|/work/")


def _code_and_strings(path):
    """The file's code (comments dropped) and its string literals."""
    code, strings = [], []
    for tok in tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline):
        if tok.type == tokenize.COMMENT:
            continue
        code.append(tok.string)
        if tok.type == tokenize.STRING:
            strings.append(tok.string.strip("\"'rbfu"))
    return " ".join(code).replace(" . ", ".").replace(" [ ", "[").replace(" ]", "]"), strings


def test_no_test_reads_outside_the_repository():
    offenders = []
    for path in sorted((ROOT / "tests").rglob("*.py")):
        code, strings = _code_and_strings(path)
        offenders += [f"{path.name}: {p.pattern}" for p in OUTSIDE if p.search(code)]
        offenders += [f"{path.name}: {s!r}" for s in strings if OUTSIDE_TEXT.search(s)
                      and path.name != "test_self_contained.py"]
    assert not offenders, offenders


def test_reference_data_is_inside_the_repository_and_documented():
    assert REFERENCE.resolve().is_relative_to(ROOT.resolve())
    readme = (REFERENCE / "README.md").read_text(encoding="utf-8")
    files = [p for p in REFERENCE.rglob("*") if p.is_file() and p.name != "README.md"]
    assert {p.relative_to(REFERENCE).parts[0] for p in files} == {"agreement", "allocation", "pabulib"}
    undocumented = []
    for p in files:
        rel = p.relative_to(REFERENCE)
        key = rel.parts[1] if len(rel.parts) == 3 else rel.name.split(".")[0]   # a case folder, or a file's stem
        if key not in readme:
            undocumented.append(str(rel))
    assert not undocumented, f"tests/reference/README.md does not say where these came from: {undocumented}"
