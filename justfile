# Recipes mirror the npm scripts, for those who use just (https://just.systems); npm alone is enough.

# install packages and build
setup:
    bash scripts/setup.sh

# build BPF objects, helper, workloads and TypeScript (only what changed)
build:
    npm run build

# the whole test suite (lint, unit, CLI and real-kernel tests)
test:
    npm test

# benchmarks (figures go to BENCHMARKS.md by hand)
bench:
    npm run bench

# live summary of this machine's interrupts
start:
    npm start

lint:
    npm run lint
