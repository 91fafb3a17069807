"""What the dev wiki is made of: packages, extensions, accounts, its PHP settings and router."""

from __future__ import annotations

from pathlib import Path

MEDIAWIKI_DIR = Path("/usr/share/mediawiki")

DEBIAN_PACKAGES = (
    "mediawiki",
    "php-cli",
    "php-sqlite3",
    "php-intl",
    "php-mbstring",
    "php-xml",
    "php-curl",
    "imagemagick",
)

#: The accounts every dev wiki has. Passwords are for this loopback wiki only.
#: (name, password, groups)
ACCOUNTS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("Admin", "admin-dev-password-1", ("sysop", "bureaucrat", "interface-admin")),
    ("HubBot", "hubbot-dev-password-1", ("bot",)),
    ("Partner", "partner-dev-password-1", ()),
    ("Volunteer", "volunteer-dev-password-1", ()),
    ("Reviewer", "reviewer-dev-password-1", ("sysop",)),
)

EXTENSIONS = ("ParserFunctions", "InputBox", "TemplateData", "Interwiki")

#: Extensions of Wikimedia wikis that refuse uploads on their own grounds; tests
#: load them (with :meth:`DevWiki.load_blacklists`) to meet their refusals for real.
BLACKLIST_SETTINGS_PHP = """
wfLoadExtension('TitleBlacklist');
$wgTitleBlacklistSources = ['local' => ['type' => 'localpage', 'src' => 'MediaWiki:Titleblacklist']];
wfLoadExtension('SpamBlacklist');
$wgSpamBlacklistFiles = ['[[MediaWiki:Spam-blacklist]]'];
$wgBlacklistSettings = ['spam' => ['files' => ['[[MediaWiki:Spam-blacklist]]']]];
wfLoadExtension('AbuseFilter');
$wgGroupPermissions['sysop']['abusefilter-modify'] = true;
"""

FILE_EXTENSIONS = ("png gif jpg jpeg tif tiff svg pdf ogg oga ogv opus mp3 wav flac webm").split()

ROUTER_PHP = r"""<?php
// Uploaded files come from the wiki's own folder, the web assets of the Wikibase
// bundle's extensions from the wiki's copy of the bundle (ResourceLoader links them
// below /extensions/, like MediaWiki's own); everything else is MediaWiki.
function hub_serve_file(string $base, string $relative): void {
    $base = realpath($base);
    $file = $base === false ? false : realpath($base . '/' . $relative);
    if ($file === false || strncmp($file, $base . '/', strlen($base) + 1) !== 0
        || !is_file($file) || preg_match('/\.(php|phtml|phar)$/i', $file)) {
        http_response_code(404);
        echo "Not found";
        return;
    }
    // browsers refuse style sheets and scripts of another type
    $types = ['css' => 'text/css', 'js' => 'application/javascript', 'json' => 'application/json',
        'svg' => 'image/svg+xml'];
    $ext = strtolower(pathinfo($file, PATHINFO_EXTENSION));
    $type = $types[$ext] ?? (mime_content_type($file) ?: 'application/octet-stream');
    header('Content-Type: ' . $type);
    header('Content-Length: ' . filesize($file));
    readfile($file);
}
$path = rawurldecode(parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH));
$prefix = '/images/';
if (strncmp($path, $prefix, strlen($prefix)) === 0) {
    hub_serve_file(getenv('HUB_IMAGES_DIR'), substr($path, strlen($prefix)));
    return true;
}
if (preg_match('#^/extensions/([^/]+)/(.+)$#', $path, $m)
    && is_dir(__DIR__ . '/wikibase-bundle/extensions/' . $m[1])) {
    hub_serve_file(__DIR__ . '/wikibase-bundle/extensions/' . $m[1], $m[2]);
    return true;
}
return false;
"""

REQUIRE_HUB_SETTINGS = 'require_once __DIR__ . "/HubSettings.php";'

HUB_SETTINGS_PHP = """<?php
// Settings of the hub's development wiki, written by `hubbot devwiki`.
$hubDir = __DIR__;
$wgServer = 'http://' . ($_SERVER['HTTP_HOST'] ?? '127.0.0.1:{port}');
$wgCanonicalServer = $wgServer;
$wgMetaNamespace = 'Project';
$wgSitename = 'Hub dev wiki';
$wgUploadDirectory = "$hubDir/images";
$wgUploadPath = '/images';
$wgTmpDirectory = "$hubDir/tmp";
$wgCacheDirectory = "$hubDir/cache";
$wgReadOnlyFile = "$hubDir/readonly";
// maintenance runs started by tests may shorten how long stashed uploads are kept
$wgUploadStashMaxAge = (int)(getenv('HUB_UPLOAD_STASH_MAX_AGE') ?: 6 * 3600);
$wgEnableUploads = true;
$wgFileExtensions = {extensions};
$wgMaxUploadSize = 5 * 1024 * 1024 * 1024;
$wgEnableBotPasswords = true;
$wgShowExceptionDetails = true;
$wgEnableEmail = false;
$wgEnableUserEmail = false;
$wgGroupPermissions['*']['createaccount'] = false;
$wgGroupPermissions['*']['edit'] = false;
$wgGroupPermissions['user']['upload_by_url'] = false;
// like bots on Wikimedia wikis; tests that need real rate limits take it away
$wgGroupPermissions['bot']['noratelimit'] = true;
// here the hub's bot may install the forms' site scripts (`hubbot install`); on Commons
// an interface administrator does, and tests take these rights away to see that path
$wgGroupPermissions['bot']['editinterface'] = true;
$wgGroupPermissions['bot']['editsitejs'] = true;
$wgGroupPermissions['bot']['editsitecss'] = true;
$wgGroupPermissions['bot']['editsitejson'] = true;
// run queued jobs on page views, so pages that transclude a status page refresh
$wgJobRunRate = 1;
$wgLogos = ['1x' => '/resources/assets/mediawiki.png'];
// thumbnails made when a browser asks (as Wikimedia wikis do), not inside every save
$wgGenerateThumbnailOnParse = false;
$wgThumbnailScriptPath = "$wgScriptPath/thumb.php";
$wgRCMaxAge = 365 * 24 * 3600;
$wgPasswordPolicy['policies']['default']['PasswordNotInCommonList'] = false;
$wgPasswordPolicy['policies']['sysop']['PasswordNotInCommonList'] = false;
$wgPasswordPolicy['policies']['bot']['PasswordNotInCommonList'] = false;
wfLoadExtensions({extension_list});
$wgCapitalLinks = true;
// the bundle's settings (above this file) took the URL install.sh saw
$wgMediaInfoExternalEntitySearchBaseUri = "$wgServer/api.php";
if (is_file("$hubDir/extra.php")) {{
    require "$hubDir/extra.php";
}}
"""
