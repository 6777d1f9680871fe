"""test_python_calendar.py — business calendars from Python: the Friday
16:30 Berlin case over a weekend and a Monday holiday, the inverse
arithmetic, openings, the canonical spec, and the errors of bad specs."""

import datetime
import unittest

import escalate

UTC = datetime.timezone.utc
BERLIN = "tz=Europe/Berlin; mon-fri 09:00-17:00; holiday 2026-01-12"


class CalendarTest(unittest.TestCase):
    def setUp(self):
        self.cal = escalate.Calendar(BERLIN)

    def test_eight_hours_over_weekend_and_holiday(self):
        # Friday 16:30 local (15:30 UTC, winter): half an hour on Friday,
        # Monday is a holiday, the other 7.5 hours end Tuesday 16:30 local.
        start = datetime.datetime(2026, 1, 9, 15, 30, tzinfo=UTC)
        deadline = self.cal.add_business(start, datetime.timedelta(hours=8))
        self.assertEqual(deadline, datetime.datetime(2026, 1, 13, 15, 30, tzinfo=UTC))
        self.assertEqual(self.cal.business_between(start, deadline), datetime.timedelta(hours=8))
        # Milliseconds work as well as datetimes.
        self.assertEqual(self.cal.add_business(1767972600000, datetime.timedelta(hours=8)),
                         deadline)

    def test_openings(self):
        saturday = datetime.datetime(2026, 1, 10, 9, 0, tzinfo=UTC)
        self.assertFalse(self.cal.is_business(saturday))
        self.assertEqual(self.cal.next_business(saturday),
                         datetime.datetime(2026, 1, 13, 8, 0, tzinfo=UTC))
        self.assertTrue(self.cal.is_business(datetime.datetime(2026, 1, 9, 12, 0, tzinfo=UTC)))

    def test_spec_round_trip(self):
        self.assertEqual(self.cal.tz_name, "Europe/Berlin")
        again = escalate.Calendar(self.cal.spec)
        self.assertEqual(again.spec, self.cal.spec)

    def test_bad_input(self):
        with self.assertRaises(escalate.InvalidArgument) as caught:
            escalate.Calendar("tz=Europe/Berlin; mon-fri 9-5pm")
        self.assertIn("9-5pm", str(caught.exception))
        with self.assertRaises(escalate.NotFound):
            escalate.Calendar("tz=Mars/Olympus_Mons; mon-fri 09:00-17:00")
        with self.assertRaises(escalate.InvalidArgument):
            self.cal.is_business(datetime.datetime(2026, 1, 9, 12, 0))  # naive
        with self.assertRaises(TypeError):
            self.cal.add_business(0, 3600000)


if __name__ == "__main__":
    unittest.main()
