#!/bin/sh
# Installs the Debian packages Khabar needs, when they are missing.
# Works as root, or as a normal user with sudo.  Debian 12 (bookworm).
#
#   scripts/deps.sh          build, test and fuzz dependencies
#   scripts/deps.sh --browser  also Chromium and Node.js, for the web UI's
#                              browser tests (tests/web/)
#
# What each package is for:
#   build-essential pkg-config   the C toolchain and library flags
#   libutf8proc-dev              Unicode properties, NFKC, case folding
#   libstemmer-dev               the Snowball Arabic stemmer
#   libjansson-dev               JSON in and out
#   zlib1g-dev                   gzip input (JSONL.gz, later WARC)
#   libsqlite3-dev               the document store
#   libxml2-dev                  HTML pages and RSS/Atom feeds
#   libcurl4-openssl-dev         fetching feeds and pages (khabar follow)
#   libmicrohttpd-dev            the HTTP server (khabar serve)
#   libssl-dev                   HMAC-SHA256 of the links in mails, base64
#   fonts-hosny-amiri            the web UI's Arabic font, served locally
#   python3                      the local HTTP server of the follow test
#   python3-aiosmtpd             the SMTP server of the newsletter tests
#   libcmocka-dev                the unit-test framework
#   snowball-data                Snowball's Arabic vocabulary, a test fixture
#   hunspell-ar                  the Arabic word list the entity tagger
#                                reads its word classes from (GPL, read at
#                                run time, not copied: docs/entities.md)
#   iso-codes                    countries' Arabic names, for entity look-ups
#                                by English name (Saudi Arabia: السعودية)
#                                and the tagger's gazetteer when training
#   clang libclang-rt-14-dev     libFuzzer and the sanitizer runtimes
#   clang-format                 the style check
set -eu

PKGS="build-essential pkg-config libutf8proc-dev libstemmer-dev libjansson-dev
zlib1g-dev libsqlite3-dev libxml2-dev libcurl4-openssl-dev libmicrohttpd-dev libssl-dev
fonts-hosny-amiri python3 python3-aiosmtpd libcmocka-dev snowball-data hunspell-ar iso-codes clang libclang-rt-14-dev
clang-format"
if [ "${1:-}" = --browser ]; then
    PKGS="$PKGS chromium"
    # Node.js may come from elsewhere (a newer one); Debian's is enough.
    command -v node >/dev/null 2>&1 || PKGS="$PKGS nodejs"
    command -v npm >/dev/null 2>&1 || PKGS="$PKGS npm"
fi

missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
        grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0

echo "khabar: installing Debian packages:$missing" >&2
if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
else
    echo "khabar: need root or sudo to install:$missing" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
