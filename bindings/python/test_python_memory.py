"""test_python_memory.py — many objects, flat memory: the refund lifecycle
(32 steps, with a clock and an event hook installed, its history and a
list read back each time) run 10,000 times against one database file.
After a warm-up, the process's resident memory and the number of blocks
Python has allocated must stay flat; the figures are printed.

ESC_PY_LIFECYCLES overrides the count.  Under AddressSanitizer (freed
memory is quarantined, so RSS means nothing) a shorter run still exercises
the code and the memory bounds are skipped."""

import gc
import os
import resource
import sys
import unittest

import escalate
from escalate_testutil import Clock, refund_lifecycle, scratch_dir, under_sanitizer

LIFECYCLES = int(os.environ.get("ESC_PY_LIFECYCLES",
                                "1000" if under_sanitizer() else "10000"))
WARM_UP = min(500, LIFECYCLES // 10)
RSS_GROWTH_LIMIT = 10 * 1024 * 1024      # bytes: generous; a leak of 1 KB a lifecycle breaks it
BLOCK_GROWTH_LIMIT = 2000                # Python blocks: one leaked object a lifecycle breaks it


def resident_bytes():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize()


class TestFlatMemory(unittest.TestCase):

    def test_many_lifecycles(self):
        path = os.path.join(scratch_dir("memory"), "memory.db")
        clock = Clock()
        events = 0

        def hook(event):
            nonlocal events
            events += 1

        with escalate.Database(path, create=True, clock=clock) as db:
            db.on_event = hook

            def one_lifecycle():
                esc = refund_lifecycle(db, clock)
                self.assertEqual(len(esc.history()), esc.version)
                db.list(limit=5)

            for _ in range(WARM_UP):
                one_lifecycle()
            gc.collect()
            rss_before, blocks_before = resident_bytes(), sys.getallocatedblocks()
            for _ in range(LIFECYCLES - WARM_UP):
                one_lifecycle()
            gc.collect()
            rss_after, blocks_after = resident_bytes(), sys.getallocatedblocks()
            self.assertEqual(events, 32 * LIFECYCLES)
            self.assertEqual(len(db.list(limit=1000)), min(LIFECYCLES, 1000))

        peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(f"\n{LIFECYCLES} lifecycles ({32 * LIFECYCLES} steps); after {WARM_UP} of warm-up:"
              f"\n  RSS     {rss_before / 2**20:8.2f} MiB -> {rss_after / 2**20:8.2f} MiB "
              f"(growth {(rss_after - rss_before) / 2**10:+.0f} KiB, limit "
              f"{RSS_GROWTH_LIMIT / 2**20:.0f} MiB); peak {peak_kb / 1024:.2f} MiB"
              f"\n  blocks  {blocks_before} -> {blocks_after} "
              f"(growth {blocks_after - blocks_before:+d}, limit {BLOCK_GROWTH_LIMIT})",
              file=sys.stderr)
        if under_sanitizer():
            self.skipTest("AddressSanitizer quarantines freed memory: RSS is not measured")
        self.assertLess(rss_after - rss_before, RSS_GROWTH_LIMIT)
        self.assertLess(blocks_after - blocks_before, BLOCK_GROWTH_LIMIT)


if __name__ == "__main__":
    unittest.main()
