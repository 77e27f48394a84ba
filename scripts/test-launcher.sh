#!/usr/bin/env bash
# Checks bin/semaim in child processes (issue 17: items 5, 6 and 9's escape codes): it runs this checkout's own
# classes and jars and nothing from ~/.m2, rebuilds a stale or missing build without escape codes in a log,
# explains a failed build and another user's unreadable or unwritable build in one line, sizes the heap, and turns
# out of memory into one line. About half a minute (two Maven builds that compile nothing new). Run by .ci/run
# after `mvn -B test`; prints PASS/FAIL/SKIP per check and exits 1 if any failed.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
semaim="$root/bin/semaim"
cp_file="$root/semaim/target/run-classpath.txt"
tmp=$(mktemp -d)
passed=0 failed=0 skipped=0
cleanup() {
  chmod 755 "$root/semaim/target/lib" 2>/dev/null
  [[ -f "$tmp/cp-time" && -f "$cp_file" ]] && touch -r "$tmp/cp-time" "$cp_file"
  rm -rf "$tmp"
}
trap cleanup EXIT

pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1: $2"; failed=$((failed + 1)); }
skip() { echo "SKIP $1: $2"; skipped=$((skipped + 1)); }
# Our stderr lines, without the JVM's own note about the incubator module.
ours() { grep -v '^WARNING: Using incubator modules' "$1"; }

# 1. A failed build is one line of ours after Maven's messages, and the status is 1.
mkdir -p "$tmp/fakebin"
printf '#!/bin/sh\necho "[ERROR] simulated compile error"\nexit 1\n' > "$tmp/fakebin/mvn"
chmod +x "$tmp/fakebin/mvn"
rm -f "$cp_file"
PATH="$tmp/fakebin:$PATH" "$semaim" help > "$tmp/out" 2> "$tmp/err"; rc=$?
last=$(tail -1 "$tmp/err")
if [[ $rc == 1 && $last == "semaim: the build failed (Maven's messages above; 'cd $root && mvn -B compile' shows them in full)" ]] \
    && grep -q 'simulated compile error' "$tmp/err"; then pass "a failed build: one line, status 1"
else fail "a failed build: one line, status 1" "status $rc, stderr: $(cat "$tmp/err")"; fi

# 2. The missing build is made (Maven in a pipe: no escape codes), then a stale one is rebuilt.
"$semaim" help > "$tmp/out" 2> "$tmp/err"; rc=$?
if [[ $rc == 0 ]] && grep -q '^semaim: building this checkout (not built yet' "$tmp/err" && grep -q '^usage: semaim' "$tmp/out"; then
  pass "a missing build is built"
else fail "a missing build is built" "status $rc, stderr: $(cat "$tmp/err")"; fi
if grep -q $'\e' "$tmp/out" "$tmp/err"; then fail "no escape codes in a log" "$(grep $'\e' "$tmp/err" | cat -v | head -3)"
else pass "no escape codes in a log"; fi
touch -d '2000-01-01' "$cp_file"
"$semaim" help > "$tmp/out" 2> "$tmp/err"; rc=$?
if [[ $rc == 0 ]] && grep -q '^semaim: building this checkout (.* changed;' "$tmp/err"; then pass "a stale build is rebuilt"
else fail "a stale build is rebuilt" "status $rc, stderr: $(cat "$tmp/err")"; fi
"$semaim" help > "$tmp/out" 2> "$tmp/err"
if grep -q 'building' "$tmp/err"; then fail "a current build is not rebuilt" "$(cat "$tmp/err")"; else pass "a current build is not rebuilt"; fi
touch -r "$cp_file" "$tmp/cp-time"

# 3. The class path is this checkout's, entry by entry: every module's target/classes and target/lib jars, no ~/.m2.
SEMAIM_JAVA_OPTS=-XshowSettings:properties "$semaim" help > /dev/null 2> "$tmp/err"
# -XshowSettings prints the class path as "java.class.path = first", then one indented entry a line
sed -n '/^    java.class.path = /,/^    [a-z]/p' "$tmp/err" | sed -e 's/^ *java.class.path = //' -e 's/^ *//' | grep -v ' = ' > "$tmp/cp"
outside=$(grep -v "^$root/" "$tmp/cp")
missing=""
for m in tensor autograd nn semaim cuda distributed; do grep -qx "$root/$m/target/classes" "$tmp/cp" || missing+=" $m"; done
grep -q "^$root/semaim/target/lib/imageio-jpeg-.*\.jar$" "$tmp/cp" || missing+=" imageio-jpeg"
grep -q "^$root/cuda/target/lib/jcuda-.*\.jar$" "$tmp/cp" || missing+=" jcuda"
grep -q "^$root/distributed/target/lib/jna-.*\.jar$" "$tmp/cp" || missing+=" jna"
if [[ -s "$tmp/cp" && -z "$outside" && -z "$missing" ]]; then pass "the class path is this checkout's ($(wc -l < "$tmp/cp") entries)"
else fail "the class path is this checkout's" "outside: ${outside:-none}; missing:${missing:- none}"; fi

