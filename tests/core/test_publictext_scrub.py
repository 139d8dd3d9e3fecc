"""dmsu.core.publictext.public_text: real-looking letters in the languages DMSU's submitters write,
in the layouts they write them; what is about the writer goes, the problem stays."""

from __future__ import annotations

import pytest

from dmsu.core.publictext import People, public_text, without_people
from dmsu.core.publictext.names import fold

ENGLISH = """Dear supporters,

our CREAM CE ce01.infn.it fails with `Error: proxy expired (code 14)` after the upgrade to
1.14.0-4. GGUS #91039 looks similar.

    glite-ce-job-submit -a -r ce01.infn.it:8443/cream-pbs-long job.jdl
    2013-02-11 04:51:38 ERROR - proxy expired

Please contact me at cornelius.whitfield&#64;physics.ox.ac.uk or call +44 1865 273333.

Best regards,
Dr. Cornelius Whitfield
Particle Physics, University of Oxford
Tel: +44 1865 273333
"""

ITALIAN = """Gentile supporto DMSU,

il servizio BDII su bdii.cnaf.infn.it si blocca dopo l'aggiornamento alla versione 1.4.3:

    slapd[1234]: segfault at 0 ip 00007f

Anche il collega Luca Bianchi (luca.bianchi at cnaf dot infn dot it) ha visto lo stesso errore.
Per informazioni: Dott.ssa Mariangela Bertolucci, tel. +39 06 1234 5678.

Cordiali saluti,
Ing. Mariangela Bertolucci
INFN Sezione di Roma Tre, Via della Vasca Navale 84
Tel. +39 06 1234 5678 - Cell. 333 123 4567
"""

GERMAN = """Sehr geehrte Damen und Herren,

seit dem Update auf dCache 2.6.5 meldet die SRM-Tür auf srm.gridka.de
`CGSI-gSOAP: Could not open connection`. Rückfragen bitte an Frau Oberhauser,
Telefon +49 (0)721 608-12345, oder wilhelmina.oberhauser&commat;kit.edu.

Mit freundlichen Grüßen
Dipl.-Ing. Wilhelmina Oberhauser
Karlsruher Institut für Technologie (KIT), Steinbuch Centre for Computing
"""

CZECH = """Dobrý den,

na stroji se01.farm.particle.cz padá DPM 1.8.7 s chybou "Communication error on send".
Kontakt: jaroslav.dvoracek&#x40;fzu.cz, tel. 00420 123 456 789.

S pozdravem,
Mgr. Jaroslav Dvořáček
Fyzikální ústav AV ČR, v. v. i.
"""

POLISH = """Dzień dobry,

po aktualizacji do ARC 3.0.0 zadania na ce.cyfronet.pl kończą się błędem `LRMS error: (-1)`.

Pozdrawiam,
Grzegorz Brzęczyszczykiewicz
ACK Cyfronet AGH, tel. +48 12 345 67 89

W dniu 11.02.2013 10:00, Zdzisław Pietrzak <zdzislaw.pietrzak@cyfronet.pl> napisał(a):
> Proszę o logi z ce.cyfronet.pl.
> Pozdrawiam, Zdzisław
"""

QUOTED_ENGLISH = """Hi Ana,

the WMS on wms01.grid.example.org still drops jobs with "Cannot plan: BrokerHelper".

On Mon, Feb 11, 2013 at 10:00 AM, Alice Supporter <alice.supporter@dmsu.example> wrote:
> Could you send the logs?
> Alice

Thanks,
Ana
"""

SIGNATURE_BLOCK = """Hello,

FTS 2.2.8 on fts.example.org rejects transfers with `SOURCE error: globus_ftp_client`.

--
prof. RNDr. Václav Hromádka, CSc.
Charles University, Prague | +420 221 912 345
"""

HTML_ONLY = """<html><body><p>Dear DMSU,</p>
<p>The <b>VOMS</b> server voms.example.org returns <code>VOMS error 5</code> since 2.0.10.</p>
<p>Regards,<br>Ingrid Bergström<br>NIKHEF, +31 20 592 2000</p>
<div class="gmail_quote">On Mon, Eva Horvath wrote:<blockquote>the old letter</blockquote></div>
</body></html>"""


