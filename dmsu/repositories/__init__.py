"""The UMD release stage, automated from the repositories (issue 22). Seed 001: "Because the
information of released components is available in the UMD repository, this step can be
automated." yum/dnf and apt repositories are scanned; what is new is recorded as releases
through the workflow, which closes the tickets waiting in UMD release."""
