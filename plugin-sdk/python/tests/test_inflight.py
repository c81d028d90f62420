import threading
import unittest

from plugin_supervisor._inflight import InFlight


class FakeClock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


class InFlightTracking(unittest.TestCase):
    def test_only_handlers_past_their_deadline_are_overdue_and_the_longest_overrun_is_reported(self):
        clock = FakeClock()
        tracker = InFlight(clock)
        tracker.begin(101.0)
        tracker.begin(102.0)
        tracker.begin(None)
        self.assertEqual((0, 0.0), tracker.overdue())
        clock.now = 101.5
        self.assertEqual((1, 0.5), tracker.overdue())
        clock.now = 104.0
        self.assertEqual((2, 3.0), tracker.overdue())
        self.assertEqual(3, tracker.count)

    def test_an_ended_handler_is_no_longer_counted_and_ending_twice_is_harmless(self):
        tracker = InFlight(FakeClock())
        first = tracker.begin(50.0)
        tracker.end(first)
        tracker.end(first)
        self.assertEqual(0, tracker.count)
        self.assertEqual((0, 0.0), tracker.overdue())

    def test_wait_idle_returns_when_the_last_handler_ends(self):
        tracker = InFlight()
        handler = tracker.begin(None)
        threading.Timer(0.05, tracker.end, args=(handler,)).start()
        self.assertTrue(tracker.wait_idle(20.0))

    def test_wait_idle_gives_up_after_its_timeout_and_a_zero_timeout_does_not_wait(self):
        tracker = InFlight()
        tracker.begin(None)
        self.assertFalse(tracker.wait_idle(0.05))
        self.assertFalse(tracker.wait_idle(0))
        self.assertTrue(InFlight().wait_idle(0))


if __name__ == "__main__":
    unittest.main()
