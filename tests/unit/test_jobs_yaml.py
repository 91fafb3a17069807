"""The Toolforge deployment files: jobs.yaml, Procfile, requirements.txt, .python-version.

Toolforge reads these files only when an operator runs ``toolforge build start``
or ``toolforge jobs load``, long after a change was merged, and then fails with
one terse line (or, worse, runs the wrong thing every ten minutes). These tests
hold the files to the rules the Toolforge Jobs Framework applies, as its command
line (``RUN_ARGS`` and ``get_api_payload`` in toolforge-jobs-framework-cli) and
its API (job names and ``CronExpression.parse`` in jobs-api) write them, and to
the ``hubbot`` command line itself.

The checks are small pure functions returning problems in plain words; the
tables at the end show that each one rejects what it must.
"""

from __future__ import annotations

import argparse
import re
import shlex
import tomllib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from bots.cli import build_parser
from bots.config import load_config

REPO = Path(__file__).resolve().parents[2]
JOBS_FILE = REPO / "jobs.yaml"
PROCFILE = REPO / "Procfile"
REQUIREMENTS = REPO / "requirements.txt"
PYTHON_VERSION_FILE = REPO / ".python-version"
PYPROJECT = REPO / "pyproject.toml"

# --- the framework's rules ---------------------------------------------------------

