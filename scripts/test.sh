#!/usr/bin/env bash
# The whole test suite: type check, unit tests beside the code, integration tests under test/.
# Needs Docker Engine, etcd, openssl, the AWS CLI v2 at /usr/bin/aws and busybox-static: when they are missing
# and this runs as root on Debian, scripts/install-docker.sh installs and starts them.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=""
docker version >/dev/null 2>&1 || missing="Docker Engine"
[ -x /usr/bin/aws ] || missing="${missing:+$missing, }AWS CLI v2 (/usr/bin/aws)"
command -v busybox >/dev/null || missing="${missing:+$missing, }busybox-static"
command -v skopeo >/dev/null || missing="${missing:+$missing, }skopeo"
command -v etcd >/dev/null || missing="${missing:+$missing, }etcd (etcd-server)"
command -v etcdctl >/dev/null || missing="${missing:+$missing, }etcdctl (etcd-client)"
command -v openssl >/dev/null || missing="${missing:+$missing, }openssl"
command -v nft >/dev/null || missing="${missing:+$missing, }nftables"
command -v iptables >/dev/null || missing="${missing:+$missing, }iptables"
command -v ip >/dev/null || missing="${missing:+$missing, }iproute2"
[ -x /usr/bin/chromium ] || missing="${missing:+$missing, }Chromium (/usr/bin/chromium)"
if [ -n "$missing" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Not found: $missing. Installing with scripts/install-docker.sh..."
    bash scripts/install-docker.sh
  else
    echo "The tests need: $missing." >&2
    echo "On Debian, run as root: bash scripts/install-docker.sh (installs docker.io, etcd-server, etcd-client, openssl, iproute2, nftables, iptables, awscli, busybox-static, skopeo, chromium and starts dockerd)." >&2
    exit 1
  fi
fi

bash scripts/build-test-images.sh
[ -f dist/console/index.html ] || npm run build:console
typecheck() { npx tsc --noEmit -p . && npx tsc --noEmit -p src/console; }
# A test file that hangs (on a request that never settles, say) fails after 10 minutes instead of
# holding its lane (Node's runner applies the limit to each file; the longest takes under 4).
set -- --test-timeout=600000 "$@"

# Two lanes side by side (scripts/test-lanes.sh says which file goes where): the files that need
# the host's Docker and network one at a time; the type check, then the others one at a time in
# a network namespace of their own, printed when they are done.
mapfile -t host < <(bash scripts/test-lanes.sh host)
mapfile -t isolated < <(bash scripts/test-lanes.sh isolated)
if [ "$(id -u)" != 0 ] || ! command -v unshare >/dev/null; then
  typecheck
  exec node --import tsx --test --test-concurrency=1 "$@" "${host[@]}" "${isolated[@]}"
fi
isolated_log=$(mktemp)
host_log=$(mktemp)
trap 'rm -f "$isolated_log" "$host_log"' EXIT
(
  status=0
  typecheck || { status=1; echo "not ok - the type check (tsc) failed: see its errors above"; }
  unshare --net bash -c 'ip link set lo up && exec node --import tsx --test --test-concurrency=1 "$@"' lane "$@" "${isolated[@]}" || status=$?
  exit "$status"
) >"$isolated_log" 2>&1 &
isolated_pid=$!
host_status=0
node --import tsx --test --test-concurrency=1 "$@" "${host[@]}" 2>&1 | tee "$host_log" || host_status=$?
isolated_status=0
wait "$isolated_pid" || isolated_status=$?
echo "# the type check and the isolated lane (${#isolated[@]} files):"
cat "$isolated_log"
# The failures again, last, where a reader of the end of the output finds them: each failing test
# with its error block, from either lane.
failures() { grep -E ': error TS[0-9]+:' "$1" || true; awk '/^ *not ok /{ p = 1; indent = match($0, /[^ ]/) } p { print } p && /^ *\.\.\.$/ && match($0, /[^ ]/) == indent + 2 { p = 0 }' "$1"; }
if [ "$host_status" != 0 ] || [ "$isolated_status" != 0 ]; then
  echo "# failures in the host lane:"; failures "$host_log"
  echo "# failures in the isolated lane:"; failures "$isolated_log"
fi
echo "# host lane: exit $host_status; isolated lane: exit $isolated_status"
[ "$host_status" = 0 ] && [ "$isolated_status" = 0 ]
