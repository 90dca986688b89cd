#!/usr/bin/env bash
# Installs what irqlens needs and builds it. Idempotent and fast when done:
# apt only for missing packages, npm ci only when the lockfile changed, and
# the build only rebuilds what changed.
set -euo pipefail
cd "$(dirname "$0")/.."

quiet=0
[[ "${1:-}" == "--quiet" ]] && quiet=1
say() { [[ $quiet == 1 ]] || echo "setup: $*" >&2; }

# Build toolchain, then what the tests and benchmarks compare against.
packages=(clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev libzstd-dev gcc make pkg-config
  clang-format libbpf-tools bpftrace libcap2-bin iproute2 tmux procps util-linux
  memcached libmemcached-tools ethtool nftables chromium)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  if [[ $(id -u) != 0 ]]; then
    echo "setup: missing Debian packages: ${missing[*]}; install them as root: apt-get install ${missing[*]}" >&2
    exit 1
  fi
  echo "setup: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  say "npm ci"
  npm ci --no-audit --no-fund --loglevel=error >&2
fi

say "build"
npx --no-install tsc -b
node dist/scripts/build.js ${quiet:+$([[ $quiet == 1 ]] && echo --quiet)}
