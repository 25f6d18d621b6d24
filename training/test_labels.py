"""label_parts on the kinds of Stanford Cars names there are (training/labels.py)."""
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from labels import label_parts  # noqa: E402


def parts(label):
    p = label_parts(label)
    return p["make"], p["model"], p["body"], p["year"]


class LabelPartsTest(unittest.TestCase):
    def test_plain(self):
        self.assertEqual(parts("Audi TTS Coupe 2012"), ("Audi", "TTS", "Coupe", "2012"))

    def test_multi_word_makes(self):
        self.assertEqual(parts("AM General Hummer SUV 2000"), ("AM General", "Hummer", "SUV", "2000"))
        self.assertEqual(parts("Aston Martin V8 Vantage Convertible 2012"),
                         ("Aston Martin", "V8 Vantage", "Convertible", "2012"))
        self.assertEqual(parts("Land Rover Range Rover SUV 2012"), ("Land Rover", "Range Rover", "SUV", "2012"))

    def test_two_word_bodies(self):
        self.assertEqual(parts("Chevrolet Silverado 1500 Hybrid Crew Cab 2012"),
                         ("Chevrolet", "Silverado 1500 Hybrid", "Crew Cab", "2012"))
        self.assertEqual(parts("Nissan NV Passenger Van 2012"), ("Nissan", "NV", "Passenger Van", "2012"))
        self.assertEqual(parts("GMC Savana Van 2012"), ("GMC", "Savana", "Van", "2012"))
        self.assertEqual(parts("Ford Ranger SuperCab 2011"), ("Ford", "Ranger", "SuperCab", "2011"))

    def test_trim_names_have_no_body(self):
        self.assertEqual(parts("Chevrolet Corvette ZR1 2012"), ("Chevrolet", "Corvette ZR1", "", "2012"))
        self.assertEqual(parts("Acura Integra Type R 2001"), ("Acura", "Integra Type R", "", "2001"))

    def test_no_year(self):
        self.assertEqual(parts("Alpha Coupe"), ("Alpha", "", "Coupe", ""))

    def test_every_shared_class_has_a_make_and_a_year(self):
        classes = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "stanford-cars" / "classes.txt"
        if not classes.exists():
            self.skipTest(f"{classes} is not there")
        names = classes.read_text().splitlines()
        self.assertEqual(len(names), 196)
        for name in names:
            make, _, body, year = parts(name)
            self.assertTrue(make and year, name)
        self.assertEqual(sum(1 for n in names if parts(n)[2]), 196 - 15)


if __name__ == "__main__":
    unittest.main()
