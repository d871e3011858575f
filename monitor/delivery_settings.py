"""Validation of the delivery sections of figmon.yaml: smtp, subscribers, digest and
delivery.  Subscriber entries are checked against the channels registry (which
kinds exist, which keys each takes, what an address of each looks like); this
module knows no channel implementation."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .channels import KINDS, entry_address, subscriber_keys
from .channels.email import PASSWORD_ENV
from .errors import InputError, Problem
from .schedule import cron_trigger, zone
from .sources.base import url_finding
from .yamlio import did_you_mean

if TYPE_CHECKING:
    from .config import Settings
    from .yamlio import Located

Report = Callable[..., None]  # problem(path, message, hint="")

SMTP_KEYS: dict[str, tuple[type, ...]] = {
    "host": (str,), "port": (int,), "sender": (str,), "user": (str,),
    "password_env": (str,), "starttls": (bool,), "ssl": (bool,), "timeout": (int, float),
    "ca_file": (str,),
}
DIGEST_KEYS = {"cron", "timezone", "subject_prefix", "max_per_figure", "reports_url"}
DELIVERY_KEYS = {"retries", "backoff"}


def validate_delivery(settings: Settings, located: Located | None) -> list[Problem]:
    """Check the smtp, subscribers, digest and delivery sections; every problem at once."""
    data = located.data if located is not None and isinstance(located.data, dict) else {}
    out: list[Problem] = []

    def problem(path: tuple[str | int, ...], msg: str, hint: str = "") -> None:
        if located is None:
            out.append(Problem("figmon.yaml", None, None, msg, hint))
        else:
            out.append(located.problem(path, msg, hint))

    if isinstance(smtp := data.get("smtp"), dict):
        _check_smtp(settings, smtp, problem)
    if isinstance(subs := data.get("subscribers"), list):
        _check_subscribers(subs, problem)
    if isinstance(dig := data.get("digest"), dict):
        _check_digest(dig, problem)
    if isinstance(dlv := data.get("delivery"), dict):
        _check_delivery(dlv, problem)
    return out


def _check_smtp(settings: Settings, smtp: dict[str, Any], problem: Report) -> None:
    """Known keys of the right types, a host, a readable CA file, not ssl and starttls."""
    for key, given in smtp.items():
        value: Any = given
        path = ("smtp", str(key))
        if key == "password":
            problem(path, "'password' must not be written in the config file",
                    f"remove it and set {PASSWORD_ENV} in the environment, or name "
                    "another variable with 'password_env:'")
        elif key not in SMTP_KEYS:
            problem(path, f"unknown key 'smtp.{key}'", did_you_mean(str(key), SMTP_KEYS))
        elif not _type_ok(value, SMTP_KEYS[key]):
            want = {str: "a string", int: "a whole number", bool: "true or false"}.get(
                SMTP_KEYS[key][0], "a number")
            problem(path, f"'smtp.{key}' must be {want}", f"got {value!r}")
        elif key == "port" and not 0 < int(value) < 65536:
            problem(path, f"'smtp.port' {value} is not a port", "use 1–65535, e.g. 587")
        elif key == "timeout" and float(value) <= 0:
            problem(path, "'smtp.timeout' must be positive", "seconds, e.g. 30")
        elif key == "ca_file" and not settings.resolve(str(value)).is_file():
            problem(path, f"'smtp.ca_file' {value!r} is not a file",
                    "give the PEM file of the CA that signed the mail server's "
                    "certificate (relative paths are read from the config's folder)")
        elif key == "sender" and "@" not in str(value):
            problem(path, f"'smtp.sender' {value!r} is not an e-mail address",
                    "e.g. figmon@example.org")
    if not smtp.get("host"):
        problem(("smtp",), "'smtp' needs a 'host'",
                "name the mail server (host: smtp.example.org), or remove the smtp "
                "section to write messages to the outbox folder")
    if smtp.get("ssl") is True and smtp.get("starttls") is True:
        problem(("smtp", "ssl"), "'smtp.ssl' and 'smtp.starttls' are both on",
                "use ssl: true for port 465, or starttls: true for port 587, not both")


def _check_digest(dig: dict[str, Any], problem: Report) -> None:
    """Known keys; a cron expression and a time zone APScheduler accepts; an http(s)
    reports_url."""
    for key, value in dig.items():
        path = ("digest", str(key))
        if key not in DIGEST_KEYS:
            problem(path, f"unknown key 'digest.{key}'", did_you_mean(str(key), DIGEST_KEYS))
        elif key == "max_per_figure":
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                problem(path, "'digest.max_per_figure' must be a whole number ≥ 1",
                        f"got {value!r}")
        elif not isinstance(value, str):
            problem(path, f"'digest.{key}' must be a string", f"got {value!r}")
        elif key == "reports_url" and value and url_finding(key, value):
            problem(path, f"'digest.reports_url: {value}' is not an http(s) address",
                    "give the address the reports folder is served at, e.g. "
                    "https://figmon.example.org/reports/")
        elif key == "timezone":
            try:
                zone(value)
            except ValueError:
                problem(path, f"'digest.timezone' {value!r} is not a known time zone",
                        "use an IANA name such as UTC, Europe/Kyiv or Asia/Seoul")
        elif key == "cron":
            try:
                cron_trigger(value)
            except ValueError as exc:
                problem(path, f"'digest.cron' {value!r} is not a cron expression ({exc})",
                        "five fields: minute hour day month weekday, e.g. '0 7 * * *'")


def _check_delivery(dlv: dict[str, Any], problem: Report) -> None:
    """retries: a whole number ≥ 0; backoff: seconds ≥ 0."""
    for key, value in dlv.items():
        path = ("delivery", str(key))
        if key not in DELIVERY_KEYS:
            problem(path, f"unknown key 'delivery.{key}'",
                    did_you_mean(str(key), DELIVERY_KEYS))
        elif key == "retries" and (isinstance(value, bool) or not isinstance(value, int)
                                   or value < 0):
            problem(path, "'delivery.retries' must be a whole number ≥ 0", f"got {value!r}")
        elif key == "backoff" and (isinstance(value, bool)
                                   or not isinstance(value, int | float) or value < 0):
            problem(path, "'delivery.backoff' must be seconds ≥ 0", f"got {value!r}")


def _check_subscribers(subs: list[Any], problem: Report) -> None:
    """Each entry: exactly one channel key with a valid address, that channel's keys,
    figures, cadence; no address twice.  The channels registry gives the schema."""
    allowed = subscriber_keys()
    every: set[str] = set().union(*allowed.values())
    seen: set[str] = set()
    for i, sub in enumerate(subs):
        base: tuple[str | int, ...] = ("subscribers", i)
        if not isinstance(sub, dict):
            problem(base, "a subscriber must be a mapping",
                    "write '- email: analyst@example.org'")
            continue
        kinds = [k for k in KINDS if k in sub]
        for key in sub:
            if key == "password":
                problem(base + (str(key),), "passwords do not belong to subscribers",
                        f"remove it; the SMTP password comes from {PASSWORD_ENV}")
            elif key not in every:
                problem(base + (str(key),), f"unknown key '{key}' in a subscriber",
                        did_you_mean(str(key), every))
            elif len(kinds) == 1 and key not in allowed[kinds[0]]:
                problem(base + (str(key),), f"'{key}' does not apply to a {kinds[0]} "
                        "subscriber", f"{kinds[0]} subscribers take: "
                        f"{', '.join(sorted(allowed[kinds[0]]))}")
        try:
            _, address = entry_address(sub)
        except InputError as exc:
            where = base + ((kinds[0],) if len(kinds) == 1 else ())
            if not kinds or kinds == ["email"]:
                # the wording e-mail-only configs have always had
                problem(where, f"subscriber {i + 1} needs a valid 'email'",
                        "e.g. email: analyst@example.org" + (
                            "; or webhook: / apprise: instead" if not kinds else ""))
            else:
                problem(where, f"subscriber {i + 1}: {exc.message}", exc.hint)
        else:
            if address in seen:
                problem(base + (kinds[0],), f"subscriber {address} is listed twice",
                        "keep one entry")
            seen.add(address)
        _check_common(sub, base, problem)


def _check_common(sub: dict[str, Any], base: tuple[str | int, ...],
                  problem: Report) -> None:
    figs = sub.get("figures")
    if figs is not None and not (isinstance(figs, str) or (
            isinstance(figs, list) and all(isinstance(f, str) for f in figs))):
        problem(base + ("figures",), "'figures' must be a list of ids or globs",
                'e.g. figures: ["dprk-*"]')
    cad = sub.get("cadence")
    if cad is not None and cad not in ("immediate", "daily"):
        problem(base + ("cadence",), f"unknown cadence {cad!r}",
                "use immediate (after each run) or daily (on digest.cron)")
    env = sub.get("secret_env")
    if env is not None and (not isinstance(env, str) or not env.strip()):
        problem(base + ("secret_env",), "'secret_env' must name an environment variable",
                "e.g. secret_env: FIGMON_HOOK_SECRET")


def _type_ok(value: Any, types: tuple[type, ...]) -> bool:
    # bool is an int in Python: true/false only counts where a bool is wanted
    return isinstance(value, types) and (bool in types or not isinstance(value, bool))


