#!/usr/bin/env bash
# A local stand-in for docker/Dockerfile's base image, so `make image-test` builds the Dockerfile
# unchanged without pulling from Docker Hub: Debian bookworm (debootstrap --variant=minbase) with
# Debian's python3, python3-venv and Python headers, linked from /usr/local/bin as the official
# python image has them, slimmed and apt-configured like Debian's own slim images, and tagged with
# the Dockerfile's FROM name. It only ever lives in this machine's podman storage (never pushed);
# the debootstrap result is cached as a tarball in var/image-base/ (git-ignored).
# The host's apt sources and CA certificates are copied in, so the build's apt-get and pip reach
# the same package indexes the host does.
set -euo pipefail
cd "$(dirname "$0")/.."

BASE=$(sed -n 's/^FROM \([^ ]*\) AS builder$/\1/p' docker/Dockerfile)
[ -n "$BASE" ] || { echo "stand-in-base: no 'FROM <image> AS builder' line in docker/Dockerfile"; exit 1; }
REF="docker.io/library/$BASE"
CACHE=var/image-base
# python3's headers too: the official image has them, and the builder stage compiles mysqlclient.
PACKAGES=python3,python3-venv,libpython3-dev,ca-certificates
TARBALL="$CACHE/bookworm-$(echo "$PACKAGES" | md5sum | cut -c1-8).tar"
# Bump when the customisation below changes, so an existing stand-in is replaced.
MARK=relayr.stand-in
REVISION=2

if [ "$(podman image inspect --format "{{ index .Labels \"$MARK\" }}" "$REF" 2>/dev/null)" = "$REVISION" ]; then
  echo "stand-in base $REF: present"
  exit 0
fi
if podman image exists "$REF" && [ -z "$(podman image inspect --format "{{ index .Labels \"$MARK\" }}" "$REF")" ]; then
  echo "stand-in-base: $REF exists and is not the stand-in; leaving it alone"
  exit 0
fi

mkdir -p "$CACHE"
if [ ! -f "$TARBALL" ]; then
  start=$SECONDS
  root="$CACHE/rootfs"
  rm -rf "$root" && mkdir -p "$root"
  mirror=$(sed -n 's/^URIs: //p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | sed -n 1p)
  debootstrap --variant=minbase --include="$PACKAGES" bookworm "$root" "${mirror:-http://deb.debian.org/debian}" \
    >"$CACHE/debootstrap.log" 2>&1 || { tail -20 "$CACHE/debootstrap.log"; exit 1; }
  chroot "$root" apt-get clean
  tar -C "$root" -cf "$TARBALL.part" . && mv "$TARBALL.part" "$TARBALL"
  rm -rf "$root"
  echo "stand-in base: debootstrap in $((SECONDS - start)) s"
fi

root=$(mktemp -d "$PWD/$CACHE/root.XXXXXX")
trap 'rm -rf "$root"' EXIT
tar -C "$root" -xf "$TARBALL"
# The host's package sources and trust store: the build's apt-get and pip reach what the host reaches.
rm -f "$root/etc/apt/sources.list"
for sources in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
  if [ -f "$sources" ]; then cp "$sources" "$root$sources"; fi
done
cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
printf '[global]\ncert = /etc/ssl/certs/ca-certificates.crt\n' >"$root/etc/pip.conf"
# The official image's interpreter paths, which the Dockerfile's venv relies on.
for name in python python3; do ln -sf /usr/bin/python3 "$root/usr/local/bin/$name"; done
# What Debian's slim images configure: no package caches or .debs left after apt-get, no docs.
cat >"$root/etc/apt/apt.conf.d/docker-clean" <<'APT'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
Acquire::Languages "none";
APT
mkdir -p "$root/etc/dpkg/dpkg.cfg.d"
printf 'path-exclude /usr/share/%s/*\n' doc man groff info lintian linda locale >"$root/etc/dpkg/dpkg.cfg.d/docker-slim"
echo 'path-include /usr/share/doc/*/copyright' >>"$root/etc/dpkg/dpkg.cfg.d/docker-slim"
find "$root/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
rm -rf "$root"/usr/share/{man,groff,info,lintian,linda,locale}/* "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/tmp/*

podman rmi --force "$REF" >/dev/null 2>&1 || true
tar -C "$root" -c . | podman import --quiet \
  --change 'ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV LANG=C.UTF-8' \
  --change 'CMD ["python3"]' \
  --change "LABEL $MARK=$REVISION" \
  - "$REF" >/dev/null
echo "stand-in base $REF: imported from $TARBALL"
