"""Split Stanford Cars class names into make, model, body and year, for the model's metadata.

"Chevrolet Silverado 1500 Hybrid Crew Cab 2012" -> make Chevrolet, model "Silverado 1500 Hybrid",
body "Crew Cab", year 2012. whatcar reads these parts from the model file; it has no table of
its own. A name that fits no rule keeps everything after the make as its model.
"""
import re

MULTI_WORD_MAKES = ("AM General", "Aston Martin", "Land Rover")
BODIES = {"Sedan", "SUV", "Convertible", "Coupe", "Hatchback", "Wagon", "Minivan", "SuperCab"}
# The word before "Cab" / "Van" belongs to the body ("Crew Cab", "Cargo Van").
CAB_KINDS = {"Crew", "Regular", "Extended", "Quad", "Club"}
VAN_KINDS = {"Cargo", "Passenger"}


def label_parts(label):
    """{"label", "make", "model", "body", "year"}; body and year are "" where the name has none."""
    words = label.split()
    year = ""
    if len(words) > 1 and re.fullmatch(r"(19|20)\d\d", words[-1]):
        year = words.pop()
    make_words = 1
    for make in MULTI_WORD_MAKES:
        if label.startswith(make + " "):
            make_words = len(make.split())
    make, rest = " ".join(words[:make_words]), words[make_words:]
    body = ""
    if rest and rest[-1] in BODIES:
        body = rest.pop()
    elif len(rest) >= 2 and ((rest[-1] == "Cab" and rest[-2] in CAB_KINDS) or (rest[-1] == "Van" and rest[-2] in VAN_KINDS)):
        body = " ".join(rest[-2:])
        rest = rest[:-2]
    elif rest and rest[-1] == "Van":
        body = rest.pop()
    return {"label": label, "make": make, "model": " ".join(rest), "body": body, "year": year}
