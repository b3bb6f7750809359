package io.imgedge.proxy.hive;

import io.imgedge.proxy.config.HiveConfig;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The imagehoster's two blacklists, images and accounts, their files (when there are any) read
 * again every {@code every} when they changed, as the imagehoster watches its files; what
 * {@link #onChange} names is run after a change, so that what was decided with the old lists is
 * forgotten. Thread-safe.
 */
public final class HiveBlacklists implements AutoCloseable {
    private final HiveBlacklist images;
    private final HiveBlacklist accounts;
    private final Optional<ScheduledExecutorService> reloads;
    private volatile Runnable changed = () -> { };

    public HiveBlacklists(HiveConfig config, Duration every) {
        this.images = new HiveBlacklist(config.imageBlacklist(), config.imageBlacklistFile());
        this.accounts = new HiveBlacklist(config.accountBlacklist(), config.accountBlacklistFile());
        boolean files = config.imageBlacklistFile().isPresent() || config.accountBlacklistFile().isPresent();
        this.reloads = files ? Optional.of(Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("hive-blacklists").factory())) : Optional.empty();
        reloads.ifPresent(r -> r.scheduleWithFixedDelay(() -> {
            boolean imagesChanged = images.reload();
            if (accounts.reload() | imagesChanged) {
                changed.run();
            }
        }, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS));
    }

    /** Runs {@code action} after every change of a list from now on. */
    public void onChange(Runnable action) {
        this.changed = action;
    }

    public HiveBlacklist images() {
        return images;
    }

    public HiveBlacklist accounts() {
        return accounts;
    }

    @Override
    public void close() {
        reloads.ifPresent(ScheduledExecutorService::shutdownNow);
    }
}
