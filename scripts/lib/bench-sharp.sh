# The miss path beside sharp, sourced by scripts/bench (it uses the bench's helpers and $work).
# sharp runs inside npm's ipx (an image server on sharp and sharp's own libvips build): both make
# ~40 distinct 2048x1536 JPEGs fit 512x512 as JPEG, WebP, AVIF and PNG (and 400x400 as JPEG, WebP
# and PNG) at 2 and 8 requests in flight, taking turns (imgedge, ipx, imgedge, ipx) so the machine's
# drift falls on both alike.
# CPU is each server process's own (all its threads, from /proc) per image served; output bytes
# and each side's encoder settings are printed beside it, so the comparison is at equal output.

ipx_version=3.1.1
sharp_images=40
sharp_rows=()

# ipx in its own scratch directory, kept between runs (npm brings sharp and its libvips with it)
ipx_install() {
  ipx_dir=${IMGEDGE_BENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/imgedge-bench}/ipx-$ipx_version
  if [[ ! -x $ipx_dir/node_modules/.bin/ipx ]]; then
    command -v npm >/dev/null || ensure_packages nodejs npm
    say "installing ipx@$ipx_version from npm into $ipx_dir ..."
    mkdir -p "$ipx_dir"
    (cd "$ipx_dir" && npm install --no-audit --no-fund --loglevel=error "ipx@$ipx_version" >npm.log 2>&1) \
      || die "cannot install ipx: $(tail -n 5 "$ipx_dir/npm.log")"
  fi
  sharp_vips=$(cd "$ipx_dir" && node -e 'console.log(require("sharp").versions.vips)') || die "sharp does not load"
}

# each a different part of the bench's photo, as a camera would write it (q90, 4:2:0)
sharp_inputs() {
  mkdir -p "$work/images/sharp"
  local i
  for ((i = 0; i < sharp_images; i++)); do
    vips crop "$work/images/big.jpg" "$work/images/sharp/p$i.jpg[Q=90]" $(((i * 97) % 1952)) $(((i * 61) % 1464)) 2048 1536
  done
}

# the request of one side: PATH-TEMPLATE with IMAGE and BUST replaced per request, a different
# image each time (the threads start apart), a unique URL each time for imgedge's single-flight
sharp_lua() { # sharp_lua FILE TEMPLATE
  cat >"$1" <<LUA
local threads = 0
function setup(thread)
  thread:set("id", threads)
  threads = threads + 1
end
counter = 0
function request()
  counter = counter + 1
  local image = (id * 20 + counter) % $sharp_images
  local path = string.gsub(string.gsub("$2", "IMAGE", image), "BUST", id .. "-" .. counter)
  return wrk.format("GET", path)
end
LUA
}

sharp_measure() { # sharp_measure BASE LUA CONNS PID: "images cpu-ms-per-image peak-rss-MiB"
  local before after images peak
  before=$(cpu_ticks "$4")
  (while kill -0 "$4" 2>/dev/null; do awk '/^VmRSS/ {print $2}' "/proc/$4/status"; sleep 0.2; done) >"$work/rss-sharp" &
  local watcher=$!
  wrk -t2 -c"$3" -d"${duration}s" --timeout 60s -s "$2" "$1" >"$work/wrk-sharp.out" 2>&1 || die "wrk failed: $(cat "$work/wrk-sharp.out")"
  after=$(cpu_ticks "$4")
  kill "$watcher" 2>/dev/null
  wait "$watcher" 2>/dev/null || true
  grep -q "Non-2xx" "$work/wrk-sharp.out" && die "$1 answered errors: $(cat "$work/wrk-sharp.out")"
  images=$(awk '/requests in/ {print $1}' "$work/wrk-sharp.out")
  peak=$(sort -n "$work/rss-sharp" | tail -n1 | awk '{printf "%.0f", $1 / 1024}')
  awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" -v n="$images" -v p="$peak" \
    'BEGIN { printf "%d %.1f %s\n", n, (n > 0 ? t * 1000 / hz / n : 0), p }'
}

