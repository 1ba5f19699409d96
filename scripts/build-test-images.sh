#!/usr/bin/env bash
# Builds the images the tests and benchmarks run, from Debian's busybox-static, with
# `docker import` (no public registry is reachable). Safe to run again.
#   wharf-test/busybox:latest   busybox with its applets on PATH (sh, httpd, sleep, ...)
#   wharf-test/node-sdk:latest  the same, with this host's Node.js and the AWS SDK for JavaScript v3
#                               (STS, Secrets Manager) in /app: an AWS client inside a task
#   wharf-test/awscli:latest    the same busybox, with Debian's AWS CLI v2 (awscli) and what it needs
#                               (Python, botocore), copied from this host's installed packages
set -euo pipefail
cd "$(dirname "$0")/.."
image=wharf-test/busybox:latest
sdk_image=wharf-test/node-sdk:latest
cli_image=wharf-test/awscli:latest
have() { docker image inspect "$1" >/dev/null 2>&1; }
if have "$image" && have "$sdk_image" && have "$cli_image"; then exit 0; fi
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

if ! have "$cli_image"; then
  # Every file of awscli's installed dependencies (perl, groff and tzdata are not needed to run it).
  packages=$(apt-cache depends --recurse --installed --no-recommends --no-suggests --no-conflicts --no-breaks --no-replaces \
    --no-enhances awscli | grep -v '^ ' | grep -v '^<' | grep -vE '^(perl|perl-base|perl-modules-.*|libperl.*|groff-base|tzdata|dpkg|debconf)$' | sort -u)
  cli_root=$(mktemp -d)
  trap 'rm -rf "$root" "$cli_root"' EXIT
  # busybox's /bin, /etc and /tmp; the packages' files under /usr, with /lib and /lib64 links to it (merged /usr).
  cp -a "$root"/etc "$root"/tmp "$cli_root"/
  mkdir -p "$cli_root"/bin
  cp -a "$root"/bin/busybox "$cli_root"/bin/
  for applet in $("$busybox" --list); do [ -e "$cli_root/bin/$applet" ] || ln -s busybox "$cli_root/bin/$applet"; done
  for p in $packages; do dpkg -L "$p"; done | sort -u | sed -E 's#^/(bin|lib|lib64|sbin)/#/usr/\1/#' \
    | while read -r f; do if [ ! -d "$f" ] && { [ -f "$f" ] || [ -L "$f" ]; }; then echo "${f#/}"; fi; done > "$cli_root.list"
  tar -C / -c --files-from "$cli_root.list" | tar -C "$cli_root" -x
  rm -f "$cli_root.list"
  ln -s usr/lib "$cli_root"/lib
  ln -s usr/lib64 "$cli_root"/lib64
  tar -C "$cli_root" -c . | docker import --change 'ENV PATH=/bin:/usr/bin' --change 'CMD ["sh"]' - "$cli_image" >/dev/null
  echo "Built $cli_image"
fi
