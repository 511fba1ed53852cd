"""Command line: ``python -m dashboard <command>``.

Commands: ``demo`` (write the demo database), ``ensure-demo`` (only if missing),
``check-sources`` (validate the source mapping), ``display-link`` (read-only links for wall
screens), ``data-dictionary`` (regenerate docs).
"""

from __future__ import annotations

import argparse
import os
import sys

from dashboard.config import PROJECT_ROOT, default_database_url, settings_from_env
from dashboard.errors import ConfigError


def _settings():
    return settings_from_env(os.environ, dotenv_path=PROJECT_ROOT / ".env")


def check_sources_command() -> int:
    """Print one line per dataset; exit 1 when any mapping is wrong."""
    from dashboard.sources.check import check_sources, format_reports
    from dashboard.sources.engines import make_source_engine
    from dashboard.sources.mapping import Sources, load_mappings

    settings = _settings()
    sources = Sources(
        make_source_engine(settings.database_url, settings),
        load_mappings(settings.sources_file),
        lambda url: make_source_engine(url, settings),
    )
    try:
        reports = check_sources(sources)
    finally:
        sources.dispose()
    print(format_reports(reports))
    return 0 if all(r.ok for r in reports) else 1


def display_link_command(action: str, argument: str) -> int:
    """Create, list or revoke read-only display links (kept in the app store)."""
    import getpass

    from dashboard.store.sql import SqlAppStore

    settings = _settings()
    store = SqlAppStore(settings.store_url, timeout_s=settings.pool_timeout_s)
    try:
        store.upgrade()
        if action == "create":
            if not argument.strip():
                print("error: give the screen a label, e.g. display-link create 'Hall 3'", file=sys.stderr)
                return 2
            record, token = store.create_display_token(argument.strip()[:100], getpass.getuser())
            print(f"Display link {record.token_id} for {record.label!r} (shown once; keep it like a password):")
            print(f"  /wall?display={token}&<your playlist parameters>")
            return 0
        if action == "list":
            for link in store.display_tokens():
                state = f"revoked {link.revoked_at:%Y-%m-%d %H:%M}" if link.revoked_at else "active"
                print(f"{link.token_id:>4}  {link.label:<30} {state:<24} made {link.created_at:%Y-%m-%d} by {link.created_by}")
            return 0
        if not argument.isdigit():
            print("error: revoke needs the link's id (see display-link list)", file=sys.stderr)
            return 2
        if store.revoke_display_token(int(argument)):
            print(f"Revoked display link {argument}; its screens stop within a minute.")
            return 0
        print(f"No active display link {argument}.", file=sys.stderr)
        return 1
    finally:
        store.dispose()


def main(argv: list[str] | None = None) -> int:
    """Run one command and return its exit code."""
    parser = argparse.ArgumentParser(prog="python -m dashboard")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("demo", help="write the demo database (see --help)", add_help=False)
    commands.add_parser("ensure-demo", help="write the demo database if it does not exist yet")
    commands.add_parser("check-sources", help="check every dataset's mapping against the canonical schema")
    links = commands.add_parser("display-link", help="read-only links for wall screens (create LABEL | list | revoke ID)")
    links.add_argument("action", choices=("create", "list", "revoke"))
    links.add_argument("argument", nargs="?", default="", help="the screen's label (create) or the link's id (revoke)")
    dictionary = commands.add_parser("data-dictionary", help="write docs/data-dictionary.md")
    dictionary.add_argument("--output", default=str(PROJECT_ROOT / "docs" / "data-dictionary.md"))
    args, rest = parser.parse_known_args(argv)
    try:
        if args.command == "demo":
            from dashboard.sources import demo

            return demo.main(rest)
        if rest:
            parser.error(f"unrecognized arguments: {' '.join(rest)}")
        if args.command == "ensure-demo":
            from dashboard.sources import demo

            settings = _settings()
            if settings.database_url != default_database_url():
                print("DASHBOARD_DATABASE_URL is not the embedded demo database; not writing demo data.")
                return 0
            if demo.ensure_demo(settings.database_url, settings.demo_scale):
                print(f"Wrote the {settings.demo_scale} demo database.")
            return 0
        if args.command == "check-sources":
            return check_sources_command()
        if args.command == "display-link":
            return display_link_command(args.action, args.argument)
        from dashboard.sources.dictionary import data_dictionary

        with open(args.output, "w", encoding="utf-8") as handle:
            handle.write(data_dictionary())
        print(f"Wrote {args.output}")
        return 0
    except ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
