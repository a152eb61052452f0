"""SoftHSM2, a software PKCS#11 token, for running with an "HSM" locally and in the tests.

SoftHSM2 keeps its tokens in the directory named by the file in SOFTHSM2_CONF (default
/etc/softhsm/softhsm2.conf, which needs root); we write our own config under var/ instead. The library reads
the config and discovers tokens when it is initialised, so a process must finalise it (see
``pkcs11_sessions_close(finalize=True)``) to see a token created by ``softhsm2-util`` afterwards."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from motcua.signatures.signing import SigningError

MODULE_CANDIDATES = (
    "/usr/lib/softhsm/libsofthsm2.so",  # Debian, Ubuntu
    "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/lib64/pkcs11/libsofthsm2.so",  # Fedora, RHEL
    "/usr/local/lib/softhsm/libsofthsm2.so",  # built from source, Homebrew
    "/opt/homebrew/lib/softhsm/libsofthsm2.so",
)


def softhsm_module_path() -> str | None:
    """Where libsofthsm2.so is installed, or None."""
    return next((path for path in MODULE_CANDIDATES if Path(path).exists()), None)


def softhsm_config_write(directory: Path) -> Path:
    """A SoftHSM2 config keeping tokens in ``directory/tokens`` (created, mode 0700). Returns its path."""
    tokens = directory / "tokens"
    tokens.mkdir(parents=True, exist_ok=True)
    tokens.chmod(0o700)
    config = directory / "softhsm2.conf"
    config.write_text(
        f"directories.tokendir = {tokens}\n"
        "objectstore.backend = file\n"
        "log.level = ERROR\n"
        "slots.removable = false\n",
        encoding="utf-8",
    )
    return config


def softhsm_token_init(*, label: str, pin: str, so_pin: str) -> None:
    """Initialise a new token in the first free slot of the SoftHSM2 named by SOFTHSM2_CONF.

    softhsm2-util takes the PINs as arguments only (or from a terminal prompt); they are briefly visible to
    local users in the process list, which is acceptable for a local demo token and nothing more."""
    util = shutil.which("softhsm2-util")
    if util is None:
        raise SigningError("Chưa cài SoftHSM2 / softhsm2-util not found: apt-get install softhsm2")
    result = subprocess.run(  # noqa: S603 — fixed program, arguments are not passed through a shell
        [util, "--init-token", "--free", "--label", label, "--pin", pin, "--so-pin", so_pin],
        capture_output=True,
        text=True,
        check=False,
        env=os.environ.copy(),
    )
    if result.returncode != 0:
        raise SigningError(
            f"softhsm2-util không tạo được token / could not initialise the token: {result.stderr.strip()}"
        )
