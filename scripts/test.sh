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
npx tsc --noEmit -p .
mapfile -t files < <(find src test scripts -name '*.test.ts' | sort)
exec node --import tsx --test --test-concurrency=1 "$@" "${files[@]}"