sharp_bytes() { # sharp_bytes BASE TEMPLATE OUT-DIR: every image once; prints the mean size in KB
  local i total=0 path
  mkdir -p "$3"
  for ((i = 0; i < sharp_images; i++)); do
    path=${2//IMAGE/$i}
    curl -sf -o "$3/$i" "$1${path//BUST/bytes}" || die "$1${path//BUST/bytes} failed"
    total=$((total + $(stat -c %s "$3/$i")))
  done
  awk -v t="$total" -v n="$sharp_images" 'BEGIN { printf "%.1f", t / n / 1024 }'
}

jpeg_layout() { # jpeg_layout FILE: "progressive 4:2:0" or "baseline 4:2:0", as libvips reads it
  local scan
  scan=$(vipsheader -f interlaced "$1" 2>/dev/null | grep -q 1 && echo progressive || echo baseline)
  echo "$scan $(vipsheader -f jpeg-chroma-subsample "$1" 2>/dev/null || echo "?")"
}

dims() { vipsheader -f width "$1" 2>/dev/null | tr '\n' x; vipsheader -f height "$1" 2>/dev/null; }

sharp_phase() {
  ipx_install
  sharp_inputs
  local sharp_lib
  sharp_lib=$(unset IMGEDGE_VIPS_LIBRARY; IMGEDGE_LIBVIPS=sharp use_libvips; echo "$IMGEDGE_VIPS_LIBRARY")
  # two nodes, one on Debian's libvips and one on sharp's build; no result cache, and no queue
  # deadline: ipx has none, and AVIF at 8 in flight waits past 2 s
  local -a miss_env=(IMGEDGE_CACHE_MEMORY_SIZE=1 IMGEDGE_CACHE_DISK_DIR= IMGEDGE_LIMITS_QUEUE_WAIT=60s
    IMGEDGE_LIMITS_TRANSFORM_TIMEOUT=60s)
  start_imgedge sharp-debian "${miss_env[@]}"
  local deb_pid=$imgedge_pid deb_url=$IMG
  start_imgedge sharp-lib "${miss_env[@]}" IMGEDGE_VIPS_LIBRARY="$sharp_lib"
  local lib_pid=$imgedge_pid lib_url=$IMG
  local ipx_port ipx_url
  ipx_port=$(free_port)
  ipx_url=http://127.0.0.1:$ipx_port
  # started directly: node is then the process whose CPU is counted
  node "$ipx_dir/node_modules/ipx/bin/ipx.mjs" serve --dir "$work/images/sharp" --host 127.0.0.1 --port "$ipx_port" \
    >"$work/ipx.log" 2>&1 &
  local ipx_pid=$!
  pids+=("$ipx_pid")
  wait_http "$ipx_url/s_10x10/p0.jpg" 30 || die "ipx did not start"
  local rounds_here=$((rounds > 1 ? 2 : 1))
  say "miss path beside sharp (ipx $ipx_version, libvips $sharp_vips), $rounds_here round(s) per row ..."
  # format | imgedge's path | ipx's path | each side's encoder settings (the savers' defaults where not set)
  local -a formats=(
    "JPEG|/_/rs:fit:512:512/q:80/cb:BUST/plain/local:///sharp/pIMAGE.jpg@jpg|/fit_inside,s_512x512,q_80,f_jpeg/pIMAGE.jpg|q80 optimize_coding|q80 (mozjpeg defaults)"
    "WebP|/_/rs:fit:512:512/q:75/cb:BUST/plain/local:///sharp/pIMAGE.jpg@webp|/fit_inside,s_512x512,q_75,f_webp/pIMAGE.jpg|q75 effort 4|q75 effort 4"
    "AVIF|/_/rs:fit:512:512/q:50/cb:BUST/plain/local:///sharp/pIMAGE.jpg@avif|/fit_inside,s_512x512,q_50,f_avif/pIMAGE.jpg|q50 effort 4 4:2:0|q50 effort 4 4:4:4"
    "PNG|/_/rs:fit:512:512/cb:BUST/plain/local:///sharp/pIMAGE.jpg@png|/fit_inside,s_512x512,f_png/pIMAGE.jpg|compression 6 filter none|compression 6 filter none"
    # at 512 (a factor of 4) imgedge decodes at 1/4 as imgproxy does, sharp at 1/2 and reduces (its rule
    # halves shrink-on-load when the factor's whole part equals it); at 400 (5.12) both decode at 1/4
    # and reduce by lanczos3: the same pixels, the decoders and encoders compared alone
    "JPEG@400|/_/rs:fit:400:400/q:80/cb:BUST/plain/local:///sharp/pIMAGE.jpg@jpg|/fit_inside,s_400x400,q_80,f_jpeg/pIMAGE.jpg|q80 optimize_coding|q80 (mozjpeg defaults)"
    "WebP@400|/_/rs:fit:400:400/q:75/cb:BUST/plain/local:///sharp/pIMAGE.jpg@webp|/fit_inside,s_400x400,q_75,f_webp/pIMAGE.jpg|q75 effort 4|q75 effort 4"
    "PNG@400|/_/rs:fit:400:400/cb:BUST/plain/local:///sharp/pIMAGE.jpg@png|/fit_inside,s_400x400,f_png/pIMAGE.jpg|compression 6 filter none|compression 6 filter none"
  )
  local spec name our_path their_path our_set their_set deb_kb lib_kb ipx_kb conc round r1 r2
  local deb_n deb_ms deb_rss lib_n lib_ms lib_rss ipx_n ipx_ms ipx_rss
  for spec in "${formats[@]}"; do
    IFS='|' read -r name our_path their_path our_set their_set <<<"$spec"
    sharp_lua "$work/ours.lua" "$our_path"
    sharp_lua "$work/theirs.lua" "$their_path"
    deb_kb=$(sharp_bytes "$deb_url" "$our_path" "$work/out-deb-$name")
    lib_kb=$(sharp_bytes "$lib_url" "$our_path" "$work/out-lib-$name")
    ipx_kb=$(sharp_bytes "$ipx_url" "$their_path" "$work/out-ipx-$name")
    if [[ $name == JPEG* ]]; then
      our_set="$our_set $(jpeg_layout "$work/out-deb-$name/0") (on 8.17: $(jpeg_layout "$work/out-lib-$name/0"))"
      their_set="$their_set $(jpeg_layout "$work/out-ipx-$name/0")"
    fi
    [[ $(dims "$work/out-deb-$name/0") == "$(dims "$work/out-ipx-$name/0")" ]] \
      || die "$name: imgedge made $(dims "$work/out-deb-$name/0"), ipx $(dims "$work/out-ipx-$name/0")"
    [[ $name == *@* ]] || sharp_settings+=("$(printf '%-5s imgedge: %s; ipx: %s' "$name" "$our_set" "$their_set")")
    for conc in 2 8; do
      wrk -t2 -c"$conc" -d"${warmup}s" --timeout 60s -s "$work/ours.lua" "$deb_url" >/dev/null 2>&1
      wrk -t2 -c"$conc" -d"${warmup}s" --timeout 60s -s "$work/ours.lua" "$lib_url" >/dev/null 2>&1
      wrk -t2 -c"$conc" -d"${warmup}s" --timeout 60s -s "$work/theirs.lua" "$ipx_url" >/dev/null 2>&1
      local -a runs=()
      for ((round = 0; round < rounds_here; round++)); do
        read -r deb_n deb_ms deb_rss < <(sharp_measure "$deb_url" "$work/ours.lua" "$conc" "$deb_pid")
        read -r lib_n lib_ms lib_rss < <(sharp_measure "$lib_url" "$work/ours.lua" "$conc" "$lib_pid")
        read -r ipx_n ipx_ms ipx_rss < <(sharp_measure "$ipx_url" "$work/theirs.lua" "$conc" "$ipx_pid")
        runs+=("$(ratio "$lib_ms" "$ipx_ms") $(ratio "$deb_ms" "$ipx_ms") $deb_ms $lib_ms $ipx_ms $deb_rss $lib_rss $ipx_rss")
      done
      read -r r2 r1 deb_ms lib_ms ipx_ms deb_rss lib_rss ipx_rss \
        < <(printf '%s\n' "${runs[@]}" | sort -n | sed -n "$(((${#runs[@]} + 1) / 2))p")
      sharp_rows+=("$(printf '%-8s %4s %8s %8s %8s %7s %7s %8s %8s %8s %5s/%s/%s' "$name" "$conc" "$deb_ms" "$lib_ms" \
        "$ipx_ms" "$r1" "$r2" "$deb_kb" "$lib_kb" "$ipx_kb" "$deb_rss" "$lib_rss" "$ipx_rss")")
      sharp_ratio[$name-$conc]=$r2
      sharp_ratio_debian[$name-$conc]=$r1
    done
  done
  imgedge_vips=$(sed -n 's/.*libvips \([0-9.]*\),.*/\1/p' "$work/imgedge-sharp-debian.log")
  kill "$ipx_pid"
  kill "$deb_pid" "$lib_pid"
  wait "$deb_pid" "$lib_pid" 2>/dev/null || true
}
declare -A sharp_ratio sharp_ratio_debian
sharp_settings=()

sharp_report() {
  printf 'miss path beside sharp: %s 2048x1536 JPEGs (q90) to fit 512x512 (@400: 400x400); CPU ms per image of each server process;\n' \
    "$sharp_images"
  printf 'imgedge on Debian'"'"'s libvips %s ("deb") and on sharp'"'"'s build %s ("8.17"), ipx %s on sharp and libvips %s\n' \
    "$imgedge_vips" "$sharp_vips" "$ipx_version" "$sharp_vips"
  printf '%-8s %4s %8s %8s %8s %7s %7s %8s %8s %8s %s\n' "out" "conc" "deb ms" "8.17 ms" "ipx ms" "deb/ipx" "8.17/ipx" \
    "deb KB" "8.17 KB" "ipx KB" "peak RSS MiB deb/8.17/ipx"
  printf '%s\n' "${sharp_rows[@]}"
  printf 'encoder settings:\n'
  printf '  %s\n' "${sharp_settings[@]}"
}
