"""The wheel ./build.sh pack builds: offline, with the interpreter's own setuptools."""

import os
import shutil
import subprocess
import sys
import tempfile
import unittest
import zipfile

SDK_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Wheel(unittest.TestCase):
    def test_the_wheel_builds_offline_and_carries_the_package_its_generated_messages_and_type_marker(self):
        with tempfile.TemporaryDirectory() as work:
            source = os.path.join(work, "source")
            os.mkdir(source)
            for name in ("pyproject.toml", "README.md"):
                shutil.copy(os.path.join(SDK_ROOT, name), source)
            shutil.copytree(os.path.join(SDK_ROOT, "plugin_supervisor"), os.path.join(source, "plugin_supervisor"),
                            ignore=shutil.ignore_patterns("__pycache__"))
            built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                                    "--no-index", "-w", os.path.join(work, "dist"), source],
                                   capture_output=True, text=True, timeout=300)
            self.assertEqual(0, built.returncode, built.stderr)
            [wheel] = os.listdir(os.path.join(work, "dist"))
            with zipfile.ZipFile(os.path.join(work, "dist", wheel)) as archive:
                names = set(archive.namelist())
                metadata = archive.read(next(n for n in names if n.endswith("METADATA"))).decode()

        import plugin_supervisor
        self.assertEqual(f"plugin_supervisor-{plugin_supervisor.__version__}-py3-none-any.whl", wheel,
                         "pyproject.toml's version and plugin_supervisor.__version__ agree")
        for expected in ("plugin_supervisor/__init__.py", "plugin_supervisor/py.typed",
                         "plugin_supervisor/_protocol/plugin_pb2.py", "plugin_supervisor/_protocol/health_pb2.py"):
            self.assertIn(expected, names)
        self.assertRegex(metadata, r"Requires-Dist: grpcio ?\(?>=1.51")
        self.assertRegex(metadata, r"Requires-Dist: protobuf ?\(?>=4.21")
        self.assertIn("# plugin-supervisor: Plugin Supervisor plugins in Python", metadata, "the README is the description")


if __name__ == "__main__":
    unittest.main()
