"""Build hook (the project's metadata is in pyproject.toml): a wheel carries the
rubrics, the notebooks and the shipped contests as evalkit/_shipped/, in the
checkout's layout, where evalkit.resources finds them."""
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
#: folders copied into the wheel (data/demo-* are the demo contests; research-multi
#: is small and notebooks/research.ipynb reads it)
SHIPPED = ("rubrics", "notebooks", "data/demo-*", "data/research-multi")
#: files a served or exported contest writes beside itself; never shipped
IGNORE = shutil.ignore_patterns("evalkit.db*", "backups", "judge-links.*", "voila.log", "publication",
                                ".ipynb_checkpoints", "__pycache__", "*.tmp")


class build_py_with_resources(build_py):
    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return                                   # an editable install reads the checkout itself
        target = Path(self.build_lib) / "evalkit" / "_shipped"
        shutil.rmtree(target, ignore_errors=True)
        for pattern in SHIPPED:
            found = sorted(p for p in HERE.glob(pattern) if p.is_dir())
            if not found:
                raise SystemExit(f"setup.py: nothing matches {pattern!r} in {HERE}; the wheel would lack it")
            for src in found:
                shutil.copytree(src, target / src.relative_to(HERE), ignore=IGNORE)


setup(cmdclass={"build_py": build_py_with_resources})
