"""Monitoring user forums (issue 21). Seed 000: "Monitoring and contribution to these forums is
therefore one of DMSU tasks. Trivial issues can be resolved on the spot ... More complicated
issues are either linked to existing tickets if they exist, or new tickets are spawned."
Mail from the lists DMSU follows (IMAP, mbox, LISTSERV notebooks) and ARC Bugzilla, threaded,
linked to tickets, turned into tickets, counted."""
