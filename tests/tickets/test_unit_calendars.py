"""Each support unit's working time for its SLA deadlines (hardening round 2, item 6): its
time zone, working hours and its country's public holidays (the ``holidays`` library); a unit
that sets none works on the site's calendar, as before."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from dmsu import content
from dmsu.core.calendar import BusinessCalendar
from dmsu.tickets.models import SlaClock, Ticket
from dmsu.tickets.sla import stored_clocks, unit_calendars
from dmsu.tickets.units import SupportUnit

SITE = BusinessCalendar()  # Europe/Amsterdam, 09:00-17:00, no holidays
# Wednesday 2013-04-24 10:00 in Rome and Amsterdam (CEST); 2013-04-25 is Italy's Liberation Day
START = "2013-04-24T08:00:00+00:00"


def test_a_unit_without_settings_works_on_the_sites_calendar():
    unit = SupportUnit(name="dCache", kind="third_line")
    assert unit_calendars.calendar_for(unit, SITE) is SITE


def test_a_unit_in_italy_keeps_italian_holidays_and_romes_clock():
    unit = SupportUnit(name="CREAM", kind="third_line", timezone="Europe/Rome", country="IT")
    working = unit_calendars.calendar_for(unit, SITE)
    assert not working.is_working_day(date(2013, 4, 25))  # Festa della Liberazione
    assert working.is_working_day(date(2013, 4, 30))  # a Dutch holiday then, not Italian
    assert working.tz == "Europe/Rome"


def test_working_hours_of_its_own_change_the_length_of_a_working_day():
    unit = SupportUnit(name="ARC", kind="third_line", timezone="Europe/Stockholm",
                       working_hours="08:00-16:00", country="SE")  # fmt: skip
    working = unit_calendars.calendar_for(unit, SITE)
    assert (working.start.hour, working.end.hour, working.hours_per_day) == (8, 16, 8)


@pytest.mark.parametrize(
    "values, message",
    [
        ({"working_hours": "9 to 5"}, "is not working hours like 08:00-16:00"),
        ({"country": "XX"}, "is not a country the holidays library knows"),
        ({"timezone": "Mars/Olympus"}, "unknown time zone"),
    ],
)
def test_bad_settings_are_one_sentence(values, message):
    with pytest.raises(ValueError, match=message):
        unit_calendars.check(**values)


def clock_due(make_ticket, unit_name: str, ggus_id: int) -> datetime:
    ticket = make_ticket(
        ggus_id,
        priority="very urgent",  # level2: one working day
        events=[{"at": START, "type": "assigned", "support_unit": unit_name}],
    )
    return SlaClock.get(SlaClock.ticket == ticket).due_at


def test_a_deadline_skips_the_units_national_holiday(app, make_ticket):
    SupportUnit.create(name="CREAM", kind="third_line", sla_level="level2",
                       timezone="Europe/Rome", country="IT")  # fmt: skip
    SupportUnit.create(name="dCache", kind="third_line", sla_level="level2")
    # one working day: Thursday 10:00 in Amsterdam, but Friday 10:00 in Rome (Thursday is a
    # holiday there)
    assert clock_due(make_ticket, "dCache", 91001) == datetime(2013, 4, 25, 8, tzinfo=UTC)
    assert clock_due(make_ticket, "CREAM", 91002) == datetime(2013, 4, 26, 8, tzinfo=UTC)


def test_changing_a_units_working_time_makes_its_clocks_stale_until_refreshed(app, make_ticket):
    unit = SupportUnit.create(name="CREAM", kind="third_line", sla_level="level2")
    make_ticket(91003, priority="very urgent",
                events=[{"at": START, "type": "assigned", "support_unit": "CREAM"}])  # fmt: skip
    ticket = Ticket.get(Ticket.ggus_id == 91003)
    with app.app_context():
        assert stored_clocks.stale_tickets() == []
        unit.timezone, unit.country = "Europe/Rome", "IT"
        unit.save()
        assert stored_clocks.stale_tickets() == [ticket.id]
        assert stored_clocks.refresh_stale() == 1
        assert stored_clocks.stale_tickets() == []
    assert SlaClock.get(SlaClock.ticket == ticket).due_at == datetime(2013, 4, 26, 8, tzinfo=UTC)


def test_the_units_file_may_give_a_working_time(app, tmp_path):
    path = tmp_path / "support_units.csv"
    path.write_text(
        "name,kind,sla_level,contact_email,description,timezone,country,working_hours\n"
        "UNICORE,third_line,level1,,UNICORE team,Europe/Berlin,de,08:00-16:00\n"
    )
    assert content.load_support_units(path) == 1
    unit = SupportUnit.named("UNICORE")
    assert (unit.timezone, unit.country, unit.working_hours) == (
        "Europe/Berlin",
        "DE",
        "08:00-16:00",
    )


def test_the_shipped_units_work_in_their_teams_countries(app):
    """content/support_units.csv gives each product team whose home institution is known its
    zone and country (CREAM at INFN, dCache at DESY, L&B at CESNET, GGUS at KIT, ...); the
    1st and 2nd line and a team spread over several countries keep the site's calendar."""
    content.load_all()
    zones = {unit.name: (unit.timezone, unit.country) for unit in SupportUnit.select()}
    assert zones["CREAM"] == ("Europe/Rome", "IT")
    assert zones["dCache"] == ("Europe/Berlin", "DE")
    assert zones["L&B"] == ("Europe/Prague", "CZ")
    assert zones["GGUS"] == ("Europe/Berlin", "DE")
    assert zones["DMSU"] == zones["TPM"] == zones["NORDUGRID-ARC"] == ("", "")
    known = [unit for unit in SupportUnit.select() if unit.country]
    assert len(known) >= 20
    for unit in known:  # every shipped setting is one the calendar accepts
        assert unit_calendars.calendar_for(unit, SITE).tz == unit.timezone
