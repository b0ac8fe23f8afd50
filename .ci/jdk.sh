# Sourced by the scripts: finds JDK 25 (JAVA_HOME if it is one, else under /usr/lib/jvm) and exports it.
_jk_is25() { [[ -x "$1/bin/java" ]] && "$1/bin/java" -version 2>&1 | head -n1 | grep -Eq '"(2[5-9]|[3-9][0-9])[."]'; }
if [[ -z "${JAVA_HOME:-}" ]] || ! _jk_is25 "$JAVA_HOME"; then
  JAVA_HOME=""
  for d in /usr/lib/jvm/*25* /usr/lib/jvm/*; do
    if _jk_is25 "$d"; then JAVA_HOME="$d"; break; fi
  done
  if [[ -z "$JAVA_HOME" ]]; then
    echo "jkernel: JDK 25 not found (set JAVA_HOME or install one under /usr/lib/jvm)" >&2
    exit 1
  fi
fi
export JAVA_HOME
export PATH="$JAVA_HOME/bin:$PATH"
# Maven 3.8's bundled Guava touches sun.misc.Unsafe; JDK 25 warns about it on every run.
export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
