#!/usr/bin/env bash
# Installs what irqlens needs and builds it. Idempotent and fast when done:
# apt only for missing packages, npm ci only when the lockfile changed, and
# the build only rebuilds what changed. One line per step that does work (what,
# why, how long); apt's, npm's and the build's own output go to the log file,
# which a failure names. --quiet drops the lines for steps with nothing to do.
set -euo pipefail
cd "$(dirname "$0")/.."

quiet=0
[[ "${1:-}" == "--quiet" ]] && quiet=1
mkdir -p test-artifacts
log="$PWD/test-artifacts/setup.log"
: >"$log"

say() { echo "setup: $*" >&2; }
note() { [[ $quiet == 1 ]] || say "$*"; }
now() { date +%s.%N; }
took() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f s", b - a }'; }

# step WHAT WHY CMD...: runs CMD with its output in the log; one line when done, the log's tail when not
step() {
  local what=$1 why=$2 t0
  shift 2
  t0=$(now)
  printf '\n==== %s (%s): %s\n' "$what" "$why" "$*" >>"$log"
  if "$@" >>"$log" 2>&1; then
    say "$what ($why): $(took "$t0")"
  else
    local rc=$?
    say "FAILED after $(took "$t0"): $what ($why), exit $rc; the last lines of the log:"
    tail -n 15 "$log" | sed 's/^/  | /' >&2
    say "full log: $log"
    exit "$rc"
  fi
}

# Debian packages by purpose, so each install line says why it is needed.
groups=(
  "build toolchain: compiles the BPF programs and the static helper|clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev libzstd-dev gcc make pkg-config clang-format"
  "independent references the tests compare against (libbpf-tools, bpftrace, promtool)|libbpf-tools bpftrace prometheus"
  "workloads and system tools the tests and cost drive|libcap2-bin iproute2 tmux procps util-linux memcached libmemcached-tools ethtool nftables chromium"
)

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

all_missing=()
declare -A group_missing=()
for g in "${groups[@]}"; do
  why=${g%%|*}
  for p in ${g#*|}; do
    installed "$p" || { all_missing+=("$p"); group_missing[$why]+="$p "; }
  done
done

if ((${#all_missing[@]})); then
  if [[ $(id -u) != 0 ]]; then
    say "missing Debian packages: ${all_missing[*]}; install them as root: apt-get install ${all_missing[*]}"
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  step "apt-get update" "package lists for ${#all_missing[@]} missing packages" apt-get update -q
  for g in "${groups[@]}"; do
    why=${g%%|*}
    [[ -n "${group_missing[$why]:-}" ]] || continue
    # shellcheck disable=SC2086 # a space-separated list of package names
    step "apt-get install ${group_missing[$why]% }" "$why" apt-get install -y -q --no-install-recommends ${group_missing[$why]}
  done
  # only promtool is needed: a prometheus server the package started under systemd would hold :9090 for nothing
  if [[ " ${all_missing[*]} " == *" prometheus "* ]]; then
    if [[ -d /run/systemd/system ]]; then
      step "systemctl disable --now prometheus" "the tests use promtool only, not a server" systemctl disable --now prometheus
    elif [[ -x /etc/init.d/prometheus ]] && /etc/init.d/prometheus status >/dev/null 2>&1; then
      # no systemd: the package's init script started it unless policy-rc.d forbade it
      step "stop and disable the prometheus init script" "the tests use promtool only, not a server" \
        sh -c '/etc/init.d/prometheus stop && update-rc.d prometheus disable'
    fi
  fi
else
  note "Debian packages: all present"
fi

if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  step "npm ci" "the Node dependencies in package-lock.json are missing or changed" npm ci --no-audit --no-fund
else
  note "npm ci: node_modules matches package-lock.json"
fi

# the build is incremental: its line appears when it rebuilt something (or always without --quiet)
t0=$(now)
before=$(wc -l <"$log")
printf '\n==== build: tsc -b; node dist/scripts/build.js\n' >>"$log"
if npx --no-install tsc -b >>"$log" 2>&1 && node dist/scripts/build.js >>"$log" 2>&1; then
  rebuilt=$(tail -n +"$((before + 2))" "$log" | grep -c '^build: ' || true)
  if ((rebuilt)); then
    say "build (TypeScript, BPF programs, helper, workloads): $rebuilt steps in $(took "$t0")"
  else
    note "build: up to date ($(took "$t0"))"
  fi
else
  say "FAILED after $(took "$t0"): build (TypeScript, BPF programs, helper, workloads); the last lines of the log:"
  tail -n 15 "$log" | sed 's/^/  | /' >&2
  say "full log: $log"
  exit 1
fi
