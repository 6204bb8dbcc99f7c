#!/usr/bin/env bash
# Installs code-server (a full VS Code 1.99 server + web workbench) into .e2e/code-server, offline
# except for the npm registry and Debian packages. Idempotent: exits at once when already installed.
# Each step works around something tried on these machines (no GitHub, no VS Code downloads, npm 11).
set -euo pipefail

CODE_SERVER_VERSION=4.99.4
# code-server 4.99.4 bundles @vscode/ripgrep 1.15.11, whose postinstall downloads this archive from
# GitHub unless it is already in its cache folder.
RIPGREP_WRAPPER_VERSION=1.15.11
RIPGREP_ARCHIVE=ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz
RIPGREP_BINARY_PACKAGE=@vscode/ripgrep-linux-x64@1.18.0

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
install_dir="$repo_root/.e2e/code-server"
code_server_bin="$install_dir/node_modules/.bin/code-server"
pty_addon="$install_dir/node_modules/code-server/lib/vscode/node_modules/node-pty/build/Release/pty.node"

# Concurrent runs (npm start, several e2e launchers) wait for one install instead of racing it.
mkdir -p "$repo_root/.e2e"
exec 9>"$repo_root/.e2e/install.lock"
flock 9

installed_version() {
  node -p "require('$install_dir/node_modules/code-server/package.json').version" 2>/dev/null || true
}

if [[ -x "$code_server_bin" && -f "$pty_addon" && "$(installed_version)" == "$CODE_SERVER_VERSION" ]]; then
  echo "code-server $CODE_SERVER_VERSION already installed in $install_dir"
  exit 0
fi

# System libraries its native modules build against, and the browser the harness drives.
system_packages=(libkrb5-dev libxkbfile-dev libsecret-1-dev libx11-dev chromium build-essential python3)
missing_packages=()
for pkg in "${system_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing_packages+=("$pkg")
done
if ((${#missing_packages[@]} > 0)); then
  if [[ "$(id -u)" != 0 ]]; then
    echo "error: missing system packages (install them as root): ${missing_packages[*]}" >&2
    exit 1
  fi
  echo "installing system packages: ${missing_packages[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=600 "${missing_packages[@]}"
fi

work_dir="$(mktemp -d)"
trap 'rm -rf "$work_dir"' EXIT

# Prime @vscode/ripgrep's download cache with the rg binary shipped in the npm registry package.
ripgrep_cache="$(node -p "require('os').tmpdir()")/vscode-ripgrep-cache-$RIPGREP_WRAPPER_VERSION"
if [[ ! -s "$ripgrep_cache/$RIPGREP_ARCHIVE" ]]; then
  (cd "$work_dir" && npm pack --silent "$RIPGREP_BINARY_PACKAGE" >/dev/null)
  mkdir -p "$work_dir/ripgrep" "$ripgrep_cache"
  tar xzf "$work_dir"/vscode-ripgrep-linux-x64-*.tgz -C "$work_dir/ripgrep"
  test -x "$work_dir/ripgrep/package/bin/rg" || { echo "error: no bin/rg in $RIPGREP_BINARY_PACKAGE" >&2; exit 1; }
  tar czf "$ripgrep_cache/$RIPGREP_ARCHIVE" -C "$work_dir/ripgrep/package/bin" rg
fi

# Its own folder and package.json, so the project's package-lock.json is never touched.
mkdir -p "$install_dir"
cat >"$install_dir/package.json" <<EOF
{
  "name": "crit-e2e-code-server",
  "private": true,
  "description": "code-server for Crit's end-to-end tests; installed by test/e2e/install-code-server.sh",
  "dependencies": { "code-server": "$CODE_SERVER_VERSION" },
  "allowScripts": { "code-server": true }
}
EOF
echo "installing code-server $CODE_SERVER_VERSION into $install_dir (about a minute)"
# npm_config_yes lets code-server's nested `npx node-gyp` run without a prompt; --unsafe-perm is
# needed as root so install scripts keep running.
(cd "$install_dir" && npm_config_yes=true npm install --unsafe-perm --no-audit --no-fund --loglevel=error)

# npm 11 may skip dependency install scripts silently: prove the native build really happened.
if [[ ! -f "$pty_addon" ]]; then
  echo "error: code-server's native build did not run ($pty_addon is missing)." >&2
  echo "       npm probably skipped its install scripts (allowScripts); see the npm output above." >&2
  exit 1
fi
if [[ ! -x "$code_server_bin" ]]; then
  echo "error: $code_server_bin is missing after install" >&2
  exit 1
fi
echo "code-server $(installed_version) installed in $install_dir"
