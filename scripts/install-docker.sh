#!/usr/bin/env bash
# Installs what Wharf runs on and is tested with, from Debian's packages, and starts dockerd.
# Run as root on Debian: Docker Engine (docker.io), etcd (etcd-server, etcd-client: the
# distributed store), iproute2, nftables and iptables (awsvpc task networks), the AWS CLI v2
# (awscli), skopeo and openssl used by the tests, Chromium (the console's browser tests), and
# busybox-static from which the test images are built. Safe to run again. etcd is not started
# here: the tests start their own members.
set -euo pipefail

if [ "$(id -u)" != 0 ]; then echo "install-docker.sh: run as root" >&2; exit 1; fi
if ! command -v apt-get >/dev/null; then echo "install-docker.sh: needs Debian's apt-get" >&2; exit 1; fi

need=()
command -v dockerd >/dev/null || need+=(docker.io)
[ -x /usr/bin/aws ] || need+=(awscli)
[ -x /bin/busybox ] || need+=(busybox-static)
command -v skopeo >/dev/null || need+=(skopeo)
command -v etcd >/dev/null || need+=(etcd-server)
command -v etcdctl >/dev/null || need+=(etcd-client)
command -v openssl >/dev/null || need+=(openssl)
command -v ip >/dev/null || need+=(iproute2)
command -v bridge >/dev/null || need+=(iproute2)
command -v nft >/dev/null || need+=(nftables)
command -v iptables >/dev/null || need+=(iptables)
command -v nsenter >/dev/null || need+=(util-linux)
[ -x /usr/bin/chromium ] || need+=(chromium fonts-liberation)
if [ ${#need[@]} -gt 0 ]; then
  echo "Installing ${need[*]} from Debian's packages..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

if docker version >/dev/null 2>&1; then exit 0; fi
echo "Starting dockerd (log: /var/log/wharf-dockerd.log)..."
setsid nohup dockerd >/var/log/wharf-dockerd.log 2>&1 &
for _ in $(seq 1 60); do
  if docker version >/dev/null 2>&1; then echo "Docker Engine is up."; exit 0; fi
  sleep 1
done
echo "dockerd did not start; see /var/log/wharf-dockerd.log" >&2
exit 1
