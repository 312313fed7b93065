"""The ``normtok`` command line: one verb per job, the same ``--format`` on every verb."""

from __future__ import annotations

import sys

import click

from .. import __version__
from ..errors import NormtokError


class NormtokGroup(click.Group):
    """Turns user errors into a message and an exit code, never a traceback."""

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


# subcommands: each verb lives in its own module and is registered here, one line each.
from .audit import audit_cmd  # noqa: E402
from .compare import compare  # noqa: E402
from .convert import convert  # noqa: E402
from .count import count  # noqa: E402
from .corpus import corpus  # noqa: E402
from .models import models  # noqa: E402
from .report import report  # noqa: E402
from .spec import nt_command, spec  # noqa: E402
from .tables import tables  # noqa: E402

main.add_command(count)
main.add_command(corpus)
main.add_command(models)
main.add_command(tables)
main.add_command(convert)
main.add_command(compare)
main.add_command(report)
main.add_command(audit_cmd)
main.add_command(nt_command)
main.add_command(spec)
