#!/usr/bin/env bash
# Before `npm test`: the independent reference checks need NumPy (python3 on PATH) and PyTorch
# (Debian's python3-torch, in the system interpreter /usr/bin/python3). On a fresh Debian machine
# they are installed here (as root); elsewhere this says what to install. A no-op once present.
set -euo pipefail

torch_python="${CRIT_TORCH_PYTHON:-/usr/bin/python3}"
missing=()
python3 -c 'import numpy' 2>/dev/null || missing+=(python3-numpy)
"$torch_python" -c 'import numpy, torch' 2>/dev/null || missing+=(python3-numpy python3-torch)
((${#missing[@]} == 0)) && exit 0

if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
  echo "npm test: installing ${missing[*]} (reference checks against NumPy and PyTorch)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=600 "${missing[@]}" >/dev/null
  "$torch_python" -c 'import numpy, torch'
  python3 -c 'import numpy' || { echo "npm test: python3 on PATH ($(command -v python3)) has no NumPy: pip install numpy" >&2; exit 1; }
else
  echo "npm test needs NumPy for python3 and PyTorch for $torch_python: install ${missing[*]} (Debian/Ubuntu: apt-get install ${missing[*]}), or set CRIT_TORCH_PYTHON to an interpreter with torch." >&2
  exit 1
fi
