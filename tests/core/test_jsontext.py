"""dmsu/core/jsontext.py: where parsed JSON holds text no database can store."""

from __future__ import annotations

import json

from dmsu.core.jsontext import lone_surrogate_at, may_hold_lone_surrogate


def test_the_path_of_the_first_lone_surrogate_is_named():
    raw = '{"subject": "ok", "events": [{"text": "fine"}, {"text": "bad \\udc80"}]}'
    assert may_hold_lone_surrogate(raw)
    assert lone_surrogate_at(json.loads(raw)) == "events[1].text"
    assert lone_surrogate_at(json.loads('{"\\ud800": 1}')) == "<key>"
    assert lone_surrogate_at(json.loads('"\\ud800"')) == ""


def test_a_pair_of_surrogates_is_one_character_and_fine():
    raw = json.dumps({"subject": "Jobs stuck \U0001f600"})
    assert may_hold_lone_surrogate(raw) and lone_surrogate_at(json.loads(raw)) is None
    assert not may_hold_lone_surrogate('{"subject": "\\u00e9t\\u00e9"}')
