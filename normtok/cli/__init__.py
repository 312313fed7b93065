"""The ``normtok`` command line: one verb per job, the same ``--format`` on every verb."""

from __future__ import annotations

import importlib
import sys

import click

from .. import __version__
from ..errors import NormtokError

#: Every verb lives in its own module and is imported only when it runs, so that
#: ``normtok count`` does not pay for numpy, pyarrow or the audit machinery.
COMMANDS: dict[str, tuple[str, str]] = {
    "count": ("count", "count"),
    "models": ("models", "models"),
    "nt": ("spec", "nt_command"),
    "compare": ("compare", "compare"),
    "convert": ("convert", "convert"),
    "audit": ("audit", "audit_cmd"),
    "corpus": ("corpus", "corpus"),
    "tables": ("tables", "tables"),
    "report": ("report", "report"),
    "spec": ("spec", "spec"),
}


class NormtokGroup(click.Group):
    """Loads verbs lazily and turns user errors into a message and an exit code, never a traceback."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module, attr = COMMANDS[cmd_name]
        return getattr(importlib.import_module(f".{module}", __name__), attr)

    def invoke(self, ctx: click.Context):  # type: ignore[no-untyped-def]
        try:
            return super().invoke(ctx)
        except NormtokError as exc:
            click.echo(f"normtok: error: {exc}", err=True)
            sys.exit(exc.exit_code)
        except BrokenPipeError:
            sys.stderr.close()
            sys.exit(0)
        except KeyboardInterrupt:
            click.echo("normtok: interrupted", err=True)
            sys.exit(130)


@click.group(cls=NormtokGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-V", prog_name="normtok")
def main() -> None:
    """Exact token counts across vendors, and the normalized token (NT)."""
