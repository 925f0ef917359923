"""The `safeguard` command."""

from __future__ import annotations

import os
import sys
import traceback

import structlog
import typer
from typer.core import TyperGroup

from cli import amendments, backup, cases, commissioner, dev, evidence, governance, oncall, projections, report, retention, simulate, threshold, users
from cli import keys, services
from cli.pathway import pathway
from cli.common import fail
from configuration.files import PRIVATE_UMASK
from configuration.settings import Settings, invalid
from eventstore.master_keys import NotHeld
from pydantic import ValidationError


class Commands(TyperGroup):
    def invoke(self, ctx):  # type: ignore[no-untyped-def]
        try:
            return super().invoke(ctx)
        except NotHeld as e:  # a key read under a master-key version not configured here, by any command: which, and where
            fail(str(e))
        except ValidationError as e:
            if e.title != Settings.__name__:
                raise
            fail(invalid(e))  # a bad SAFEGUARD_ variable, by any command: which, and what it must be


app = typer.Typer(
    name="safeguard",
    help="Safeguard: durable, evidenced escalation of peer-to-peer safeguarding concerns.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    cls=Commands,
)
@app.callback()
def _private_files() -> None:
    """Whatever a command writes (a store, a backup, a pack, an export) is its owner's only; and what
    it logs goes to standard error, never into the output a script reads (`--json`)."""
    os.umask(PRIVATE_UMASK)
    if not structlog.is_configured():  # unconfigured, structlog prints to standard output
        structlog.configure(logger_factory=structlog.PrintLoggerFactory(sys.stderr))


app.command()(dev.dev)
app.command()(dev.worker)
app.command("serve")(dev.serve_command)
app.add_typer(cases.concern_app, name="concern")
app.add_typer(cases.step_app, name="step")
cases.step_app.command("amend")(amendments.amend)
app.add_typer(cases.escalation_app, name="escalation")
app.command()(cases.deadlines)
app.command()(cases.chronology)
app.command()(simulate.simulate)
app.command()(pathway)
app.command()(projections.dashboard)
app.add_typer(projections.projections_app, name="projections")
app.add_typer(governance.app, name="audit")
app.command()(governance.governance)
app.add_typer(commissioner.app, name="commissioner")
app.add_typer(threshold.app, name="threshold")
app.add_typer(report.app, name="report")
app.command()(backup.backup)
app.command()(backup.restore)
app.add_typer(evidence.app, name="evidence")
app.add_typer(retention.app, name="retention")
app.add_typer(keys.app, name="keys")
app.add_typer(users.users_app, name="users")
app.add_typer(users.tokens_app, name="tokens")
app.add_typer(oncall.app, name="oncall")
app.add_typer(services.app, name="services")
app.command("access-log")(users.access_log)



def main() -> None:
    """Console entry point. Ends with os._exit: the Temporal client's Rust threads can abort
    CPython's finalisation after a command has already succeeded (temporalio/sdk-python#300)."""
    code = 0
    try:
        app()
    except SystemExit as e:
        if isinstance(e.code, str):
            print(e.code, file=sys.stderr)
        code = e.code if isinstance(e.code, int) else 0 if e.code is None else 1
    except BaseException:
        traceback.print_exc()
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    main()
