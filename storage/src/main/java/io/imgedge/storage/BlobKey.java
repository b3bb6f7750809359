package io.imgedge.storage;

/** Validation of object keys: relative, {@code /}-separated, no empty, {@code .} or {@code ..} segments. */
public final class BlobKey {
    private static final int MAX_LENGTH = 1024;

    private BlobKey() {
    }

    /**
     * Returns {@code key} when it is a valid key.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static String check(String key) {
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("empty key");
        }
        if (key.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("key longer than " + MAX_LENGTH + " characters");
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c < 0x20 || c == 0x7f || c == '\\') {
                throw new IllegalArgumentException("key has a control character or backslash");
            }
        }
        for (String segment : key.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                throw new IllegalArgumentException("key has an empty, '.' or '..' segment");
            }
        }
        return key;
    }
}
