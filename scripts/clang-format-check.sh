#!/usr/bin/env bash
# Fails when a file in bpf/ is not clang-formatted (.clang-format).
set -euo pipefail
cd "$(dirname "$0")/.."
clang-format --dry-run --Werror bpf/*.c bpf/*.h bpf/helper/*.c bpf/helper/*.h
