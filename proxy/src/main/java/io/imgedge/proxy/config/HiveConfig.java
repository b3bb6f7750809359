package io.imgedge.proxy.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The Hive imagehoster's API ({@code imgedge.hive}), as openhive-network/imagehoster configures it.
 *
 * @param serviceUrl      where this service is reached from outside: upload answers point there,
 *                        and {@code /p/} URLs on its host are our own (imagehoster's service_url)
 * @param ownHosts        host names (lower case) whose {@code /p/} and {@code /{hash}/} URLs are ours:
 *                        the service URL's, plus any configured
 * @param rpcNodes        Hive API nodes asked for accounts, in turn
 * @param rpcTimeout      how long one node may take to answer
 * @param accountTtl      how long an account's keys and reputation are remembered
 * @param addressPrefix   the public-key prefix of the chain ("STM" on Hive's main net)
 * @param partitioned     objects are kept under {@code {last two characters}/{key}} (storage_partitioning)
 * @param maxImageBytes   largest upload (imagehoster's max_image_size)
 * @param minReputation   the reputation an uploader needs (upload_limits.reputation)
 * @param uploads         uploads an account may make per {@code uploadPeriod} (upload_limits.max)
 * @param uploadPeriod    the quota's period (upload_limits.duration)
 * @param accountBlacklist accounts refused uploads (451), with those in {@code accountBlacklistFile}
 * @param imageBlacklist  URLs and upload keys refused (451), with those in {@code imageBlacklistFile}
 * @param hiveSignerApi   HiveSigner's API, which vouches for the tokens of {@code /hs/} uploads
 * @param hiveSignerApp   the app account such tokens must be for (upload_limits.app_account)
 * @param sizes           the proxy's size caps (proxy_store.max_image_* and max_custom_image_*)
 * @param defaultAvatar   the avatar of accounts that set none (default_avatar)
 * @param defaultCover    the cover of accounts that set none (default_cover)
 * @param proxyStore      the imagehoster's proxy store (its proxy_store bucket): originals it
 *                        fetched, under {@code U} keys; none = /p/ originals are only fetched
 * @param keepFetched     originals fetched for /p/ are kept in the proxy store, as the imagehoster keeps them
 */
public record HiveConfig(boolean enabled, URI serviceUrl, Set<String> ownHosts, List<URI> rpcNodes, Duration rpcTimeout,
                         Duration accountTtl, String addressPrefix, boolean partitioned, long maxImageBytes,
                         int minReputation, int uploads, Duration uploadPeriod, Set<String> accountBlacklist,
                         Sizes sizes, String defaultAvatar, String defaultCover, List<StoreConfig.Backend> proxyStore,
                         boolean keepFetched, Optional<Path> accountBlacklistFile, Set<String> imageBlacklist,
                         Optional<Path> imageBlacklistFile, URI hiveSignerApi, String hiveSignerApp) {

    /**
     * @param width        the width a {@code /p/} URL without one is capped to
     * @param height       the height a {@code /p/} URL without one is capped to
     * @param customWidth  the largest width a URL may ask for (larger is capped, not refused)
     * @param customHeight the largest height a URL may ask for
     */
    public record Sizes(int width, int height, int customWidth, int customHeight) {
    }

    /** Whether {@code host} is one of ours. */
    public boolean ownHost(String host) {
        return host != null && ownHosts.contains(host.toLowerCase(Locale.ROOT));
    }

    static HiveConfig from(Section c) {
        URI service = uri(c, "service_url", c.getString("service_url"));
        Set<String> own = new LinkedHashSet<>();
        own.add(service.getHost().toLowerCase(Locale.ROOT));
        c.root().getStringList(c.key("own_hosts")).forEach(h -> own.add(h.strip().toLowerCase(Locale.ROOT)));
        List<URI> nodes = c.root().getStringList(c.key("rpc_nodes")).stream().map(n -> uri(c, "rpc_nodes", n)).toList();
        boolean enabled = c.getBoolean("enabled");
        if (enabled && nodes.isEmpty()) {
            throw ConfigValues.bad(c, "rpc_nodes", "name at least one Hive API node");
        }
        String prefix = c.getString("address_prefix");
        if (!prefix.matches("[A-Z]{3,4}")) {
            throw ConfigValues.bad(c, "address_prefix", "'" + prefix + "' is not a key prefix such as STM");
        }
        Sizes sizes = new Sizes(ConfigValues.intAtLeast(c, "max_image_width", 1), ConfigValues.intAtLeast(c, "max_image_height", 1),
                ConfigValues.intAtLeast(c, "max_custom_image_width", 1), ConfigValues.intAtLeast(c, "max_custom_image_height", 1));
        return new HiveConfig(enabled, service, Set.copyOf(own), nodes, ConfigValues.positiveDuration(c, "rpc_timeout"),
                ConfigValues.positiveDuration(c, "account_ttl"), prefix, c.getBoolean("storage_partitioning"),
                ConfigValues.positiveBytes(c, "max_image_size"), c.getInt("upload.min_reputation"),
                ConfigValues.intAtLeast(c, "upload.max", 1), ConfigValues.positiveDuration(c, "upload.duration"),
                Set.copyOf(c.root().getStringList(c.key("blacklist.accounts"))), sizes,
                uri(c, "default_avatar", c.getString("default_avatar")).toString(),
                uri(c, "default_cover", c.getString("default_cover")).toString(),
                StoreConfig.backends(c, "proxy_store.backends"), c.getBoolean("proxy_store.keep_fetched"),
                path(c.getString("blacklist.accounts_file")), Set.copyOf(c.root().getStringList(c.key("blacklist.images"))),
                path(c.getString("blacklist.images_file")), uri(c, "hivesigner.api_url", c.getString("hivesigner.api_url")),
                c.getString("hivesigner.app_account"));
    }

    private static Optional<Path> path(String file) {
        return file.isBlank() ? Optional.empty() : Optional.of(Path.of(file.strip()));
    }

    private static URI uri(Section c, String key, String value) {
        try {
            URI uri = new URI(value.strip());
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                throw ConfigValues.bad(c, key, "'" + value + "' is not an http(s) URL");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw ConfigValues.bad(c, key, "'" + value + "' is not a URL");
        }
    }
}
