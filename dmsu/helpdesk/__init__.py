"""Living with the helpdesk (issue 20): the connector to GGUS on Zammad. Seed 000: "The
tracking of all issues will be conducted using GGUS". Tickets are pulled (webhook and
incremental poll) into the site's one import path, and DMSU's steps are pushed back through
an outbox."""
