# Sourced by ./run, ./test and .ci/run: make sure Python >= 3.11 with venv is there and .venv exists.
as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
        echo "error: need root (or sudo) to install $*" >&2; exit 1; fi
}

if ! python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    echo "error: OCA Assistant needs Python >= 3.11; found $(python3 --version 2>&1)" >&2
    exit 1
fi

# Debian splits venv and pip out of python3.
if ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv python3-pip
fi

if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
    .venv/bin/python -m pip install --quiet --upgrade pip
fi
