# Sourced by bin/metrodb and the bench scripts: picks the Java to run and the options MetroDB needs on it.
#   METRODB_JAVA       the java binary: $JAVA_HOME/bin/java when JAVA_HOME is set, else java on PATH
#   METRODB_JAVA_FLAGS (array) the options for that Java's version (io.metrodb.server.DaemonJvmOptions in Java):
#     --add-exports java.base/jdk.internal.misc=ALL-UNNAMED   Agrona 2.x
#     --enable-native-access=ALL-UNNAMED                      logd's native calls, no warning on Java 22+
#     --add-modules jdk.incubator.foreign                     Java 17 only: its foreign linker
# Exits with a message when there is no Java, or one older than 17.

if [[ -n "${JAVA_HOME:-}" ]]; then
  METRODB_JAVA="$JAVA_HOME/bin/java"
else
  METRODB_JAVA="$(command -v java || true)"
fi
if [[ -z "$METRODB_JAVA" || ! -x "$METRODB_JAVA" ]]; then
  echo "metrodb: no Java found: install Java 17 or later (17, 21 and 25 are tested) or set JAVA_HOME" >&2
  exit 2
fi

# The feature version (17, 21, 25): from the JDK's release file when there is one (no JVM start), else asked.
metrodb_java_feature() {
  local home release version
  home="$(dirname "$(dirname "$(readlink -f "$METRODB_JAVA")")")"
  release="$home/release"
  if [[ -f "$release" ]]; then
    version="$(sed -n 's/^JAVA_VERSION="\([0-9][0-9]*\).*/\1/p' "$release")"
  fi
  if [[ -z "${version:-}" ]]; then
    version="$("$METRODB_JAVA" -XshowSettings:properties -version 2>&1 |
      sed -n 's/^ *java\.specification\.version = \([0-9][0-9]*\).*/\1/p')"
  fi
  echo "${version:-0}"
}

METRODB_JAVA_FEATURE="$(metrodb_java_feature)"
if (( METRODB_JAVA_FEATURE < 17 )); then
  echo "metrodb: $METRODB_JAVA is Java $METRODB_JAVA_FEATURE; MetroDB needs Java 17 or later (set JAVA_HOME)" >&2
  exit 2
fi
METRODB_JAVA_FLAGS=(--add-exports java.base/jdk.internal.misc=ALL-UNNAMED)
if (( METRODB_JAVA_FEATURE == 17 )); then
  METRODB_JAVA_FLAGS+=(--add-modules jdk.incubator.foreign)
fi
METRODB_JAVA_FLAGS+=(--enable-native-access=ALL-UNNAMED)