#: Keys `toolforge jobs load` turns into `toolforge jobs run` options; any other
#: key makes the whole load fail.
ALLOWED_KEYS = frozenset(
    {
        "name",
        "command",
        "image",
        "schedule",
        "continuous",
        "wait",
        "emails",
        "mem",
        "cpu",
        "retry",
        "mount",
        "timeout",
        "filelog",
        "no-filelog",
        "filelog-stdout",
        "filelog-stderr",
        "health-check-script",
        "health-check-http",
        "port",
        "replicas",
    }
)
REQUIRED_KEYS = ("name", "command", "image")
#: Kubernetes object names (lowercase RFC 1123); CronJobs allow at most 52 characters.
JOB_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?([.][a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
JOB_NAME_MAX_LENGTH = 52
EMAIL_OPTIONS = frozenset({"none", "all", "onfinish", "onfailure"})
MOUNT_OPTIONS = frozenset({"all", "none"})
RETRY_RANGE = range(0, 6)
#: An image made by the build service: tool-<tool>/<image name>:<tag>.
BUILDSERVICE_IMAGE = re.compile(
    r"^tool-[a-z0-9]([-a-z0-9]*[a-z0-9])?/[a-z0-9][-a-z0-9._]*:[\w.-]+$"
)
#: Kubernetes quantities: a decimal number with an optional suffix.
QUANTITY = re.compile(
    r"^(?P<number>\d+(\.\d+)?|\.\d+)(?P<suffix>Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E)?$"
)
QUANTITY_FACTORS = {
    "": Decimal(1),
    "m": Decimal("0.001"),
    "k": Decimal(10) ** 3,
    "M": Decimal(10) ** 6,
    "G": Decimal(10) ** 9,
    "T": Decimal(10) ** 12,
    "P": Decimal(10) ** 15,
    "E": Decimal(10) ** 18,
    "Ki": Decimal(2) ** 10,
    "Mi": Decimal(2) ** 20,
    "Gi": Decimal(2) ** 30,
    "Ti": Decimal(2) ** 40,
    "Pi": Decimal(2) ** 50,
    "Ei": Decimal(2) ** 60,
}

# --- cron, as the Jobs Framework reads it ------------------------------------------


class CronError(ValueError):
    """A schedule the Jobs Framework would refuse."""


@dataclass(frozen=True)
class CronField:
    name: str
    low: int
    high: int
    names: Mapping[str, int]


CRON_FIELDS = (
    CronField("minute", 0, 59, {}),
    CronField("hour", 0, 23, {}),
    CronField("day of month", 1, 31, {}),
    CronField("month", 1, 12, {}),
    CronField(
        "day of week",
        0,
        6,
        {"7": 0, "sun": 0, "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6},
    ),
)
#: The framework replaces each fixed number of a macro by a time it picks per
#: job (to spread the load); the spacing between runs stays the same.
CRON_MACROS = {
    "@hourly": "0 * * * *",
    "@daily": "0 0 * * *",
    "@weekly": "0 0 * * 0",
    "@monthly": "0 0 1 * *",
    "@yearly": "0 0 1 1 *",
}


@dataclass(frozen=True)
class Cron:
    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]
    #: cron's rule: when both day fields are restricted, either one matching is enough
    days_restricted: bool
    weekdays_restricted: bool

    def matches(self, when: datetime) -> bool:
        if when.minute not in self.minutes or when.hour not in self.hours:
            return False
        if when.month not in self.months:
            return False
        day_ok = when.day in self.days
        weekday_ok = (when.isoweekday() % 7) in self.weekdays
        if self.days_restricted and self.weekdays_restricted:
            return day_ok or weekday_ok
        return day_ok and weekday_ok


def _number(text: str, field: CronField, expression: str) -> int:
    value = field.names.get(text, text)
    try:
        number = int(value)
    except ValueError:
        raise CronError(
            f'The schedule "{expression}" has "{text}" as its {field.name}, which is not a number.'
        ) from None
    if not field.low <= number <= field.high:
        raise CronError(
            f'The schedule "{expression}" has {number} as its {field.name}; '
            f"it must be between {field.low} and {field.high}."
        )
    return number


def _cron_field(text: str, field: CronField, expression: str) -> frozenset[int]:
    """One field: ``*``, ``N``, ``A-B``, ``*/S``, ``N/S`` and lists of these.

    Like the Jobs Framework, a step after a range (``A-B/S``) is refused.
    """
    values: set[int] = set()
    for entry in text.split(","):
        step = 1
        if "/" in entry:
            if "-" in entry:
                raise CronError(
                    f'The schedule "{expression}" uses a step after a range ("{entry}"), '
                    "which Toolforge does not accept; list the values instead."
                )
            entry, step_text = entry.split("/", 1)
            try:
                step = int(step_text)
            except ValueError:
                raise CronError(
                    f'The schedule "{expression}" has the step "{step_text}", which is not a number.'
                ) from None
            if step == 0 or step < field.low or step > field.high:
                raise CronError(
                    f'The schedule "{expression}" has the step {step} for its {field.name}, '
                    f"which is out of range."
                )
        if entry == "*":
            start, end = field.low, field.high
        elif "-" in entry:
            first, last = entry.split("-", 1)
            start, end = _number(first, field, expression), _number(last, field, expression)
            if start > end:
                raise CronError(f'The schedule "{expression}" has the backwards range "{entry}".')
        else:
            start = _number(entry, field, expression)
            end = field.high if step != 1 else start
        values.update(range(start, end + 1, step))
    return frozenset(values)


def parse_cron(expression: str) -> Cron:
    """Read a schedule the way `toolforge jobs` does, or raise :class:`CronError`."""
    if not isinstance(expression, str) or not expression.strip():
        raise CronError("The schedule is empty.")
    text = expression.strip()
    if text.startswith("@"):
        if text not in CRON_MACROS:
            raise CronError(
                f'The schedule "{expression}" is not one of the macros Toolforge knows: '
                f"{', '.join(CRON_MACROS)}."
            )
        text = CRON_MACROS[text]
    parts = text.lower().split()
    if len(parts) != 5:
        raise CronError(
            f'The schedule "{expression}" has {len(parts)} fields; cron needs 5 '
            "(minute, hour, day of month, month, day of week)."
        )
    minutes, hours, days, months, weekdays = (
        _cron_field(part, field, expression) for part, field in zip(parts, CRON_FIELDS, strict=True)
    )
    return Cron(
        minutes,
        hours,
        days,
        months,
        weekdays,
        days_restricted=parts[2] != "*",
        weekdays_restricted=parts[4] != "*",
    )


def firings(cron: Cron, start: datetime, days: int) -> Iterator[datetime]:
    """Every start of ``cron`` in the ``days`` days from ``start`` (midnight), in order."""
    for offset in range(days):
        day = start + timedelta(days=offset)
        if not cron.matches(day.replace(hour=min(cron.hours), minute=min(cron.minutes))):
            continue
        for hour in sorted(cron.hours):
            for minute in sorted(cron.minutes):
                yield day.replace(hour=hour, minute=minute)


def shortest_interval(expression: str, days: int = 62) -> timedelta:
    """The shortest time between two starts of a schedule, looked at over ``days`` days.

    Two months catch every gap up to a month (a 31st, February, a weekday rule).
    A schedule that fires at most once in that window counts as ``days`` apart.
    """
    times = list(firings(parse_cron(expression), datetime(2027, 1, 1), days))
    if len(times) < 2:
        return timedelta(days=days)
    return min(later - earlier for earlier, later in zip(times, times[1:], strict=False))


# --- jobs ----------------------------------------------------------------------------

#: What a run needs besides its budget before the next start: logging in, the
#: file in flight when the budget runs out, the final status page.
RUN_MARGIN = timedelta(seconds=60)


def quantity(text: object) -> Decimal | None:
    """A Kubernetes quantity as a number, or None when it is not one."""
    match = QUANTITY.match(str(text))
    if not match:
        return None
    try:
        return Decimal(match["number"]) * QUANTITY_FACTORS[match["suffix"] or ""]
    except InvalidOperation:  # pragma: no cover - the pattern only lets numbers through
        return None


def job_problems(job: object) -> list[str]:
    """Everything `toolforge jobs load` (or the job, once running) would trip over."""
    if not isinstance(job, dict):
        return [f"Each job must be a mapping of keys to values, not {job!r}."]
    name = job.get("name", "(unnamed)")
    where = f"The job {name}"
    problems: list[str] = []
    unknown = sorted(set(job) - ALLOWED_KEYS)
    if unknown:
        problems.append(
            f"{where} has keys the Jobs Framework does not know: {', '.join(unknown)} "
            f"(known: {', '.join(sorted(ALLOWED_KEYS))})."
        )
    for key in REQUIRED_KEYS:
        if not isinstance(job.get(key), str) or not job[key].strip():
            problems.append(f"{where} needs the key {key} (text).")
    if isinstance(job.get("name"), str):
        if len(name) > JOB_NAME_MAX_LENGTH:
            problems.append(
                f"{where} has a name of {len(name)} characters; at most {JOB_NAME_MAX_LENGTH}."
            )
        if not JOB_NAME.match(name):
            problems.append(
                f"{where}: a name may hold only lowercase letters, digits, '-' and '.', "
                "and must start and end with a letter or digit."
            )
    scheduled = "schedule" in job
    continuous = job.get("continuous") is True
    if "continuous" in job and not isinstance(job["continuous"], bool):
        problems.append(f"{where}: continuous must be true or false.")
    if scheduled and continuous:
        problems.append(f"{where} is both scheduled and continuous; choose one.")
    if "wait" in job and (scheduled or continuous):
        problems.append(f"{where}: wait is only for one-off jobs.")
    if scheduled:
        try:
            parse_cron(job["schedule"])
        except CronError as e:
            problems.append(f"{where}: {e}")
    if "timeout" in job:
        timeout = job["timeout"]
        if not scheduled:
            problems.append(f"{where}: timeout is only for scheduled jobs.")
        if not isinstance(timeout, int) or isinstance(timeout, bool) or timeout < 0:
            problems.append(f"{where}: timeout must be a whole number of seconds.")
    if "emails" in job and job["emails"] not in EMAIL_OPTIONS:
        problems.append(
            f"{where}: emails must be one of {', '.join(sorted(EMAIL_OPTIONS))}, "
            f"not {job['emails']!r}."
        )
    if "retry" in job and (
        not isinstance(job["retry"], int)
        or isinstance(job["retry"], bool)
        or job["retry"] not in RETRY_RANGE
    ):
        problems.append(f"{where}: retry must be a whole number from 0 to 5.")
    if "mount" in job and job["mount"] not in MOUNT_OPTIONS:
        problems.append(f"{where}: mount must be all or none, not {job['mount']!r}.")
    for key in ("mem", "cpu"):
        if key in job and not quantity(job[key]):
            problems.append(
                f"{where}: {key} must be a Kubernetes quantity such as 512Mi, 1Gi or 0.5, "
                f"not {job[key]!r}."
            )
    for key in ("filelog", "no-filelog"):
        if key in job and not isinstance(job[key], bool):
            problems.append(f"{where}: {key} must be true or false.")
    if job.get("filelog") is True and job.get("no-filelog") is True:
        problems.append(f"{where} sets both filelog and no-filelog.")
    image = job.get("image")
    buildservice = isinstance(image, str) and "/" in image
    if isinstance(image, str) and buildservice and not BUILDSERVICE_IMAGE.match(image):
        problems.append(
            f"{where}: the image {image!r} does not look like a build service image "
            "(tool-<tool>/<name>:<tag>)."
        )
    filelog = job.get("filelog", not buildservice) is True and job.get("no-filelog") is not True
    mount = job.get("mount", "none" if buildservice else "all")
    if filelog and mount != "all":
        problems.append(
            f"{where} writes log files to the tool's home, which it only sees with mount: all."
        )
    if ("filelog-stdout" in job or "filelog-stderr" in job) and not filelog:
        problems.append(f"{where}: filelog-stdout and filelog-stderr need filelog: true.")
    for key in ("health-check-script", "health-check-http", "port", "replicas"):
        if key in job and not continuous:
            problems.append(f"{where}: {key} is only for continuous jobs.")
    return problems


def jobs_file_problems(jobs: object) -> list[str]:
    """Problems with the file as a whole, then with each job."""
    if not isinstance(jobs, list) or not jobs:
        return ["jobs.yaml must hold a list of jobs."]
    problems = [p for job in jobs for p in job_problems(job)]
    names = [job.get("name") for job in jobs if isinstance(job, dict)]
    twice = sorted({n for n in names if names.count(n) > 1 and isinstance(n, str)})
    if twice:
        problems.append(f"Job names must be unique; used more than once: {', '.join(twice)}.")
    return problems


# --- the hubbot command line ---------------------------------------------------------


def subcommands(parser: argparse.ArgumentParser) -> frozenset[str]:
    """The COMMANDs ``hubbot`` knows today."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return frozenset(action.choices)
    return frozenset()


def hubbot_argv(command: str, *, launcher: bool) -> list[str]:
    """The arguments after ``hubbot`` in a job's command line."""
    words = shlex.split(command)
    if launcher:
        if not words or words[0] != "launcher":
            raise ValueError(
                f"The command {command!r} must start with launcher, which sets up the "
                "Python and packages the build service installed."
            )
        words = words[1:]
    if not words or words[0] != "hubbot":
        raise ValueError(f"The command {command!r} does not run hubbot.")
    return words[1:]


def parse_hubbot(argv: Sequence[str]) -> argparse.Namespace:
    """Parse like ``hubbot`` does; usage errors become ValueError with argparse's words."""
    parser = build_parser()
    known = subcommands(parser)
    command = next((word for word in argv if word in known), None)
    if command is None:
        asked = next((w for w in argv if not w.startswith("-") and not w.endswith(".yaml")), "?")
        raise ValueError(f"hubbot has no command {asked!r} (it knows: {', '.join(sorted(known))}).")
    errors: list[str] = []

    def error(message: str) -> None:
        errors.append(message)
        raise SystemExit(2)

    parser.error = error  # type: ignore[method-assign,assignment]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                sub.error = error  # type: ignore[method-assign,assignment]
    try:
        return parser.parse_args(list(argv))
    except SystemExit:
        raise ValueError(f"hubbot {shlex.join(argv)}: {'; '.join(errors)}") from None


def production_environ() -> dict[str, str]:
    """What `toolforge envvars` provides in production, with stand-in values.

    Only the wiki password: the state store is the tool's ToolsDB database
    (``state.url: toolsdb``), whose credentials Toolforge itself provides.
    """
    return {"HUBBOT_WIKI_PASSWORD": "stand-in-password"}


# --- the files -----------------------------------------------------------------------


def load_jobs() -> list[dict[str, Any]]:
    return yaml.safe_load(JOBS_FILE.read_text(encoding="utf-8"))


def procfile_entries() -> dict[str, str]:
    """Process type -> command; comments and blank lines skipped."""
    entries: dict[str, str] = {}
    for number, line in enumerate(PROCFILE.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = re.match(r"^([A-Za-z0-9_-]+):\s*(\S.*)$", line)
        assert match, f"Procfile line {number} is not 'process-type: command': {line!r}"
        assert match[1] not in entries, f"Procfile defines {match[1]} twice"
        entries[match[1]] = match[2]
    return entries


JOBS = load_jobs()
COMMANDS = [pytest.param(job["command"], True, id=f"jobs.yaml:{job['name']}") for job in JOBS] + [
    pytest.param(command, False, id=f"Procfile:{name}")
    for name, command in procfile_entries().items()
]


def test_jobs_yaml_follows_the_jobs_framework_rules() -> None:
    assert jobs_file_problems(JOBS) == []


def test_the_jobs_the_spec_asks_for_are_scheduled() -> None:
    """`run` every few minutes with a budget, `impact` daily, `sync` weekly."""
    by_command: dict[str, list[dict[str, Any]]] = {}
    for job in JOBS:
        words = shlex.split(job["command"])
        command = next(w for w in words[2:] if not w.startswith("-") and not w.endswith(".yaml"))
        by_command.setdefault(command, []).append(job)
    assert sorted(by_command) == ["impact", "run", "sync"]
    assert all("schedule" in job for jobs in by_command.values() for job in jobs)
    assert shortest_interval(by_command["run"][0]["schedule"]) <= timedelta(minutes=15)
    assert shortest_interval(by_command["impact"][0]["schedule"]) == timedelta(days=1)
    assert shortest_interval(by_command["sync"][0]["schedule"]) == timedelta(weeks=1)


def test_every_job_uses_one_build_service_image_through_the_launcher() -> None:
    images = {job["image"] for job in JOBS}
    assert len(images) == 1, f"the jobs use different images: {sorted(images)}"
    assert BUILDSERVICE_IMAGE.match(images.pop())
    for job in JOBS:
        assert shlex.split(job["command"])[0] == "launcher", job["name"]


def test_every_job_mails_the_maintainers_when_it_fails_and_has_limits() -> None:
    for job in JOBS:
        assert job.get("emails") in ("onfailure", "onfinish", "all"), job["name"]
        assert quantity(job.get("mem")), f"{job['name']} sets no memory limit"
        assert quantity(job.get("cpu")), f"{job['name']} sets no CPU limit"
        assert job.get("filelog") is True and job.get("mount") == "all", job["name"]


@pytest.mark.parametrize("command, launcher", COMMANDS)
def test_each_command_is_a_hubbot_command_line(command: str, launcher: bool) -> None:
    """Fails for commands hubbot does not have yet, naming them."""
    args = parse_hubbot(hubbot_argv(command, launcher=launcher))
    assert args.command in subcommands(build_parser())
    assert args.config, f"{command!r} does not name its configuration file"


def test_the_configuration_the_jobs_use_is_valid_in_production() -> None:
    configs = {
        shlex.split(cmd)[shlex.split(cmd).index("--config") + 1]
        for cmd in [job["command"] for job in JOBS] + list(procfile_entries().values())
    }
    assert configs == {"config/commons.yaml"}
    config = load_config(REPO / configs.pop(), environ=production_environ())
    assert not config.wiki_is_local
    assert config.wiki.password == "stand-in-password"
    assert config.state.url == "toolsdb"
    # the image's own directory is not for writing: downloads go to the container's /tmp
    assert config.upload.work_dir.startswith("/tmp/")
    assert not config.sources.allow_private_addresses


def test_each_job_works_on_every_request() -> None:
    """A job limited to one request (--request) would leave the others waiting forever."""
    for job in JOBS:
        args = parse_hubbot(hubbot_argv(job["command"], launcher=True))
        assert getattr(args, "request", None) is None, job["name"]


def test_each_scheduled_run_ends_before_the_next_one_starts() -> None:
    runs = [job for job in JOBS if "run" in shlex.split(job["command"])]
    assert runs
    for job in runs:
        words = shlex.split(job["command"])
        assert "--max-seconds" in words, f"{job['name']} runs without a time budget"
        budget = timedelta(seconds=float(words[words.index("--max-seconds") + 1]))
        interval = shortest_interval(job["schedule"])
        assert budget + RUN_MARGIN <= interval, (
            f"{job['name']}: a budget of {budget} plus {RUN_MARGIN} for the last file "
            f"does not fit in {interval} between starts"
        )
        if "timeout" in job:
            assert timedelta(seconds=job["timeout"]) >= budget + RUN_MARGIN, (
                f"{job['name']}: the timeout would kill the run before its budget is used"
            )


def test_procfile_offers_every_job_and_the_install() -> None:
    entries = procfile_entries()
    procfile_commands = {shlex.join(hubbot_argv(c, launcher=False)) for c in entries.values()}
    for job in JOBS:
        assert shlex.join(hubbot_argv(job["command"], launcher=True)) in procfile_commands
    assert any("install" in shlex.split(c) for c in entries.values())


# --- requirements.txt and .python-version ----------------------------------------------


def pyproject() -> dict[str, Any]:
    return tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))


def requirement_lines() -> list[str]:
    lines = REQUIREMENTS.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_requirements_pin_every_runtime_dependency_within_pyproject_ranges() -> None:
    pins: dict[str, Version] = {}
    for line in requirement_lines():
        if line in ("-e .", "."):
            continue
        requirement = Requirement(line)
        specifiers = list(requirement.specifier)
        assert len(specifiers) == 1 and specifiers[0].operator == "==", f"not pinned: {line}"
        pins[canonical(requirement.name)] = Version(specifiers[0].version)
    declared = {
        canonical(Requirement(d).name): Requirement(d)
        for d in pyproject()["project"]["dependencies"]
    }
    assert sorted(pins) == sorted(declared)
    for name, requirement in declared.items():
        assert requirement.specifier.contains(pins[name]), (
            f"requirements.txt pins {name} {pins[name]}, outside {requirement.specifier}"
        )


def test_requirements_install_the_package_from_its_source_tree() -> None:
    """Editable: the installed package must still find wiki_templates/ beside bots/."""
    assert requirement_lines().count("-e .") == 1
    assert (REPO / "wiki_templates").is_dir()


def test_python_version_is_one_the_package_supports() -> None:
    version = PYTHON_VERSION_FILE.read_text(encoding="utf-8").strip()
    assert re.fullmatch(r"3\.\d+", version), (
        f".python-version should name a minor version: {version!r}"
    )
    assert SpecifierSet(pyproject()["project"]["requires-python"]).contains(Version(version))


# --- the checks themselves -----------------------------------------------------------

GOOD_JOB: dict[str, Any] = {
    "name": "hubbot-run",
    "command": "launcher hubbot run",
    "image": "tool-hubbot/tool-hubbot:latest",
    "schedule": "*/10 * * * *",
    "emails": "onfailure",
    "mem": "1Gi",
    "cpu": "0.5",
    "mount": "all",
    "filelog": True,
}


def test_a_good_job_has_no_problems() -> None:
    assert job_problems(GOOD_JOB) == []


@pytest.mark.parametrize(
    "change, words",
    [
        ({"memory": "1Gi"}, "does not know: memory"),
        ({"name": "Hubbot-Run"}, "lowercase"),
        ({"name": "hubbot_run"}, "lowercase"),
        ({"name": "-hubbot"}, "start and end"),
        ({"name": "h" * 53}, "at most 52"),
        ({"command": ""}, "needs the key command"),
        ({"image": None}, "needs the key image"),
        ({"schedule": "*/10 * * *"}, "4 fields"),
        ({"schedule": "0-30/10 * * * *"}, "step after a range"),
        ({"schedule": "61 * * * *"}, "between 0 and 59"),
        ({"schedule": "0 0 * jan *"}, "not a number"),
        ({"schedule": "@every10m"}, "macros"),
        ({"continuous": True}, "both scheduled and continuous"),
        ({"emails": "always"}, "emails must be one of"),
        ({"retry": 6}, "retry"),
        ({"mount": "some"}, "mount must be"),
        ({"mem": "1 GB"}, "mem must be a Kubernetes quantity"),
        ({"cpu": "half"}, "cpu must be a Kubernetes quantity"),
        ({"mount": "none"}, "mount: all"),
        ({"timeout": "1h"}, "whole number of seconds"),
        ({"port": 8000}, "only for continuous"),
        ({"filelog": False, "filelog-stdout": "x.out"}, "need filelog"),
        ({"image": "tool-hubbot/Tool:latest"}, "build service image"),
    ],
)
def test_job_problems_catches(change: dict[str, Any], words: str) -> None:
    problems = job_problems({**GOOD_JOB, **change})
    assert any(words in p for p in problems), problems


def test_timeout_without_schedule_and_wait_with_schedule_are_refused() -> None:
    one_off = {k: v for k, v in GOOD_JOB.items() if k != "schedule"}
    assert any("only for scheduled jobs" in p for p in job_problems({**one_off, "timeout": 60}))
    assert any("only for one-off" in p for p in job_problems({**GOOD_JOB, "wait": True}))


def test_jobs_file_problems_catches_duplicates_and_non_lists() -> None:
    assert jobs_file_problems([GOOD_JOB, GOOD_JOB]) == [
        "Job names must be unique; used more than once: hubbot-run."
    ]
    assert jobs_file_problems({"name": "x"}) == ["jobs.yaml must hold a list of jobs."]
    assert jobs_file_problems(["hubbot-run"])[0].startswith("Each job must be a mapping")


@pytest.mark.parametrize(
    "expression, interval",
    [
        ("*/10 * * * *", timedelta(minutes=10)),
        ("5/20 * * * *", timedelta(minutes=20)),
        ("0,30 * * * *", timedelta(minutes=30)),
        ("7 3 * * *", timedelta(days=1)),
        ("0 9-17 * * *", timedelta(hours=1)),
        ("0 0 * * mon", timedelta(weeks=1)),
        ("0 0 * * 7", timedelta(weeks=1)),
        ("0 0 1,15 * *", timedelta(days=14)),
        ("@hourly", timedelta(hours=1)),
        ("@daily", timedelta(days=1)),
        ("@weekly", timedelta(weeks=1)),
        ("@monthly", timedelta(days=28)),
    ],
)
def test_shortest_interval(expression: str, interval: timedelta) -> None:
    assert shortest_interval(expression) == interval


def test_both_day_fields_restricted_means_either_day() -> None:
    cron = parse_cron("0 0 13 * fri")
    assert cron.matches(datetime(2027, 1, 13))  # a Wednesday, the 13th
    assert cron.matches(datetime(2027, 1, 15))  # a Friday
    assert not cron.matches(datetime(2027, 1, 14))


@pytest.mark.parametrize(
    "command, launcher, words",
    [
        ("hubbot run", True, "must start with launcher"),
        ("launcher python -m bots.cli run", True, "does not run hubbot"),
        ("launcher hubbot frobnicate", True, "no command 'frobnicate'"),
        ("launcher hubbot run --max-seconds soon", True, "invalid float value"),
        ("launcher hubbot run --max-pages 3", True, "unrecognized arguments"),
    ],
)
def test_command_checks_catch(command: str, launcher: bool, words: str) -> None:
    with pytest.raises(ValueError, match=re.escape(words)):
        parse_hubbot(hubbot_argv(command, launcher=launcher))


@pytest.mark.parametrize(
    "text, value",
    [
        ("1Gi", Decimal(2**30)),
        ("512Mi", Decimal(2**29)),
        ("0.5", Decimal("0.5")),
        ("500m", Decimal("0.5")),
    ],
)
def test_quantity(text: str, value: Decimal) -> None:
    assert quantity(text) == value


@pytest.mark.parametrize("text", ["", "1 Gi", "1GB", "-1", "one"])
def test_quantity_refuses(text: str) -> None:
    assert quantity(text) is None