# 4. The classes that load come from this checkout (convert touches tensor, nn and semaim).
# A one-tensor safetensors file: 8-byte little-endian header length, JSON header padded to 8 bytes, 4 data bytes.
header='{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}'
while (( ${#header} % 8 )); do header+=' '; done
printf "$(printf '\\%03o' "${#header}")\0\0\0\0\0\0\0%s\0\0\300\77" "$header" > "$tmp/w.safetensors"
chmod 755 "$tmp"; chmod 644 "$tmp/w.safetensors"
SEMAIM_JAVA_OPTS=-Xlog:class+load=info "$semaim" convert "$tmp/w.safetensors" "$tmp/w.pth" > "$tmp/out" 2> "$tmp/err"; rc=$?
grep -o 'dev\.semaim\.[A-Za-z0-9_.$]* source: .*' "$tmp/out" | awk '{print $3}' | sort -u > "$tmp/sources"
if [[ $rc == 0 && -s "$tmp/sources" ]] && ! grep -qv "^file:$root/" "$tmp/sources" \
    && grep -q "^file:$root/tensor/target/classes/$" "$tmp/sources" && grep -q "^file:$root/nn/target/classes/$" "$tmp/sources"; then
  pass "the classes that load are this checkout's"
else fail "the classes that load are this checkout's" "status $rc, sources: $(tr '\n' ' ' < "$tmp/sources") $(ours "$tmp/err")"; fi

# 5. Heap: three quarters of memory by default, three times the JVM's own quarter; an -Xmx wins.
default=$("${JAVA_HOME:+$JAVA_HOME/bin/}java" -XX:+UseParallelGC -XX:+PrintFlagsFinal -version 2>/dev/null | awk '$2 == "MaxHeapSize" {print $4}')
ours_heap=$(SEMAIM_JAVA_OPTS=-XX:+PrintFlagsFinal "$semaim" help 2>/dev/null | awk '$2 == "MaxHeapSize" {print $4}')
given=$(SEMAIM_JAVA_OPTS="-Xmx300m -XX:+PrintFlagsFinal" "$semaim" help 2>/dev/null | awk '$2 == "MaxHeapSize" {print $4}')
if [[ -n "$default" && -n "$ours_heap" ]] && (( ours_heap * 10 >= default * 29 && ours_heap * 10 <= default * 31 )) && [[ $given == 314572800 ]]; then
  pass "default heap three quarters of memory ($((ours_heap >> 20)) MiB; JVM default $((default >> 20)) MiB); -Xmx wins"
else fail "default heap three quarters of memory" "launcher $ours_heap, JVM default $default, with -Xmx300m $given"; fi

# 6. Out of memory: one line naming model, batch and heap, status 1.
SEMAIM_JAVA_OPTS=-Xmx64m "$semaim" pretrain --model aim_base --batch_size 8 --data_path embedded --output_dir "$tmp/oom" \
  --num_workers 0 > "$tmp/out" 2> "$tmp/err"; rc=$?
if [[ $rc == 1 && $(ours "$tmp/err" | wc -l) == 1 ]] \
    && ours "$tmp/err" | grep -q '^semaim pretrain: out of memory (model aim_base, --batch_size 8, --accum_iter 1, [0-9]* MiB Java heap.*SEMAIM_JAVA_OPTS=-Xmx'; then
  pass "out of memory: one line, status 1"
else fail "out of memory: one line, status 1" "status $rc, stderr: $(cat "$tmp/err")"; fi

# 7. Another user (nobody): runs the build without reading the builder's ~/.m2; an unreadable or stale build is one line.
other="another user's run"
if [[ $(id -u) != 0 ]] || ! command -v runuser > /dev/null || ! id nobody > /dev/null 2>&1; then
  skip "$other" "needs root, runuser and the user nobody"
elif ! runuser -u nobody -- test -r "$root/bin/semaim" -a -x "$root/semaim/target"; then
  skip "$other" "nobody cannot read $root"
else
  as_nobody() { (cd "$tmp" && runuser -u nobody -- "$semaim" "$@") > "$tmp/out" 2> "$tmp/err"; }
  chmod 777 "$tmp"
  as_nobody convert "$tmp/w.safetensors" "$tmp/nobody.pth"; rc=$?
  if [[ $rc == 0 && -s "$tmp/nobody.pth" ]]; then pass "$other: runs"; else fail "$other: runs" "status $rc, $(cat "$tmp/err")"; fi
  chmod 700 "$root/semaim/target/lib"
  as_nobody help; rc=$?
  chmod 755 "$root/semaim/target/lib"
  if [[ $rc == 1 && $(ours "$tmp/err") == "semaim: cannot read $root/semaim/target/lib (it belongs to root): "* ]]; then
    pass "$other: an unreadable build is one line"
  else fail "$other: an unreadable build is one line" "status $rc, $(cat "$tmp/err")"; fi
  touch -d '2000-01-01' "$cp_file"
  as_nobody help; rc=$?
  touch -r "$tmp/cp-time" "$cp_file"
  if [[ $rc == 1 && $(ours "$tmp/err") == "semaim: this checkout needs a build ("*"changed), but "*" you cannot write there: "* ]]; then
    pass "$other: a stale build it cannot rebuild is one line"
  else fail "$other: a stale build it cannot rebuild is one line" "status $rc, $(cat "$tmp/err")"; fi
fi

echo "test-launcher: $passed passed, $failed failed, $skipped skipped"
(( failed == 0 ))
