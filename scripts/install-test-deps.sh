#!/usr/bin/env bash
# Installs the Debian packages the test suites and benchmarks use: real
# clients and peers (ffmpeg, rtmpdump, keepalived, chromium), validators
# (ffprobe, tshark, strace), the reference server (nginx + libnginx-mod-rtmp) and
# network tools for the namespace tests. Needs root (apt-get).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
pkgs=(g++ make python3 ffmpeg rtmpdump keepalived chromium tshark nginx libnginx-mod-rtmp wrk iproute2 iputils-ping curl arping procps strace)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update
  apt-get install -y --no-install-recommends "${missing[@]}"
fi
