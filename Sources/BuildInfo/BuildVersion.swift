/// This build's version, e.g. `0.1.0` or `0.1.0+12.g5d99272`: what `smallbmsd --version`, the
/// status file and the Debian package report. Comes from scripts/version.sh (VERSION plus git,
/// or `$SMALLBMSD_VERSION` in a Debian build), stamped at build time by the VersionStamp plugin.
public let smallbmsdVersion = stampedVersion
