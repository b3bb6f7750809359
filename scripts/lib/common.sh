# Shared by scripts/run and scripts/test: find a JDK >= 25, install missing Debian packages.
# Source it from the repository root.

say() { printf '%s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

java_major() { # prints the major version of the java binary $1, or nothing
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p'
}

# Sets JAVA_HOME to a JDK >= 25: $JAVA_HOME if it is one, else the newest under /usr/lib/jvm.
find_jdk() {
  local candidate major
  for candidate in "${JAVA_HOME:-}" $(ls -d /usr/lib/jvm/* 2>/dev/null | sort -Vr); do
    [[ -n $candidate && -x $candidate/bin/java && -x $candidate/bin/javac ]] || continue
    major=$(java_major "$candidate/bin/java")
    if [[ -n $major && $major -ge 25 ]]; then
      export JAVA_HOME=$candidate
      return 0
    fi
  done
  die "imgedge needs a JDK 25 or newer and found none (JAVA_HOME or /usr/lib/jvm/*).
Install one, e.g. Eclipse Temurin 25 (package temurin-25-jdk from the Adoptium apt repository),
or set JAVA_HOME to a JDK >= 25."
}

# Installs the Debian packages named in "$@" that are missing (as root, with apt-get); otherwise
# says exactly what to install.
ensure_packages() {
  command -v dpkg-query >/dev/null 2>&1 || {
    say "not a Debian/Ubuntu system: make sure these are installed: $*"
    return 0
  }
  local missing=() pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  ((${#missing[@]} == 0)) && return 0
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    say "installing ${missing[*]} ..."
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq "${missing[@]}" >/dev/null || die "apt-get install ${missing[*]} failed"
  else
    die "missing packages: ${missing[*]}. Install them with: sudo apt-get install -y ${missing[*]}"
  fi
}

# Builds proxy/target/imgedge.jar unless it is newer than every source and pom.
ensure_built() {
  local jar=proxy/target/imgedge.jar
  if [[ ! -f $jar || -n $(find pom.xml ./*/pom.xml ./*/src -newer "$jar" -print -quit) ]]; then
    say "building imgedge ..."
    ./mvnw -q -B -ntp package -DskipTests || die "build failed"
  fi
}

# Prints a TCP port no socket on this machine uses (from /proc/net/tcp{,6}), below the ephemeral
# range: a port from that range may be taken meanwhile by an outgoing connection (a load test's).
free_port() {
  local used port low
  low=$(awk '{print $1}' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
  ((low > 11000)) || low=32768
  used=$(awk 'FNR > 1 { split($2, a, ":"); print a[2] }' /proc/net/tcp /proc/net/tcp6 2>/dev/null \
    | while read -r hex; do echo $((16#$hex)); done)
  for _ in $(seq 200); do
    port=$((10000 + RANDOM % (low - 10000)))
    grep -qx "$port" <<<"$used" || { echo "$port"; return 0; }
  done
  die "no free port found"
}

# Waits up to $2 seconds for curl to get any HTTP answer from $1.
wait_http() {
  local url=$1 seconds=${2:-30} i
  for ((i = 0; i < seconds * 10; i++)); do
    curl -s -o /dev/null -m 1 "$url" && return 0
    sleep 0.1
  done
  return 1
}

# JVM flags for a node: G1 with a bounded heap (-Xmx also caps the direct memory the memory cache
# tier lives in; raise it with cache.memory.size) that starts small and untouched (-Xms256m with
# AlwaysPreTouch held 200 MB more RSS from the start: 414 against 190 MiB idle, 578 against 376
# at peak under misses, for no measurable gain); sun.misc.Unsafe allowed, which Netty turns off on
# Java 25 without it (it then reads buffer addresses and bytes through slower paths: about 0.5 us of
# a 9 us memory hit); and Netty's buffer leak detection off: it samples
# buffers and records a stack trace at each use, a debugging aid the tests run with (paranoid
# under mvn -Pleak), not a cost to pay per request in service. IMGEDGE_JAVA_OPTS adds to or
# overrides them.
# shellcheck disable=SC2206
JAVA_OPTS_IMGEDGE=(--enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -XX:+UseG1GC -Xms64m -Xmx1g
  -Dio.netty.leakDetection.level=disabled -Dlogback.configurationFile=conf/logback.xml ${IMGEDGE_JAVA_OPTS:-})

# The native allocator for a node, as the Docker image has it: jemalloc (Debian's libjemalloc2)
# with two arenas. glibc's malloc keeps an arena per thread that libvips's work touches and
# returns little of it: RSS grew 162 -> 725 MB over five identical rounds of misses (issue 19).
# IMGEDGE_MALLOC=glibc keeps glibc's. Sets MALLOC_ENV, the environment to start the node with.
MALLOC_ENV=()
use_jemalloc() {
  [[ ${IMGEDGE_MALLOC:-jemalloc} == glibc ]] && return 0
  ensure_packages libjemalloc2
  local lib
  lib=$(ldconfig -p 2>/dev/null | awk '/libjemalloc\.so\.2 / && !found {print $NF; found = 1}')
  [[ -f $lib ]] || { say "jemalloc not found: glibc's malloc it is"; return 0; }
  MALLOC_ENV=("LD_PRELOAD=$lib${LD_PRELOAD:+:$LD_PRELOAD}" MALLOC_ARENA_MAX=2)
}

# Which libvips a node loads: IMGEDGE_LIBVIPS=debian (the default, libvips42 from the system) or
# sharp: the build npm's @img/sharp-libvips-linux-x64 ships (a newer libvips with mozjpeg, zlib-ng
# and highway; no HEIC decoding), fetched once from the npm registry into ./data/libvips and set
# as vips.library. An explicit IMGEDGE_VIPS_LIBRARY wins over both.
sharp_libvips_version=1.2.4
use_libvips() {
  [[ -n ${IMGEDGE_VIPS_LIBRARY:-} ]] && return 0
  case ${IMGEDGE_LIBVIPS:-debian} in
    debian) return 0 ;;
    sharp) ;;
    *) die "IMGEDGE_LIBVIPS is debian or sharp, not '$IMGEDGE_LIBVIPS'" ;;
  esac
  [[ $(uname -m) == x86_64 ]] || die "IMGEDGE_LIBVIPS=sharp: this script fetches the x86-64 build only"
  local dir=${IMGEDGE_LIBVIPS_DIR:-data/libvips}/sharp-libvips-linux-x64-$sharp_libvips_version
  if ! compgen -G "$dir/lib/libvips-cpp.so.*" >/dev/null; then
    command -v npm >/dev/null || ensure_packages nodejs npm
    say "fetching @img/sharp-libvips-linux-x64@$sharp_libvips_version from npm into $dir ..."
    local tmp
    tmp=$(mktemp -d)
    (cd "$tmp" && npm pack --silent "@img/sharp-libvips-linux-x64@$sharp_libvips_version" >/dev/null) \
      || { rm -rf "$tmp"; die "npm pack @img/sharp-libvips-linux-x64 failed"; }
    mkdir -p "$dir"
    tar -xzf "$tmp"/*.tgz -C "$dir" --strip-components=1 || { rm -rf "$tmp"; die "cannot unpack sharp's libvips"; }
    rm -rf "$tmp"
  fi
  local libs=("$dir"/lib/libvips-cpp.so.*)
  IMGEDGE_VIPS_LIBRARY=$(realpath "${libs[0]}")
  export IMGEDGE_VIPS_LIBRARY
}
