# Sourced by scripts/bench-cpu.sh and scripts/step-ab.sh: compiles a checkout's benchmark mains and gives their
# class path. The mains live in the bench module (dev.semaim.bench, since issue 16); before, in the semaim module
# under the same class names, so a revision of either layout can be measured. The benchmarks need no third-party
# jar (random or embedded inputs: no JPEG decoding, no JCuda), so the class path is the modules' class folders.
# Offline Maven compile only: nothing is installed into ~/.m2.

# bench_compile <checkout>: compiles the modules the benchmark mains need.
bench_compile() {
  if [[ -f "$1/bench/pom.xml" ]]; then
    (cd "$1" && mvn -q -o -pl bench -am compile)
  else
    (cd "$1" && mvn -q -o -pl semaim -am compile)
  fi
}

# bench_classpath <checkout>: the class folders of its engine modules and benchmark mains.
bench_classpath() {
  local cp="" m
  for m in tensor autograd nn semaim bench; do
    [[ -d "$1/$m/target/classes" ]] && cp+="${cp:+:}$1/$m/target/classes"
  done
  echo "$cp"
}
