"""Routing suggestions: names and aliases (whole words, weighted higher in the subject), a
text model of past tickets built once and reused, the reasons shown, the form for TPM, and
the accuracy measurement."""

from __future__ import annotations

import random
import time

import pytest

from dmsu import content
from dmsu.cheatsheet import routing
from dmsu.cheatsheet.accuracy import measure
from dmsu.cheatsheet.textmodel import TextModel, tokens

VOCABULARY = {
    "dCache": "pool door billing pinmanager space token nfs4 admin shell",
    "CREAM CE": "blah torque lrms job wrapper sandbox proxy renewal glexec submission",
    "BDII top": "ldap slapd glue2 information publishing stale entries timeout",
    "VOMS": "attribute certificate fqan membership roles server expiry",
    "FTS": "transfer channel checksum gridftp third party retries queue",
}
FILLER = [
    "the",
    "site",
    "reports",
    "a",
    "failure",
    "since",
    "the",
    "last",
    "update",
    "and",
    "users",
    "are",
    "affected",
]


@pytest.fixture
def loaded(app):
    content.load_all()
    return app


def synthetic_tickets(make_ticket, n=120, seed=7):
    """Tickets whose text uses their component's words but never its name."""
    rng = random.Random(seed)
    names = list(VOCABULARY)
    for i in range(n):
        name = names[i % len(names)]
        words = VOCABULARY[name].split()
        text = " ".join(rng.sample(words, 4) + rng.sample(FILLER, 5))
        subject = " ".join(rng.sample(words, 2) + ["problem"])
        make_ticket(
            95000 + i,
            component=name,
            subject=subject,
            description=text,
            created_at=f"2012-{1 + i // 12 % 12:02d}-{1 + i % 12:02d}T10:00:00+00:00",
        )


def test_a_name_in_the_subject_wins_and_the_reason_says_so(loaded):
    found = routing.suggest("CREAM CE jobs stuck", "", model=TextModel.build([]))
    assert found[0].row.name == "CREAM CE"
    assert found[0].reasons == ["name 'CREAM CE' in subject"]
    assert [p.name for p in found[0].row.partners] == ["INFN", "CESNET"]


def test_aliases_match_whole_words_in_any_case(loaded):
    found = routing.suggest(
        "Storage trouble", "Our PNFS namespace is slow", model=TextModel.build([])
    )
    assert found[0].row.name == "dCache" and found[0].reasons == ["alias 'PNFS' in text"]
    assert routing.suggest("pnfsd crashed", "", model=TextModel.build([])) == []


def test_subject_weighs_more_than_text(loaded):
    found = routing.suggest("dCache pools full", "we also use FTS", model=TextModel.build([]))
    assert [s.row.name for s in found[:2]] == ["dCache", "FTS"]
    assert found[0].score > found[1].score


def test_the_longest_name_wins_where_names_overlap(loaded):
    found = routing.suggest("ARC CE restarts", "", model=TextModel.build([]))
    assert [s.row.name for s in found] == ["ARC CE"]
    assert found[0].reasons == ["name 'ARC CE' in subject"]


def test_the_text_model_learns_from_past_tickets(loaded, make_ticket):
    synthetic_tickets(make_ticket)
    found = routing.suggest("Transfers stuck", "checksum errors on the channel, retries pile up")
    assert found[0].row.name == "FTS"
    reason = found[0].reasons[-1]
    assert reason.startswith("words seen in 24 past tickets of FTS: ")
    assert "checksum" in reason or "channel" in reason or "retries" in reason


def test_the_model_is_built_once_and_rebuilt_only_when_tickets_change(loaded, make_ticket):
    synthetic_tickets(make_ticket, n=20)
    first = routing.text_model(refresh_seconds=0)
    assert routing.text_model(refresh_seconds=0) is first  # same tickets: reused
    assert routing.text_model(refresh_seconds=3600) is first
    make_ticket(96000, component="VOMS", subject="fqan roles", description="membership expiry")
    assert routing.text_model(refresh_seconds=3600) is first  # still fresh enough
    rebuilt = routing.text_model(refresh_seconds=0)
    assert rebuilt is not first and rebuilt.n_docs == first.n_docs + 1


def test_a_suggestion_costs_milliseconds_with_a_warm_model(loaded, make_ticket):
    synthetic_tickets(make_ticket)
    routing.suggest("warm up", "pool door")
    started = time.perf_counter()
    for _ in range(20):
        routing.suggest("dCache pool door", "billing cell shows space token errors " * 20)
    assert (time.perf_counter() - started) / 20 < 0.05


def test_tokens_keep_hyphenated_words_and_their_parts():
    assert tokens("voms-proxy-init fails, the Pool is full") == [
        "voms-proxy-init",
        "voms",
        "proxy",
        "init",
        "fails",
        "pool",
        "full",
    ]


def test_route_form_needs_a_login_and_answers_tpm(loaded, client, tpm_client):
    assert client.get("/cheatsheet/route").status_code == 302
    page = tpm_client.get("/cheatsheet/route").get_data(as_text=True)
    assert (
        '<label for="route-subject">Subject</label>' in page
        and 'data-hx-post="/cheatsheet/route"' in page
    )
    answer = tpm_client.form("/cheatsheet/route", {"subject": "CREAM jobs", "text": "blah"})
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "<html" in html
    assert "<strong>CREAM CE</strong>" in html and "Assign to <strong>INFN</strong>" in html
    assert "alias &#39;CREAM&#39; in subject" in html
    assert 'href="mailto:marco.rossi@example.org"' in html


