#!/usr/bin/env bash
# Sorts the test files into two lanes that run side by side (see docs/testing.md):
#   host       files that use Docker, network namespaces, packet filters, cgroups or whole
#              wharf processes (whose agents run containers): one at a time, on the host
#   isolated   everything else (in-process control planes, fake agents, pure units): one at a
#              time, in a network namespace of their own, so their ports, loopback addresses
#              and DNS listeners cannot meet the host lane's
# Usage: scripts/test-lanes.sh host|isolated — prints that lane's files.
set -euo pipefail
cd "$(dirname "$0")/.."
lane=${1:?usage: test-lanes.sh host|isolated}
# What marks a file as needing the host: a word that only such files use.
host="docker|Docker|TEST_IMAGE|netns|nft |nftables|cgroup|startDev|startWharf|spawnWharf\\(\\['(dev|agent)'|startAgentProcess|inNetworkNamespace|simulatedHosts|LocalInstanceHosts|169\\.254|crash-services|alb-service|blue-green-stage"
# End-to-end files whose assertions measure traffic and time under steady load: they run alone too.
alone='^test/(ecs-blue-green|codedeploy-cli)\.test\.ts$'
# Files that start `wharf dev` but run no task: its agent touches nothing of the host's (it sees
# only containers labelled with its own id), so they run isolated.
apart='^test/(acm-api|agent-link-hostile|iam-sts|operator-routes|sqs-crash)\.test\.ts$'
find src test scripts -name '*.test.ts' | sort | while read -r f; do
  if [[ "$f" =~ $apart ]]; then [ "$lane" = isolated ] && echo "$f"
  elif grep -qE "$host" "$f" || [[ "$f" =~ $alone ]]; then [ "$lane" = host ] && echo "$f"; else [ "$lane" = isolated ] && echo "$f"; fi
done
exit 0
