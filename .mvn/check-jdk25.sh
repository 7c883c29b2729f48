#!/bin/sh
# Run by ./mvnw before Maven starts. The build (maven-toolchains-plugin:select-jdk-toolchain,
# see pom.xml) compiles, tests and runs gmpj with a JDK 25+ that it discovers by itself, even
# when Maven runs on an older JDK. When there is none, that plugin only says "Cannot find
# matching toolchain definitions"; this check says what is wrong and how to fix it.
#
# It looks where the plugin looks (maven-toolchains-plugin 3.3.0, ToolchainDiscoverer):
# the JDK Maven will run on (JAVA_HOME, else `java` on PATH), every JAVA*_HOME variable, the
# children of the usual install folders, plus the jdkHome entries of ~/.m2/toolchains.xml.
# It only ever stops a build when it finds no JDK 25+ at all.
# Skip it with GMPJ_SKIP_JDK_CHECK=1.
set -eu

[ "${GMPJ_SKIP_JDK_CHECK-}" = 1 ] && exit 0
for arg in "$@"; do
  case $arg in
  -v | --version | -h | --help) exit 0 ;;
  -t* | --toolchains* | -gt* | --global-toolchains*) exit 0 ;; # a toolchains file of its own: let the plugin judge
  esac
done

need=25

# The feature version (8, 17, 25, ...) of the JDK at $1, or nothing if $1 is not a JDK.
feature_of() {
  [ -f "$1/bin/javac" ] || return 0
  if [ -f "$1/release" ]; then
    sed -n 's/^JAVA_VERSION="\(1\.\)\{0,1\}\([0-9][0-9]*\).*/\2/p' "$1/release" | head -n 1
  elif [ -x "$1/bin/java" ]; then
    "$1/bin/java" -XshowSettings:properties -version 2>&1 |
      sed -n 's/^ *java\.specification\.version = \(1\.\)\{0,1\}\([0-9][0-9]*\).*/\2/p' | head -n 1
  fi
}

found=
try() {
  [ -n "$1" ] || return 0
  v=$(feature_of "$1")
  if [ -n "$v" ] && [ "$v" -ge "$need" ]; then found=$1; fi
}

try "${JAVA_HOME-}"
if [ -z "${JAVA_HOME-}" ] && command -v java >/dev/null 2>&1; then
  j=$(readlink -f "$(command -v java)" 2>/dev/null || command -v java)
  try "${j%/bin/java}"
fi
for home in $(env | sed -n 's/^JAVA[^=]*_HOME=//p'); do try "$home"; done
for file in "$HOME/.m2/toolchains.xml" "${MAVEN_HOME-/nonexistent}/conf/toolchains.xml"; do
  [ -f "$file" ] || continue
  for home in $(tr '<' '\n' <"$file" | sed -n 's/^jdkHome>[[:space:]]*//p'); do
    try "$home"
  done
done
for parent in "$HOME/.jdks" "$HOME/.m2/jdks" "$HOME/.sdkman/candidates/java" "$HOME/.gradle/jdks" \
  "$HOME/.jenv/versions" "$HOME/.jbang/cache/jdks" "$HOME/.asdf/installs/java" "$HOME/.jabba/jdk" \
  "$HOME/.local/share/mise/installs/java" /usr/jdk /usr/java /usr/local/java /opt/java \
  /opt/hostedtoolcache /usr/lib/jvm /usr/lib64/jvm \
  /Library/Java/JavaVirtualMachines "$HOME/Library/Java/JavaVirtualMachines"; do
  [ -d "$parent" ] || continue
  for dir in "$parent"/*; do
    try "$dir"
    try "$dir/Contents/Home"
  done
done

if [ -z "$found" ]; then
  echo "gmpj needs JDK $need (or newer) and none was found: install one under /usr/lib/jvm, set JAVA_HOME or JAVA${need}_HOME to one, or declare one in ~/.m2/toolchains.xml." >&2
  exit 1
fi