def test_route_partial_for_htmx_and_one_sentence_for_empty_input(loaded, tpm_client):
    partial = tpm_client.hx("post", "/cheatsheet/route", {"subject": "dcache", "text": ""})
    html = partial.get_data(as_text=True)
    assert "<html" not in html and "<strong>dCache</strong>" in html
    empty = tpm_client.hx("post", "/cheatsheet/route", {"subject": " ", "text": ""})
    assert empty.status_code == 200
    assert "Paste the ticket&#39;s subject or text to get a suggestion." in empty.get_data(
        as_text=True
    )
    plain = tpm_client.form("/cheatsheet/route", {"subject": "", "text": ""})
    assert plain.status_code == 422 and "<html" in plain.get_data(as_text=True)


def test_a_get_with_text_gives_a_shareable_suggestion(loaded, tpm_client):
    html = tpm_client.get("/cheatsheet/route?subject=VOMS+proxy").get_data(as_text=True)
    assert "<strong>VOMS</strong>" in html


def test_accuracy_on_a_synthetic_set(loaded, make_ticket, runner):
    synthetic_tickets(make_ticket, n=150)
    report = measure("time", 0.2)
    assert report.combined.n == 30 and report.trained_on == 120
    assert report.combined.top3 / report.combined.n >= 0.9
    assert report.names_only.top3 < report.combined.top3  # the text carries the signal here
    loo = measure("loo")
    assert loo.combined.n == 150 and loo.combined.top3 / loo.combined.n >= 0.9
    result = runner.invoke(args=["dmsu", "routing-accuracy"])
    assert result.exit_code == 0, result.output
    assert "combined     top-1" in result.output and "(30 tickets)" in result.output


def test_accuracy_without_labelled_tickets_is_one_sentence(loaded, runner):
    result = runner.invoke(args=["dmsu", "routing-accuracy"])
    assert result.exit_code != 0
    assert "No tickets with a known component to measure on" in result.output


def test_words_of_the_sheet_description_count_before_any_ticket(loaded):
    found = routing.suggest("MPICH2 jobs start on one node only", "")
    assert found[0].row.name == "MPI-Start"
    (reason,) = found[0].reasons
    assert reason.startswith("words of its cheat-sheet description: ") and "mpich2" in reason


def test_a_large_model_is_built_in_the_background_without_making_anyone_wait(loaded, make_ticket):
    import threading

    synthetic_tickets(make_ticket, n=30)
    first = routing.text_model(refresh_seconds=0, inline_tickets=10)
    assert first.n_docs == 0  # the sheet's own words until the build is done
    assert routing.suggest("MPICH2 again", "", model=first)[0].row.name == "MPI-Start"
    for worker in threading.enumerate():
        if worker.name == "routing-model":
            worker.join(timeout=30)
    built = routing.text_model(refresh_seconds=3600, inline_tickets=10)
    assert built.n_docs == 30
    assert routing.text_model(refresh_seconds=0, inline_tickets=10) is built


def test_words_every_component_uses_are_not_reasons(loaded, make_ticket):
    """Issue 18: reasons such as "yesterday" or "admin" are noise; only words particular to a
    component are shown (they still count in the similarity)."""
    synthetic_tickets(make_ticket)
    for i, name in enumerate(VOCABULARY):  # "operator" in every component's tickets
        make_ticket(97000 + i, component=name, subject="operator asks", description="operator")
    assert tokens("Yesterday morning, on Monday 3 December") == []
    found = routing.suggest(
        "Transfers stuck since yesterday", "the site operator says users see checksum errors"
    )
    assert found[0].row.name == "FTS"
    reasons = [reason for suggestion in found for reason in suggestion.reasons]
    words = {w for reason in reasons for w in reason.split(": ", 1)[-1].split(", ")}
    assert "checksum" in words
    assert words.isdisjoint({"yesterday", "operator", "site", "users", "errors"})
    # a component whose tickets share only common words with the text says so
    assert any(reason.endswith(", but no word particular to it") for reason in reasons)


def test_a_name_found_is_not_repeated_as_a_word_of_past_tickets(loaded, make_ticket):
    synthetic_tickets(make_ticket, n=20)
    make_ticket(97100, component="VOMS", subject="VOMS fqan", description="VOMS roles")
    found = routing.suggest("VOMS server down", "")
    assert found[0].reasons[0] == "name 'VOMS' in subject"
    assert not any("voms" in reason for reason in found[0].reasons[1:])


@pytest.mark.parametrize(
    ("score", "label"),
    [(6.2, "strong match"), (3.0, "strong match"), (1.5, "likely"), (1.49, "weak"), (0.2, "weak")],
)
def test_a_score_reads_as_a_plain_confidence_label(score, label):
    assert routing.confidence(score) == label


def test_the_routing_page_shows_the_label_and_offers_the_component(loaded, tpm_client):
    html = tpm_client.form("/cheatsheet/route", {"subject": "CREAM jobs", "text": ""}).get_data(
        as_text=True
    )
    assert '<span class="badge confidence-strong-match">strong match</span>' in html
    assert "score " not in html
    assert (
        '<a href="/components/cream-ce">Open the component'
        '<span class="visually-hidden"> CREAM CE</span></a>' in html
    )
