"""Words for the demo tickets: subjects, descriptions and diary entries that read like GGUS
tickets about middleware and name the component (by name, alias or a characteristic keyword)
most of the time, so the cheat sheet's routing suggestions can be measured on them."""

from __future__ import annotations

import re

SYMPTOMS = {
    "incident": (
        "fails after upgrade to {version}",
        "crashes under load",
        "returns an authorization error for valid proxies",
        "stops publishing after a restart",
        "memory grows until the service is killed",
        "times out on every request since the last update",
        "logs a null pointer exception at startup",
        "rejects jobs with an internal error",
        "reports wrong numbers to the accounting",
        "hangs when the disk is full",
    ),
    "configuration": (
        "configuration with YAIM fails on the site",
        "wrong default in the configuration after upgrade to {version}",
        "how to configure it behind a firewall",
        "does not start with the recommended configuration",
        "certificate setup rejected after reconfiguration",
    ),
    "usage": (
        "how to use it with a VO proxy",
        "unclear error message when submitting",
        "which option limits the number of connections",
        "cannot find the log of a failed request",
    ),
    "documentation": (
        "documentation of {version} misses the upgrade steps",
        "man page describes an option that no longer exists",
        "release notes of {version} are incomplete",
    ),
    "change request": (
        "support for a newer operating system release",
        "please add a switch to disable the old protocol",
        "request for IPv6 support",
        "make the log level configurable at run time",
    ),
}
GENERIC_SUBJECTS = (
    "Jobs failing at our site since yesterday",
    "Service degraded after the security update",
    "Strange errors in the logs",
    "Site fails the availability tests",
    "Problem after the middleware upgrade",
)
DESCRIPTION = (
    "Dear supporters,\n\n{opening} {detail}\n\nThe problem started on {day} and affects "
    "all users of the site. We attach nothing sensitive here; logs are available on request.\n\n"
    "Regards,\n{submitter}"
)
OPENINGS = (
    "On our production instance the {mention} {symptom}.",
    "After the last update the {mention} {symptom}.",
    "We see that the {mention} {symptom}.",
)
GENERIC_OPENINGS = (
    "Since the last maintenance our service does not work as before.",
    "Users report failures and we could not find the cause yet.",
)
DETAILS = (
    "Restarting the service helps for a few hours only.",
    "The same setup worked with the previous version.",
    "Other sites in the region report the same behaviour.",
    "Nothing changed in the site configuration.",
)
ASK_INFO = (
    "Could you send the full log of the service and the exact version installed?",
    "Please tell us which operating system release and which configuration you use.",
    "Can you reproduce it with debug logging switched on and send the output?",
)
SUBMITTER_REPLY = (
    "Here is the requested information: the version is the latest from UMD, logs attached.",
    "We switched debug logging on; the error appears right after the restart.",
    "Thanks, we checked and the configuration is the default one.",
)
SOLUTIONS = (
    "This is a configuration problem: set the option as described in the admin guide and "
    "restart the service. The submitter confirmed it works now.",
    "The behaviour is expected with this setup; use the documented workaround of the known "
    "issue list. Solved.",
    "The site used an outdated CA bundle. After updating the CA certificates the service works.",
    "A usage question: the answer is in the user guide, section on proxies. Solved.",
)
THIRD_LINE_NOTES = (
    "A software defect: reproduced on a test instance with the default configuration. Steps to "
    "reproduce and the relevant log lines are in the ticket.",
    "Looks like a regression of the last release; the affected code is the request handler.",
    "We could not analyse this further for lack of expertise; please have a look.",
)
THIRD_LINE_REPLIES = (
    "We are looking into it.",
    "Confirmed, a fix is being prepared.",
    "Thanks for the detailed report, we reproduced it.",
)
BACK_TO_TPM = (
    "Not a middleware issue: this is an operational problem of the site. Back to TPM.",
    "This concerns the site batch system setup, not the middleware. Back to TPM.",
)
IMPACTS = (
    "All sites running this version can be affected after the upgrade.",
    "Sites publishing through this service may disappear from the information system.",
)
WORKAROUNDS = (
    "Restart the service daily until the fix is released.",
    "Roll back to the previous version from the UMD repository.",
    "Set the option to its old value in the site configuration.",
)
SUBMITTERS = (
    "Jan Novak", "Maria Rossi", "Peter Schmidt", "Ana Silva", "Tomasz Kowalski",
    "Eva Horvath", "Luc Martin", "Ingrid Berg", "Miguel Garcia", "Sofia Papadopoulou",
)  # fmt: skip
SITES = ("prague", "infn-t1", "kit", "cesga", "cyfronet", "grnet", "ifca", "nikhef", "ral")
_STOP = frozenset(
    [
        "with",
        "and",
        "the",
        "for",
        "from",
        "into",
        "that",
        "this",
        "over",
        "under",
        "their",
        "which",
        "service",
        "element",
        "system",
        "systems",
        "support",
    ]
)


def keywords(description: str) -> list[str]:
    """Characteristic words of a component, from its cheat-sheet description."""
    words = re.findall(r"[A-Za-z][A-Za-z0-9.-]{3,}", description or "")
    return [w for w in words if w.lower() not in _STOP][:6]
