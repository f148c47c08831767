"""The layers go one way: lib -> arch -> mm -> vmx -> nested -> boot
(docs/architecture.md, "Layers"). A file includes headers of its own layer
or of a lower one only: lib/ includes nothing of ours outside lib/, and no
vmx/ file includes boot/. Checked over every C source and header, and
shown to catch a violation on a made-up file."""
import os
import re
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
LAYERS = ["lib", "arch", "mm", "vmx", "nested", "boot"]
INCLUDE = re.compile(r'^\s*#\s*include\s+"([a-z0-9_]+)/', re.M)


def layer_of(top):
    """The layer of a top-level directory ('arch' for arch/x86), or None
    for directories outside the layers (tests/)."""
    return LAYERS.index(top) if top in LAYERS else None


def violations(path, text):
    """(file, included layer) for each include that goes up a layer."""
    rel = os.path.relpath(path, ROOT)
    own = layer_of(rel.split(os.sep)[0])
    if own is None:
        return []
    out = []
    for top in INCLUDE.findall(text):
        inc = layer_of(top)
        if inc is not None and inc > own:
            out.append((rel, top))
    return out


def sources():
    for layer in LAYERS:
        for dirpath, _, files in os.walk(os.path.join(ROOT, layer)):
            for name in files:
                if name.endswith((".c", ".h")):
                    yield os.path.join(dirpath, name)


class LayerTest(unittest.TestCase):
    def test_no_include_goes_up(self):
        found = []
        for path in sources():
            with open(path, errors="replace") as f:
                found += violations(path, f.read())
        self.assertEqual(found, [], "includes that go up a layer "
                         "(lib -> arch -> mm -> vmx -> nested -> boot)")

    def test_sources_found(self):
        self.assertGreater(len(list(sources())), 50)

    def test_check_catches_an_upward_include(self):
        fake = os.path.join(ROOT, "lib", "fake.c")
        self.assertEqual(violations(fake, '#include "boot/config.h"\n'),
                         [("lib/fake.c", "boot")])
        fake = os.path.join(ROOT, "vmx", "fake.c")
        self.assertEqual(violations(fake, '#include "boot/guest_boot.h"\n'
                                          '#include "mm/ept.h"\n'),
                         [("vmx/fake.c", "boot")])
        # No exception: vmx/ reaches nested/ through vmx/nested_seam.h,
        # which nested/ implements.
        fake = os.path.join(ROOT, "vmx", "fake.c")
        self.assertEqual(violations(fake, '#include "vmx/nested_seam.h"\n'
                                          '#include "nested/vmcs12.h"\n'),
                         [("vmx/fake.c", "nested")])
        self.assertEqual(violations(os.path.join(ROOT, "arch", "x86", "f.c"),
                                    '#include "arch/x86/cpu.h"\n#include "lib/log.h"\n'),
                         [])


if __name__ == "__main__":
    unittest.main()
