#!/usr/bin/env bash
# Builds the images the tests and benchmarks run, from Debian's busybox-static, with
# `docker import` (no public registry is reachable). Safe to run again.
#   wharf-test/busybox:latest  busybox with its applets on PATH (sh, httpd, sleep, ...)
set -euo pipefail
image=wharf-test/busybox:latest
if docker image inspect "$image" >/dev/null 2>&1; then exit 0; fi
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
tar -C "$root" -c . | docker import --change 'ENV PATH=/bin' --change 'CMD ["sh"]' - "$image" >/dev/null
echo "Built $image"