@pytest.mark.parametrize(
    ("letter", "gone", "kept"),
    [
        (
            ENGLISH,
            ["Dear", "Cornelius", "Whitfield", "whitfield", "1865", "Oxford", "regards"],
            ["ce01.infn.it", "Error: proxy expired (code 14)", "1.14.0-4", "#91039",
             "    glite-ce-job-submit -a -r ce01.infn.it:8443/cream-pbs-long job.jdl",
             "2013-02-11 04:51:38 ERROR"],
        ),
        (
            ITALIAN,
            ["Gentile", "Bertolucci", "Mariangela", "Bianchi", "Luca", "1234 5678", "333",
             "Vasca", "saluti", "cnaf dot"],
            ["bdii.cnaf.infn.it", "1.4.3", "    slapd[1234]: segfault at 0 ip 00007f"],
        ),
        (
            GERMAN,
            ["Sehr geehrte", "Oberhauser", "Wilhelmina", "608-12345", "kit.edu", "Grüßen",
             "Steinbuch"],
            ["dCache 2.6.5", "srm.gridka.de", "CGSI-gSOAP: Could not open connection"],
        ),
        (
            CZECH,
            ["Dobrý den", "Dvořáček", "Jaroslav", "dvoracek", "456 789", "pozdravem",
             "Fyzikální"],
            ["se01.farm.particle.cz", "DPM 1.8.7", '"Communication error on send"'],
        ),
        (
            POLISH,
            ["Dzień dobry", "Brzęczyszczykiewicz", "Grzegorz", "345 67 89", "Pozdrawiam",
             "Pietrzak", "Zdzisław", "napisał", "logi"],
            ["ARC 3.0.0", "ce.cyfronet.pl", "`LRMS error: (-1)`"],
        ),
        (
            QUOTED_ENGLISH,
            ["Ana", "Alice", "Supporter", "wrote", "logs", "Thanks"],
            ["wms01.grid.example.org", '"Cannot plan: BrokerHelper"'],
        ),
        (
            SIGNATURE_BLOCK,
            ["Hello", "Hromádka", "Václav", "221 912", "Charles"],
            ["FTS 2.2.8", "fts.example.org", "`SOURCE error: globus_ftp_client`"],
        ),
        (
            HTML_ONLY,
            ["Dear", "Bergström", "Ingrid", "592 2000", "Eva", "Horvath", "old letter", "<p>"],
            ["voms.example.org", "VOMS error 5", "2.0.10"],
        ),
    ],
    ids=["english", "italian", "german", "czech", "polish", "quoted", "signature", "html"],
)  # fmt: skip
def test_a_letter_becomes_public_text(letter, gone, kept):
    public = public_text(letter)
    for personal in gone:
        assert personal.lower() not in public.lower(), (personal, public)
    for technical in kept:
        assert technical in public, (technical, public)


def test_the_tickets_people_are_taken_out_wherever_they_appear():
    people = People.of(["Maria Rossi", "Jan Novak"], ["maria.rossi@infn.it", "jnovak@fzu.cz"])
    text = (
        "Maria Rossi and MARIA ROSSI saw it, then Rossi again; Novák confirmed (jnovak did too).\n"
        "The host rossi-pc.infn.it and /home/maria/ stay; so does the word jnovakovic."
    )
    public = public_text(text, people)
    assert "Rossi " not in public and "ROSSI" not in public and "Novák" not in public
    assert "jnovak " not in public
    assert public.count("[name removed]") == 5
    assert "rossi-pc.infn.it" in public and "jnovakovic" in public


@pytest.mark.parametrize(
    "written",
    [
        "mario.rossi&#64;infn.it",
        "mario.rossi&commat;infn.it",
        "mario.rossi&#x40;infn.it",
        "mario.rossi&amp;#64;infn.it",
        "mario.rossi%40infn.it",
        "mario.rossi [at] infn [dot] it",
        "mario.rossi(at)infn.it",
        "mario.rossi at infn dot it",
        "MARIO.ROSSI@INFN.IT",
    ],
)
def test_an_address_is_taken_out_however_it_is_written(written):
    public = public_text(f"Write to {written} for the logs of ce01.infn.it.")
    assert public == "Write to [e-mail address removed] for the logs of ce01.infn.it."


@pytest.mark.parametrize(
    "number",
    [
        "+39 06 1234 5678",
        "+49 (0)721 608-12345",
        "00420 123 456 789",
        "+48 12 345 67 89",
        "+44 1865 273333",
        "06 1234 5678",
        "0721 60812345",
    ],
)
def test_a_phone_number_is_taken_out(number):
    assert public_text(f"Call {number} after 10:00.") == "Call [phone number removed] after 10:00."


def test_numbers_that_are_no_phone_numbers_stay():
    text = (
        "GGUS #91039 and 100234, version 1.4.10, 2013-02-11 04:51:38, port 8443, pid 123456, "
        "IP 192.168.10.23, code 0x80004005, job 1234567890 of 123456789 bytes, glite 3.2.11-1."
    )
    assert public_text(text) == text


def test_technical_text_that_looks_like_a_letter_stays():
    text = (
        "Thanks to the fix in 1.4.3 the CE is stable, but the log says:\n\n"
        "```\nRegards: 0 retries\n```\n\n"
        "- restart the service\n- check the log\n\n"
        "Hello world example fails with -ENOENT."
    )
    assert public_text(text) == text


def test_entities_are_decoded_but_never_into_markup():
    assert public_text("a &lt;b&gt; &amp;#60;script&amp;#62; R&#111;ssi") == (
        "a &lt;b&gt; &lt;script&gt; Rossi"
    )


def test_accents_are_folded_one_character_for_one():
    assert fold("Dvořáček Brzęczyszczykiewicz Łódź Straße") == (
        "Dvoracek Brzeczyszczykiewicz Lodz Strase"
    )
    assert len(fold("Zdzisław")) == len("Zdzisław")


def test_empty_and_letter_only_texts():
    assert public_text("") == ""
    assert public_text("Dear all,\n\nRegards,\nMario Rossi") == ""


def test_text_about_many_people_keeps_common_first_names():
    week = People.of(["Mark Ellison", "Will Zhang"]).by_family_name()
    text = "Mark the ticket solved. Will Zhang and Ellison reported it."
    assert without_people(text, week) == (
        "Mark the ticket solved. [name removed] and [name removed] reported it."
    )


def test_a_sentence_after_the_sign_off_names_nobody():
    text = "The CE ce01.infn.it is down.\nPlease restart it.\n\nThanks in advance.\nPlease hurry."
    assert public_text(text) == "The CE ce01.infn.it is down.\nPlease restart it."
    assert public_text("Jobs fail.\n\nCheers,\nAna\n") == "Jobs fail."
    assert public_text("Ana saw it.\n\nCheers,\nAna\n") == "[name removed] saw it."
