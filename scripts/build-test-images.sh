#!/usr/bin/env bash
# Builds the images the tests and benchmarks run, from Debian's busybox-static, with
# `docker import` (no public registry is reachable). Safe to run again.
#   wharf-test/busybox:latest   busybox with its applets on PATH (sh, httpd, sleep, ...)
#   wharf-test/node-sdk:latest  the same, with this host's Node.js and the AWS SDK for JavaScript v3
#                               (STS, Secrets Manager) in /app: an AWS client inside a task
set -euo pipefail
cd "$(dirname "$0")/.."
image=wharf-test/busybox:latest
sdk_image=wharf-test/node-sdk:latest
have() { docker image inspect "$1" >/dev/null 2>&1; }
if have "$image" && have "$sdk_image"; then exit 0; fi
busybox=$(command -v busybox || true)
[ -n "$busybox" ] || { echo "build-test-images.sh: busybox not found (apt-get install busybox-static)" >&2; exit 1; }
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/bin "$root"/tmp "$root"/www "$root"/etc
cp "$busybox" "$root"/bin/busybox
for applet in $("$busybox" --list); do [ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"; done
echo 'root:x:0:0:root:/root:/bin/sh' > "$root"/etc/passwd
echo 'nobody:x:65534:65534:nobody:/:/bin/sh' >> "$root"/etc/passwd
echo 'root:x:0:' > "$root"/etc/group
echo 'nogroup:x:65534:' >> "$root"/etc/group
echo 'hello from wharf' > "$root"/www/index.html
chmod 1777 "$root"/tmp
if ! have "$image"; then
  tar -C "$root" -c . | docker import --change 'ENV PATH=/bin' --change 'CMD ["sh"]' - "$image" >/dev/null
  echo "Built $image"
fi

if ! have "$sdk_image"; then
  node=$(readlink -f "$(command -v node)")
  cp "$node" "$root"/bin/node
  # The shared libraries node links against, at the paths its loader looks for them.
  for lib in $(ldd "$node" | grep -o '/[^ ]*'); do
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
  done
  mkdir -p "$root"/app
  for dir in $(node scripts/sdk-closure.mjs . @aws-sdk/client-sts @aws-sdk/client-secrets-manager); do
    mkdir -p "$root/app/$(dirname "$dir")"
    cp -r "$dir" "$root/app/$dir"
  done
  tar -C "$root" -c . | docker import --change 'ENV PATH=/bin' --change 'WORKDIR /app' --change 'CMD ["sh"]' - "$sdk_image" >/dev/null
  echo "Built $sdk_image"
fi
