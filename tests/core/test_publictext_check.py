"""dmsu.core.publictext.findings: what looks personal in text a person typed for the public."""

from __future__ import annotations

from dmsu.core.publictext import Finding, LooksPersonal, People, findings


def test_names_addresses_phones_and_signatures_are_named():
    text = (
        "Thanks to Dr. Mario Rossi for the report (mario&#64;infn.it, +39 06 1234 5678).\n\n"
        "Cheers,\nJan Novák\n"
    )
    assert [f.message for f in findings(text)] == [
        "an e-mail address: 'mario@infn.it'",
        "a phone number: '+39 06 1234 5678'",
        "a personal name: 'Jan Novák'",
        "a personal name: 'Mario Rossi'",
        "a signature: 'Jan Novák'",
    ]


def test_the_people_given_and_the_names_the_site_knows_are_named():
    people = People.of(["Ingrid Berg"], ["ingrid.berg@nikhef.nl"])
    known = {"Eva Horvath"}
    text = "Berg and Eva Horvath saw the BDII on Top Level Host drop entries."
    found = findings(text, people, known=lambda candidates: candidates & known)
    assert found == [Finding("name", "Berg"), Finding("name", "Eva Horvath")]


def test_technical_text_looks_personal_in_nothing():
    text = (
        "The CREAM CE 1.14.0 drops jobs after proxy renewal (GGUS #91039, 2013-02-11 04:51:38).\n"
        "Workaround: set `CREAM_PROXY_RENEWAL=false` on ce01.infn.it and restart tomcat.\n"
        "Dear readers, this week brought three upgrades worth knowing about."
    )
    assert findings(text, known=lambda candidates: set()) == []


def test_the_refusal_says_what_was_found():
    refusal = LooksPersonal([Finding("name", "Mario Rossi"), Finding("phone", "+39 06 1")])
    assert str(refusal) == (
        "This looks personal — a personal name: 'Mario Rossi'; a phone number: '+39 06 1'. "
        "Edit the text, or confirm that it may be public."
    )
